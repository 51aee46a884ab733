import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMunicipality, buildUser, PASSWORD } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { totpCode } from '../../helpers/browser.ts'
import { buildThread } from '../../factories.ts'

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

describe('closing an account', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ DEMO: 'true' })
  })
  afterAll(() => t?.close())

  it('asks for the choice, the confirmation and the password, then erases and signs out', async () => {
    const member = await buildUser(t.db, { name: 'Paul Plan' })
    const agent = t.agent()
    await login(agent, member.email, PASSWORD)
    const page = await agent.get('/account/close')
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('id="f-code"')

    const empty = await submitForm(agent, '/account/close', '/account/close', {})
    expect(empty.status).toBe(422)
    expect(empty.text).toContain('id="f-posts-error"')
    expect(empty.text).toContain('id="f-confirm-error"')

    const wrong = await submitForm(agent, '/account/close', '/account/close', { posts: 'keep', confirm: 'yes', password: 'falsch' })
    expect(wrong.status).toBe(422)
    expect(wrong.text).toContain('id="f-password-error"')
    // The choice survives a failed attempt.
    expect(wrong.text).toMatch(/id="f-posts-keep"[^>]* checked/)

    const smuggled = await submitForm(agent, '/account/close', '/account/close', { posts: 'keep', confirm: 'yes', password: PASSWORD, user_id: '1' })
    expect(smuggled.status).toBe(422)
    expect((await t.db.selectFrom('users').select('erased_at').where('id', '=', member.id).executeTakeFirstOrThrow()).erased_at).toBeNull()

    const done = await submitForm(agent, '/account/close', '/account/close', { posts: 'keep', confirm: 'yes', password: PASSWORD })
    expect(done.status).toBe(303)
    expect(done.headers.location).toBe('/login')
    const after = await agent.get('/login')
    expect(after.text).toContain('Ihr Konto wurde geschlossen')
    expect((await agent.get('/account')).status).toBe(303)
    expect((await t.db.selectFrom('users').select('erased_at').where('id', '=', member.id).executeTakeFirstOrThrow()).erased_at).not.toBeNull()
  })

  it('asks for the second factor when one is set', async () => {
    const member = await buildUser(t.db, { totp_secret: SECRET, totp_enabled_at: t.clock.now() })
    const agent = t.agent()
    await submitForm(agent, '/login', '/login', { email: member.email, password: PASSWORD })
    t.clock.advance(30_000)
    const second = await submitForm(agent, '/login/2fa', '/login/2fa', { code: totpCode(SECRET, t.clock.now()) })
    expect(second.status).toBe(303)
    expect((await agent.get('/account/close')).text).toContain('id="f-code"')

    const withoutCode = await submitForm(agent, '/account/close', '/account/close', { posts: 'delete', confirm: 'yes', password: PASSWORD, code: '' })
    expect(withoutCode.status).toBe(422)
    expect(withoutCode.text).toContain('id="f-code-error"')
    t.clock.advance(30_000)
    const done = await submitForm(agent, '/account/close', '/account/close', { posts: 'delete', confirm: 'yes', password: PASSWORD, code: totpCode(SECRET, t.clock.now()) })
    expect(done.status).toBe(303)
    const row = await t.db.selectFrom('users').select(['erased_at', 'totp_secret']).where('id', '=', member.id).executeTakeFirstOrThrow()
    expect(row.erased_at).not.toBeNull()
    expect(row.totp_secret).toBeNull()
  })

  it('lets an admin erase an account after a confirmation; the colleagues page shows that someone left', async () => {
    const town = await buildMunicipality(t.db, { name: 'Weilerbach' })
    const admin = await buildUser(t.db, { role: 'admin' })
    const contact = await buildUser(t.db, { role: 'municipality_admin', municipality_id: town.id })
    const leaver = await buildUser(t.db, { municipality_id: town.id, name: 'Lena Leaver' })
    const { thread } = await buildThread(t.db, { author: leaver, body: 'Unser Vorgehen' })
    const adminAgent = t.agent()
    await login(adminAgent, admin.email, PASSWORD)

    expect((await adminAgent.get(`/admin/users/${leaver.id}/erase`)).status).toBe(200)
    expect((await adminAgent.get(`/admin/users/${admin.id}/erase`)).status).toBe(403)
    const unconfirmed = await submitForm(adminAgent, `/admin/users/${leaver.id}/erase`, `/admin/users/${leaver.id}/erase`, { posts: 'keep' })
    expect(unconfirmed.status).toBe(422)
    const done = await submitForm(adminAgent, `/admin/users/${leaver.id}/erase`, `/admin/users/${leaver.id}/erase`, { posts: 'keep', confirm: 'yes' })
    expect(done.status).toBe(303)
    expect((await adminAgent.get(`/admin/users/${leaver.id}/erase`)).status).toBe(404)
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.erased').where('target_id', '=', leaver.id).executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ actor_id: admin.id, target_type: 'user', municipality_id: town.id, details: { by: 'admin', posts_deleted: false } })
    // The erased account cannot be brought back.
    const reactivate = await submitForm(adminAgent, `/admin/users/${leaver.id}`, `/admin/users/${leaver.id}/reactivate`, {})
    expect(reactivate.status).toBe(404)

    const contactAgent = t.agent()
    await login(contactAgent, contact.email, PASSWORD)
    const colleagues = await contactAgent.get('/colleagues')
    expect(colleagues.text).toContain('Ausgeschieden')
    expect(colleagues.text).not.toContain('Lena Leaver')
    expect(colleagues.text).not.toContain('geloescht.invalid')

    // A member who is not an admin cannot erase anyone.
    const memberAgent = t.agent()
    await login(memberAgent, (await buildUser(t.db)).email, PASSWORD)
    expect((await submitForm(memberAgent, '/account', `/admin/users/${contact.id}/erase`, { posts: 'keep', confirm: 'yes' })).status).toBe(403)

    // In English, the post reads "Former member (Weilerbach)".
    const reader = t.agent()
    const readerUser = await buildUser(t.db, { locale: 'en' })
    await login(reader, readerUser.email, PASSWORD)
    await submitForm(reader, '/', '/language', { lang: 'en', next: '/' })
    const en = await reader.get(`/threads/${thread.id}`)
    expect(en.text).toContain('Former member (Weilerbach)')
  })
})
