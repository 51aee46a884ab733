import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { checkReplies, type SoakRun } from '../../bench/soak.ts'
import { newestResults, summarize } from '../../bench/summary.ts'

function run(acknowledged: string[], sent: string[]): SoakRun {
  return { samples: [], acknowledged, sent, runId: 'abcd', startedAt: 0, endedAt: 1000 }
}

describe('the soak test checks replies by marker', () => {
  it('finds acknowledged replies that are missing or stored twice', () => {
    const check = checkReplies(run(['[a]', '[b]', '[c]'], ['[a]', '[b]', '[c]', '[d]']), ['[a]', '[b]', '[b]', '[d]'])
    expect(check).toMatchObject({ sent: 4, acknowledged: 3, stored: 4, lost: 1, duplicated: 1, storedUnacknowledged: 1 })
    expect(check.examples).toEqual({ lost: ['[c]'], duplicated: ['[b]'] })
  })

  it('passes when every acknowledged reply is stored exactly once', () => {
    expect(checkReplies(run(['[a]', '[b]'], ['[a]', '[b]']), ['[b]', '[a]'])).toMatchObject({ lost: 0, duplicated: 0, storedUnacknowledged: 0 })
  })
})

describe('the benchmark summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kf-summary-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const row = (scenario: string, extra: object = {}) => ({
    scenario,
    requestsPerSecond: 1200,
    latencyP50Ms: 10,
    latencyP99Ms: 40,
    latencyMaxMs: 90,
    errors: 0,
    appCpuMsPerRequest: 1.5,
    postgresCpuMsPerRequest: 0.5,
    rssMb: 180,
    maxRssMb: 200,
    ...extra,
  })
  const write = (name: string, data: object) => writeFileSync(join(dir, name), JSON.stringify(data))

  it('judges the targets from the newest result of each kind and shows the floor when there is one', () => {
    write('run-2026-12-01T10-00-00.json', { results: [row('Thema mit 20 Antworten', { requestsPerSecond: 10 })] })
    write('run-2026-12-02T10-00-00.json', { database: 'x', results: [row('Thema mit 20 Antworten', { floor: { requestsPerSecond: 2000, ratio: 0.6 } })] })
    write('faults-2026-12-01T10-00-00.json', { import: { pass: true } })
    write('faults-2026-12-02T10-00-00.json', { postgres: { pass: false } })
    const results = newestResults(dir)
    expect(results.run?.file).toBe('run-2026-12-02T10-00-00.json')
    const md = summarize(results)
    expect(md).toMatch(/\| Thema: Anfragen\/s \| ≥ 1\.000 \| 1\.200 \| ✅ erfüllt/)
    expect(md).toMatch(/\| Thema: Anteil der Vergleichsbasis \(floor\) \| ≥ 80 % \| 60 % von 2\.000\/s \| ❌ verfehlt/)
    expect(md).toContain('| Vergleichsbasis/s | Anteil |')
    // Each fault from the newest file that has it.
    expect(md).toMatch(/Fehlerfall Postgres-Neustart \| bestanden \| nicht bestanden \| ❌/)
    expect(md).toMatch(/Fehlerfall kill -9 im Import \| bestanden \| bestanden \| ✅/)
    expect(md).toMatch(/Fehlerfall kill -9 im Digest \| bestanden \| nicht gelaufen \| –/)
  })

  it('leaves the floor columns out when no scenario has a floor', () => {
    write('run-2026-12-03T10-00-00.json', { results: [row('Thema mit 20 Antworten')] })
    const md = summarize(newestResults(dir))
    expect(md).not.toContain('Vergleichsbasis/s')
    expect(md).toMatch(/Anteil der Vergleichsbasis \(floor\) \| ≥ 80 % \| nicht gemessen \| –/)
  })
})
