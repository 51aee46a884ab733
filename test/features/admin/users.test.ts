import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { refusalToChange } from '../../../src/features/users/users.access.ts'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { isSignedIn, post, relLink, signedIn } from './helpers.ts'

let t: TestApp
let admin: Awaited<ReturnType<typeof signedIn>>

beforeAll(async () => {
  // Demo mode: admins and staff need no second factor here (2FA enforcement is tested in access.test.ts).
  t = await createTestApp({ DEMO: 'true' })
  admin = await signedIn(t, 'admin')
})
afterAll(() => t.close())

const userRow = (id: number) => t.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const auditOf = (action: string, targetId: number) =>
  t.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('target_id', '=', targetId).execute()

describe('the list of user accounts', () => {
  it('filters by role, municipality, state and a search over name and email', async () => {
    const m = await buildMunicipality(t.db, { name: 'Filterstadt' })
    await buildUser(t.db, { municipality_id: m.id, name: 'Anna Aktiv', email: 'anna@filterstadt.de' })
    await buildUser(t.db, { municipality_id: m.id, name: 'Ingo Inaktiv', active: false })
    await buildUser(t.db, { municipality_id: m.id, name: 'Karla Kontakt', role: 'municipality_admin' })
    await buildUser(t.db, { name: 'Otto Anderswo' })

    const ofTown = await admin.agent.get(`/admin/users?municipality=${m.id}`)
    expect(ofTown.text).toContain('Anna Aktiv')
    expect(ofTown.text).toContain('Ingo Inaktiv')
    expect(ofTown.text).not.toContain('Otto Anderswo')

    const inactive = await admin.agent.get(`/admin/users?municipality=${m.id}&status=inactive`)
    expect(inactive.text).toContain('Ingo Inaktiv')
    expect(inactive.text).not.toContain('Anna Aktiv')

    const contacts = await admin.agent.get(`/admin/users?role=municipality_admin&municipality=${m.id}`)
    expect(contacts.text).toContain('Karla Kontakt')
    expect(contacts.text).not.toContain('Anna Aktiv')

    const byEmail = await admin.agent.get('/admin/users?q=ANNA%40filterstadt')
    expect(byEmail.text).toContain('Anna Aktiv')
    expect(byEmail.text).not.toContain('Karla Kontakt')

    // A wildcard typed by the user matches itself, not everything.
    expect((await admin.agent.get('/admin/users?q=%25')).text).toContain('Kein Benutzerkonto passt zu Ihrer Auswahl.')
    // Nonsense filters are ignored rather than failing the page.
    expect((await admin.agent.get('/admin/users?role=king&status=x&page=-3')).status).toBe(200)
  })

  it('pages through long lists, keeping the filters', async () => {
    const m = await buildMunicipality(t.db)
    await t.db
      .insertInto('users')
      .values(Array.from({ length: 55 }, (_, i) => ({ municipality_id: m.id, email: `viele-${i}@example.de`, name: `Viele ${String(i).padStart(2, '0')}` })))
      .execute()
    const first = await admin.agent.get(`/admin/users?municipality=${m.id}`)
    expect(first.text).toContain('Gefundene Konten: 55 – Seite 1 von 2')
    expect(first.text).toContain('Viele 49')
    expect(first.text).not.toContain('Viele 50')
    expect(relLink(first.text, 'next')).toBe(`/admin/users?municipality=${m.id}&page=2`)
    const second = await admin.agent.get(relLink(first.text, 'next')!)
    expect(second.text).toContain('Viele 54')
    expect(second.text).not.toContain('Viele 49')
    expect(relLink(second.text, 'prev')).toBe(`/admin/users?municipality=${m.id}`)
  })
})

