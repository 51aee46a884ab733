import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../../src/db/connect.ts'
import { dayAt, history } from './history.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const dataDir = mkdtempSync(join(tmpdir(), 'kf-trending-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/**
 * Runs a command as PRODUCT.md gives it (`npm run --silent trending -- …`: the compiled command, built
 * first when the sources changed), on its own embedded database, whatever DATABASE_URL the tests run with.
 */
function run(command: 'trending' | 'import', args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, NODE_ENV: 'test' }
  return new Promise((resolve) => {
    execFile('npm', ['run', '--silent', command, '--', ...args], { cwd: root, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr })
    })
  })
}

type Output = {
  at: string
  terms: { term: string; label: string; score: number; municipalities: number; districts: number; posts: number }[]
  threads: { id: string; title: string; forum: string; score: number; municipalities: number }[]
}

describe('npm run trending', () => {
  it('refuses a moment that is no date (exit code 2)', async () => {
    const bad = await run('trending', ['--at', 'gestern', '--json'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/kein gültiges Datum/)
  })

  it('prints one JSON object with the trending terms and threads as of --at; a quiet moment has none', async () => {
    const lines = history([{ day: 196, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], title: 'Stromsperre droht', body: 'Mehrere Familien haben eine Stromsperre angekündigt bekommen.' }])
    // A thread that many municipalities answer: a trending thread, printed with its id from the file.
    const at = dayAt(196, 8)
    lines.push(JSON.stringify({ type: 'thread', id: 'heiss', forum: 'integration', author: 'u1', title: 'Kita: wer hat noch Plätze?', body: 'Wie läuft es mit der Kita?', created_at: at.toISOString() }))
    for (let m = 2; m <= 12; m++) {
      lines.push(JSON.stringify({ type: 'post', id: `heiss-${m}`, thread: 'heiss', author: `u${m}`, body: 'Bei uns klappt Kita gut.', created_at: new Date(at.getTime() + m * 600_000).toISOString() }))
    }
    const file = join(dataDir, 'forum.jsonl')
    writeFileSync(file, lines.join('\n') + '\n')
    const imported = await run('import', [file])
    expect(imported.code, imported.stderr).toBe(0)

    const moment = dayAt(197, 12).toISOString()
    const out = await run('trending', ['--at', moment, '--json'])
    expect(out.code, out.stderr).toBe(0)
    const result = JSON.parse(out.stdout) as Output
    expect(Object.keys(result).sort()).toEqual(['at', 'terms', 'threads'])
    expect(result.at).toBe(moment)
    expect(result.terms.length).toBeGreaterThan(0)
    const first = result.terms[0]!
    expect(first.label).toMatch(/Stromsperre/)
    for (const key of ['term', 'label'] as const) expect(typeof first[key]).toBe('string')
    for (const key of ['score', 'municipalities', 'districts', 'posts'] as const) expect(typeof first[key]).toBe('number')
    expect(first.municipalities).toBe(10)
    const scores = result.terms.map((t) => t.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))
    expect(result.threads[0]).toMatchObject({ id: 'heiss', title: 'Kita: wer hat noch Plätze?', forum: 'integration', municipalities: 12 })
    expect(typeof result.threads[0]!.score).toBe('number')

    const quiet = await run('trending', ['--at', dayAt(150, 12).toISOString(), '--json'])
    expect(JSON.parse(quiet.stdout)).toEqual({ at: dayAt(150, 12).toISOString(), terms: [], threads: [] })
  }, 240_000)

  it('--recompute restores the day counts, --rebuild the whole index from the posts; the dashboard sees it at once', async () => {
    const wrongCalls: [string[], RegExp][] = [
      [['--recompute', '--rebuild'], /^--recompute und --rebuild schließen einander aus/],
      [['--recompute', '--json'], /^--recompute gibt keine Trends aus: --at und --json bitte weglassen/],
      [['--rebuild', '--at', dayAt(197, 12).toISOString()], /^--rebuild gibt keine Trends aus/],
    ]
    for (const [wrong, message] of wrongCalls) {
      const refused = await run('trending', wrong)
      expect(refused.code, wrong.join(' ')).toBe(2)
      expect(refused.stderr).toMatch(message)
      expect(refused.stderr).toMatch(/Aufruf:/)
    }
    const moment = dayAt(197, 12).toISOString()
    const trends = async () => {
      const out = await run('trending', ['--at', moment, '--json'])
      expect(out.code, out.stderr).toBe(0)
      return JSON.parse(out.stdout) as Output
    }
    const before = await trends()
    expect(before.terms.length).toBeGreaterThan(0)
    // What the command leaves for the dashboard: the stored snapshot, dropped here so that it must be written anew.
    const corrupt = async (statements: string[]) => {
      const handle = await connectDatabase({ dataDir })
      try {
        for (const statement of statements) await sql.raw(statement).execute(handle.db)
      } finally {
        await handle.close()
      }
    }
    const snapshot = async () => {
      const handle = await connectDatabase({ dataDir })
      try {
        return await handle.db.selectFrom('trend_snapshot').select('at').executeTakeFirst()
      } finally {
        await handle.close()
      }
    }

    await corrupt(['DELETE FROM trend_stem_days', 'DELETE FROM trend_snapshot'])
    expect((await trends()).terms).toEqual([])
    const recomputed = await run('trending', ['--recompute'])
    expect(recomputed.code, recomputed.stderr).toBe(0)
    expect(recomputed.stdout).toMatch(/Trend-Index aus den gespeicherten Stammformen neu berechnet in [\d,]+ s\./)
    expect(await trends()).toEqual(before)
    expect(await snapshot()).toBeDefined()

    // Without the stored stems a recomputation has nothing to count: only the posts' text brings them back.
    await corrupt(['DELETE FROM trend_municipality_forms', 'DELETE FROM trend_snapshot'])
    expect((await run('trending', ['--recompute'])).code).toBe(0)
    expect((await trends()).terms).toEqual([])
    const rebuilt = await run('trending', ['--rebuild'])
    expect(rebuilt.code, rebuilt.stderr).toBe(0)
    expect(rebuilt.stdout).toMatch(/Trend-Index aus [\d.]+ Beiträgen neu aufgebaut in [\d,]+ s\./)
    expect(await trends()).toEqual(before)
    expect(await snapshot()).toBeDefined()
  }, 240_000)
})
