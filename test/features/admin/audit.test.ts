import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { audit } from '../../../src/features/audit/audit.queries.ts'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, type TestApp } from '../../helpers/app.ts'
import { relLink, signedIn } from './helpers.ts'

let t: TestApp
let admin: Awaited<ReturnType<typeof signedIn>>

beforeAll(async () => {
  // Demo mode: admins need no second factor here (2FA enforcement is tested in access.test.ts).
  t = await createTestApp({ DEMO: 'true' })
  admin = await signedIn(t, 'admin', { name: 'Ada Admin' })
})
afterAll(() => t.close())

const rowsOf = (html: string) => html.match(/<tbody>[\s\S]*?<\/tbody>/)?.[0].split('<tr>').slice(1) ?? []

describe('the audit log page', () => {
  it('shows when (Berlin time), who, a German action label, the target by name and the details', async () => {
    const m = await buildMunicipality(t.db, { name: 'Protokollstadt' })
    const target = await buildUser(t.db, { municipality_id: m.id, name: 'Tanja Ziel' })
    await audit(t.db, {
      actorId: admin.user.id,
      action: 'user.role_changed',
      targetType: 'user',
      targetId: target.id,
      municipalityId: m.id,
      details: { from: 'member', to: 'municipality_admin' },
      now: new Date('2026-07-01T10:00:00Z'),
    })
    await audit(t.db, { actorId: null, action: 'municipality.deactivated', targetType: 'municipality', targetId: m.id, now: new Date('2026-01-15T23:30:00Z') })
    await audit(t.db, { actorId: null, action: 'demo.something_new', now: new Date('2026-01-15T23:31:00Z') })

    const res = await admin.agent.get('/admin/audit')
    expect(res.status).toBe(200)
    const [unlabelled, deactivated, roleChanged] = rowsOf(res.text)
    // Newest first (by entry), a fallback to the key for an action without a label.
    expect(unlabelled).toContain('demo.something_new')
    expect(deactivated).toContain('Kommune deaktiviert')
    expect(deactivated).toContain('System')
    expect(deactivated).toContain('16.01.2026, 00:30')
    expect(deactivated).toContain(`<a href="/admin/municipalities/${m.id}">Protokollstadt</a>`)
    expect(roleChanged).toContain('Rolle geändert')
    expect(roleChanged).toContain('01.07.2026, 12:00')
    expect(roleChanged).toContain(`<a href="/admin/users/${admin.user.id}">Ada Admin</a>`)
    expect(roleChanged).toContain(`<a href="/admin/users/${target.id}">Tanja Ziel</a>`)
    expect(roleChanged).toContain('Protokollstadt')
    expect(roleChanged).toContain('<li>bisher: Mitglied</li><li>neu: Ansprechperson der Kommune</li>')
  })

  it('pages back in time by id and filters by action', async () => {
    for (let i = 0; i < 60; i++) {
      await audit(t.db, { actorId: admin.user.id, action: i % 2 ? 'user.deactivated' : 'user.reactivated', targetType: 'user', targetId: admin.user.id, details: { n: i }, now: t.clock.now() })
    }
    const first = await admin.agent.get('/admin/audit?action=user.deactivated')
    const firstRows = rowsOf(first.text)
    expect(firstRows).toHaveLength(30)
    expect(firstRows.every((r) => r.includes('Konto deaktiviert'))).toBe(true)
    expect(firstRows[0]).toContain('n: 59')
    expect(relLink(first.text, 'next')).toBeUndefined()

    const page1 = await admin.agent.get('/admin/audit')
    expect(rowsOf(page1.text)).toHaveLength(50)
    expect(rowsOf(page1.text)[0]).toContain('n: 59')
    const older = relLink(page1.text, 'next')
    expect(older).toMatch(/^\/admin\/audit\?before=\d+$/)
    const page2 = await admin.agent.get(older!)
    const page2Rows = rowsOf(page2.text)
    expect(page2Rows[0]).toContain('n: 9')
    expect(page2Rows.some((r) => r.includes('n: 10<'))).toBe(false)
    expect(page2.text).toContain('href="/admin/audit">Neueste Einträge</a>')
  })

  it('ignores nonsense in the query string', async () => {
    expect((await admin.agent.get('/admin/audit?before=abc&action=')).status).toBe(200)
  })
})

describe('the audit log table', () => {
  it('refuses updates and deletes, even from the application', async () => {
    await audit(t.db, { actorId: admin.user.id, action: 'user.deactivated', now: t.clock.now() })
    const entry = await t.db.selectFrom('audit_log').select('id').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow()
    await expect(t.db.updateTable('audit_log').set({ action: 'rewritten' }).where('id', '=', entry.id).execute()).rejects.toThrow(/append-only/)
    await expect(t.db.deleteFrom('audit_log').where('id', '=', entry.id).execute()).rejects.toThrow(/append-only/)
    await expect(sql`TRUNCATE audit_log`.execute(t.db)).rejects.toThrow(/append-only/)
    const still = await t.db.selectFrom('audit_log').select('action').where('id', '=', entry.id).executeTakeFirstOrThrow()
    expect(still.action).toBe('user.deactivated')
  })
})