describe('changing a role', () => {
  it('ends the sessions of the person, who then signs in under a new session id with the new role', async () => {
    const target = await signedIn(t, 'member')
    const oldSid = (await t.db.selectFrom('sessions').select('sid').where('user_id', '=', target.user.id).executeTakeFirstOrThrow()).sid

    const res = await post(admin.agent, `/admin/users/${target.user.id}/role`, {
      role: 'municipality_admin',
      municipality_id: String(target.user.municipality_id),
    })
    expect(res.status).toBe(303)
    expect((await admin.agent.get(res.headers.location!)).text).toContain('Die Rolle wurde geändert.')
    expect(await isSignedIn(target.agent)).toBe(false)
    expect((await userRow(target.user.id)).role).toBe('municipality_admin')

    await login(target.agent, target.user.email, target.user.password)
    const sessions = await t.db.selectFrom('sessions').select('sid').where('user_id', '=', target.user.id).execute()
    expect(sessions).toHaveLength(1)
    expect(sessions[0]!.sid).not.toBe(oldSid)
    expect((await target.agent.get('/colleagues')).status).toBe(200)

    const [entry] = await auditOf('user.role_changed', target.user.id)
    expect(entry).toMatchObject({ actor_id: admin.user.id, municipality_id: target.user.municipality_id })
    expect(entry!.details).toMatchObject({ from: 'member', to: 'municipality_admin' })
  })

  it('makes a member association staff without a municipality', async () => {
    const target = await buildUser(t.db)
    expect((await post(admin.agent, `/admin/users/${target.id}/role`, { role: 'staff', municipality_id: String(target.municipality_id) })).status).toBe(303)
    expect(await userRow(target.id)).toMatchObject({ role: 'staff', municipality_id: null, active: true, email: target.email })
  })

  it('requires a municipality for members and municipality contacts', async () => {
    const staff = await buildUser(t.db, { role: 'staff' })
    const res = await post(admin.agent, `/admin/users/${staff.id}/role`, { role: 'member', municipality_id: '' })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/<p class="field-error" id="f-municipality_id-error">[\s\S]*?Mitglieder und Ansprechpersonen brauchen eine Kommune/)
    expect(res.text).toMatch(/<option value="member" selected>/)
    expect((await userRow(staff.id)).role).toBe('staff')
  })

  it('refuses to move an active account into a deactivated municipality', async () => {
    const closed = await buildMunicipality(t.db, { active: false })
    const target = await buildUser(t.db)
    const res = await post(admin.agent, `/admin/users/${target.id}/role`, { role: 'member', municipality_id: String(closed.id) })
    expect(res.status).toBe(422)
    expect(res.text).toContain('Die Kommune ist deaktiviert.')
    expect((await userRow(target.id)).municipality_id).toBe(target.municipality_id)
  })

  it('does not let an admin demote or deactivate themselves', async () => {
    const demote = await post(admin.agent, `/admin/users/${admin.user.id}/role`, { role: 'staff', municipality_id: '' })
    expect(demote.status).toBe(409)
    expect(demote.text).toContain('Ihr eigenes Konto können Sie weder deaktivieren noch herabstufen.')
    const deactivate = await post(admin.agent, `/admin/users/${admin.user.id}/deactivate`)
    expect(deactivate.status).toBe(409)
    expect(await userRow(admin.user.id)).toMatchObject({ role: 'admin', active: true })
    expect(await isSignedIn(admin.agent)).toBe(true)
  })

  it('lets one admin demote another while a second admin remains', async () => {
    const other = await signedIn(t, 'admin')
    const res = await post(admin.agent, `/admin/users/${other.user.id}/role`, { role: 'staff', municipality_id: '' })
    expect(res.status).toBe(303)
    expect((await userRow(other.user.id)).role).toBe('staff')
    expect(await isSignedIn(other.agent)).toBe(false)
  })
})

describe('the last active admin', () => {
  it('can be neither demoted nor deactivated', () => {
    const lastAdmin = { id: 2, role: 'admin' as const, active: true }
    // Acting on someone else (a race, or an admin acting through a stale page) is refused too.
    expect(refusalToChange(1, lastAdmin, { deactivate: true }, 1)).toBe('users.refused.lastAdmin')
    expect(refusalToChange(1, lastAdmin, { newRole: 'staff' }, 1)).toBe('users.refused.lastAdmin')
    expect(refusalToChange(1, lastAdmin, { newRole: 'admin' }, 1)).toBeNull()
    expect(refusalToChange(1, lastAdmin, { deactivate: true }, 2)).toBeNull()
    expect(refusalToChange(1, { ...lastAdmin, role: 'staff' }, { deactivate: true }, 1)).toBeNull()
  })

  it('stays an active admin when the only admin tries to step down', async () => {
    const solo = await createTestApp({ DEMO: 'true' })
    try {
      const only = await buildUser(solo.db, { role: 'admin' })
      const agent = solo.agent()
      await login(agent, only.email, only.password)
      const res = await submitForm(agent, '/admin', `/admin/users/${only.id}/role`, { role: 'member', municipality_id: String((await buildMunicipality(solo.db)).id) })
      expect(res.status).toBe(409)
      const row = await solo.db.selectFrom('users').select(['role', 'active']).where('id', '=', only.id).executeTakeFirstOrThrow()
      expect(row).toEqual({ role: 'admin', active: true })
    } finally {
      await solo.close()
    }
  })
})

describe('deactivating and reactivating an account', () => {
  it('ends all sessions of the account and records who did it', async () => {
    const target = await signedIn(t, 'member')
    const secondBrowser = t.agent()
    await login(secondBrowser, target.user.email, target.user.password)

    const res = await post(admin.agent, `/admin/users/${target.user.id}/deactivate`)
    expect(res.status).toBe(303)
    expect(await isSignedIn(target.agent)).toBe(false)
    expect(await isSignedIn(secondBrowser)).toBe(false)
    expect(await t.db.selectFrom('sessions').select('sid').where('user_id', '=', target.user.id).execute()).toHaveLength(0)
    const row = await userRow(target.user.id)
    expect(row.active).toBe(false)
    expect(row.deactivated_at).toEqual(t.clock.now())
    const [entry] = await auditOf('user.deactivated', target.user.id)
    expect(entry).toMatchObject({ actor_id: admin.user.id, details: { role: 'member' } })

    expect((await post(admin.agent, `/admin/users/${target.user.id}/reactivate`)).status).toBe(303)
    expect(await userRow(target.user.id)).toMatchObject({ active: true, deactivated_at: null })
    expect(await auditOf('user.reactivated', target.user.id)).toHaveLength(1)
  })

  it('refuses a smuggled field instead of acting on it', async () => {
    const target = await buildUser(t.db)
    const res = await post(admin.agent, `/admin/users/${target.id}/deactivate`, { role: 'admin' })
    expect(res.status).toBe(400)
    expect(await userRow(target.id)).toMatchObject({ active: true, role: 'member' })
  })

  it('answers 404 for an account that does not exist', async () => {
    expect((await admin.agent.get('/admin/users/999999')).status).toBe(404)
    expect((await post(admin.agent, '/admin/users/999999/deactivate')).status).toBe(404)
  })
})
