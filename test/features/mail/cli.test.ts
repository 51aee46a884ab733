import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../../src/db/connect.ts'
import { migrateToLatest } from '../../../src/db/migrate.ts'
import { latestDigestSlot } from '../../../src/features/mail/schedule.ts'
import { HOUR } from '../../../src/lib/clock.ts'
import { buildUser } from '../../factories.ts'
import { buildThread } from '../../factories.ts'

const root = fileURLToPath(new URL('../../../', import.meta.url))
const tsx = join(root, 'node_modules', '.bin', 'tsx')
const dataDir = mkdtempSync(join(tmpdir(), 'kf-digest-cli-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

/** `npm run digest` on its own embedded database (no SMTP: the outbox), whatever DATABASE_URL the tests use. */
function digest(args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, NODE_ENV: 'test' }
  return new Promise((resolve) => {
    execFile(tsx, [join(root, 'src', 'cli', 'digest.ts'), ...args], { cwd: root, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr })
    })
  })
}

describe('npm run digest', () => {
  it('--dry-run says who would get what and sends nothing; a round sends once; the next round nothing', async () => {
    const handle = await connectDatabase({ dataDir })
    let email: string
    try {
      await migrateToLatest(handle.db)
      const reader = await buildUser(handle.db, { email: 'leserin@example.de' })
      email = reader.email
      // Something new shortly before this week's digest was due (the command runs on the real clock).
      const dueAt = latestDigestSlot(new Date(), 'weekly', 7).dueAt
      await buildThread(handle.db, { title: 'Frage für die Kommandozeile', at: new Date(dueAt.getTime() - HOUR) })
    } finally {
      await handle.close()
    }
    const outbox = () => readdirSync(join(dataDir, 'outbox'), { withFileTypes: true }).filter((f) => f.name.endsWith('.json'))

    const dry = await digest(['--dry-run'])
    expect(dry.code, dry.stderr).toBe(0)
    expect(dry.stdout).toMatch(new RegExp(`^${email}\\tweekly:\\d{4}-\\d{2}-\\d{2}\\t1 items$`, 'm'))
    expect(dry.stdout).toContain('Probelauf')
    expect(() => outbox()).toThrow()

    const first = await digest()
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toMatch(/1 verschickt/)
    expect(outbox()).toHaveLength(1)

    const second = await digest()
    expect(second.code, second.stderr).toBe(0)
    expect(second.stdout).toMatch(/0 übernommen, 0 verschickt/)
    expect(outbox()).toHaveLength(1)

    expect((await digest(['--gibt-es-nicht'])).code).toBe(2)
  }, 240_000)
})
