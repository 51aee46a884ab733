import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const tsx = join(root, 'node_modules', '.bin', 'tsx')
const broken = fileURLToPath(new URL('../../fixtures/interchange-broken.jsonl', import.meta.url))
const dataDir = mkdtempSync(join(tmpdir(), 'kf-cli-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/** Runs a command on its own embedded database, whatever DATABASE_URL the tests run with. */
function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  // A clean environment: vitest sets variables (BASE_URL=/) that the configuration rightly refuses.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, NODE_ENV: 'test' }
  return new Promise((resolve) => {
    execFile(tsx, [join(root, 'src', 'cli', script), ...args], { cwd: root, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr })
    })
  })
}

describe('import and export commands', () => {
  it('refuse a call without a file, or with one that cannot be read (exit code 2)', async () => {
    const none = await run('import.ts', [])
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/Bitte geben Sie genau eine Datei an/)
    const missing = await run('import.ts', [join(dataDir, 'gibt-es-nicht.jsonl')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/kann nicht gelesen werden/)
  })

  it('import reports bad lines and exits with 1; export writes the imported records', async () => {
    const imported = await run('import.ts', [broken])
    expect(imported.code, imported.stderr).toBe(1)
    expect(imported.stderr).toMatch(/^Zeile 3: kein gültiges JSON$/m)
    expect(imported.stderr).toMatch(/^Zeile 13: unbekannte Person „u7“/m)
    expect(imported.stdout).toMatch(/Beiträge: 2 importiert, 0 schon vorhanden, 2 übersprungen/)

    const file = join(dataDir, 'export.jsonl')
    const exported = await run('export.ts', [file])
    expect(exported.code).toBe(0)
    const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; id: string })
    expect(records.map((r) => `${r.type}:${r.id}`)).toEqual(['municipality:m1', 'user:u1', 'thread:t1', 'post:p1', 'post:p4'])
  }, 180_000)
})
