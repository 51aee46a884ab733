import { spawnSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY } from '../../../src/lib/clock.ts'
import { hashToken } from '../../../src/lib/tokens.ts'
import { AdminInvitationError, createAdminInvitation } from '../../../src/features/setup/setup.service.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, TEST_BASE_URL, type TestApp } from '../../helpers/app.ts'
import { linkIn } from '../../helpers/smtp.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('npm run create-admin', () => {
  it('creates a 14-day admin invitation without municipality, mails it and returns its link', async () => {
    const now = t.clock.now()
    const input = { email: ' Neue.Admin@Verband.example ', name: 'Nora Neu' }
    const result = await createAdminInvitation(t.db, t.config, now, input, t.app.deps.mailer)
    expect(result.link).toMatch(new RegExp(`^${TEST_BASE_URL}/invite/[A-Za-z0-9_-]{43}$`))
    expect(result.mail).toBe('sent')
    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('neue.admin@verband.example'))
    expect(mail.subject).toBe('Einladung in das Kommunalforum')
    expect(linkIn(mail, `${TEST_BASE_URL}/invite/`)).toBe(result.link)
    expect(mail.text).toContain('Administration')
    const token = result.link.split('/invite/')[1]!
    const row = await t.db.selectFrom('invitations').selectAll().where('token_hash', '=', hashToken(token)).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ email: 'neue.admin@verband.example', name: 'Nora Neu', role: 'admin', municipality_id: null, used_at: null })
    expect(row.expires_at.getTime()).toBe(now.getTime() + 14 * DAY)
    // Only the hash is stored.
    const stored = JSON.stringify(await t.db.selectFrom('invitations').selectAll().execute())
    expect(stored).not.toContain(token)
    const entry = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', row.id).where('action', '=', 'invitation.created').executeTakeFirst()
    expect(entry?.details).toMatchObject({ role: 'admin' })
  })

  it('refuses an email that already has an active account, in German', async () => {
    const member = await buildUser(t.db, { email: 'schon.da@example.de' })
    const attempt = createAdminInvitation(t.db, t.config, t.clock.now(), { email: member.email.toUpperCase(), name: 'Schon Da' })
    await expect(attempt).rejects.toThrow(AdminInvitationError)
    await expect(attempt).rejects.toThrow('Für schon.da@example.de gibt es bereits ein aktives Konto.')
    const rows = await t.db.selectFrom('invitations').select('id').where('email', '=', member.email).execute()
    expect(rows).toHaveLength(0)
  })

  it('refuses a deactivated account but invites an imported one (no password yet)', async () => {
    const former = await buildUser(t.db, { active: false })
    await expect(createAdminInvitation(t.db, t.config, t.clock.now(), { email: former.email, name: former.name })).rejects.toThrow(
      'deaktiviertes Konto',
    )
    const imported = await buildUser(t.db, { password_hash: null })
    const result = await createAdminInvitation(t.db, t.config, t.clock.now(), { email: imported.email, name: imported.name })
    expect(result.email).toBe(imported.email)
    expect(result.mail).toBe('skipped')
  })

  it('refuses an invalid email or an empty name', async () => {
    await expect(createAdminInvitation(t.db, t.config, t.clock.now(), { email: 'kein-at', name: 'X Y' })).rejects.toThrow(
      'gültige E-Mail-Adresse',
    )
    await expect(createAdminInvitation(t.db, t.config, t.clock.now(), { email: 'a@b.de', name: '  ' })).rejects.toThrow('--name')
  })

  it('the command explains its use and exits with 2 when arguments are missing', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/create-admin.ts', '--email', 'a@b.de'], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain('Bitte geben Sie E-Mail-Adresse und Namen an.')
    expect(run.stderr).toContain('npm run create-admin -- --email')
  })
})
