import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, type TestApp } from '../../helpers/app.ts'
import { isSignedIn, post, signedIn } from './helpers.ts'

let t: TestApp
let contact: Awaited<ReturnType<typeof signedIn>>
let ownMunicipalityId: number

beforeAll(async () => {
  t = await createTestApp()
  const m = await buildMunicipality(t.db, { name: 'Eigenstadt' })
  ownMunicipalityId = m.id
  contact = await signedIn(t, 'municipality_admin', { municipality_id: m.id, name: 'Klara Kontakt' })
})
afterAll(() => t.close())

const isActive = async (id: number) =>
  (await t.db.selectFrom('users').select('active').where('id', '=', id).executeTakeFirstOrThrow()).active

describe('colleagues of a municipality contact', () => {
  it('lists only the accounts of their own municipality, with invitation link', async () => {
    await buildUser(t.db, { municipality_id: ownMunicipalityId, name: 'Bernd Kollege' })
    await buildUser(t.db, { name: 'Fritz Fremd' })
    const res = await contact.agent.get('/colleagues')
    expect(res.status).toBe(200)
    expect(res.text).toContain('Bernd Kollege')
    expect(res.text).toContain('Klara Kontakt')
    expect(res.text).not.toContain('Fritz Fremd')
    expect(res.text).toContain('href="/invitations"')
  })

  it('deactivates a colleague, who is signed out at once', async () => {
    const colleague = await signedIn(t, 'member', { municipality_id: ownMunicipalityId })
    const res = await post(contact.agent, `/colleagues/${colleague.user.id}/deactivate`)
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/colleagues')
    expect((await contact.agent.get('/colleagues')).text).toContain('Das Konto wurde deaktiviert und abgemeldet.')
    expect(await isActive(colleague.user.id)).toBe(false)
    expect(await isSignedIn(colleague.agent)).toBe(false)
    const entry = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.deactivated')
      .where('target_id', '=', colleague.user.id)
      .executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ actor_id: contact.user.id, municipality_id: ownMunicipalityId })

    expect((await post(contact.agent, `/colleagues/${colleague.user.id}/reactivate`)).status).toBe(303)
    expect(await isActive(colleague.user.id)).toBe(true)
  })

  it('cannot reach a user of another municipality (404), who stays active and signed in', async () => {
    const stranger = await signedIn(t, 'member')
    const res = await post(contact.agent, `/colleagues/${stranger.user.id}/deactivate`)
    expect(res.status).toBe(404)
    expect(await isActive(stranger.user.id)).toBe(true)
    expect(await isSignedIn(stranger.agent)).toBe(true)

    const inactiveStranger = await buildUser(t.db, { active: false })
    expect((await post(contact.agent, `/colleagues/${inactiveStranger.id}/reactivate`)).status).toBe(404)
    expect(await isActive(inactiveStranger.id)).toBe(false)
  })

  it('cannot widen their scope by posting a municipality_id', async () => {
    const stranger = await buildUser(t.db)
    const smuggled = await post(contact.agent, `/colleagues/${stranger.id}/deactivate`, {
      municipality_id: String(stranger.municipality_id),
    })
    expect(smuggled.status).toBe(400)
    expect(smuggled.text).toContain('Das Formular enthielt unerwartete Felder.')
    expect(await isActive(stranger.id)).toBe(true)

    // Nor does the field do anything on their own colleague's account.
    const colleague = await buildUser(t.db, { municipality_id: ownMunicipalityId })
    expect((await post(contact.agent, `/colleagues/${colleague.id}/deactivate`, { municipality_id: String(ownMunicipalityId) })).status).toBe(400)
    expect(await isActive(colleague.id)).toBe(true)
  })

  it('cannot deactivate themselves', async () => {
    const res = await post(contact.agent, `/colleagues/${contact.user.id}/deactivate`)
    expect(res.status).toBe(409)
    expect(res.text).toContain('Ihr eigenes Konto können Sie weder deaktivieren noch herabstufen.')
    expect(await isActive(contact.user.id)).toBe(true)
    expect(await isSignedIn(contact.agent)).toBe(true)
  })

  it('cannot touch a staff or admin account attached to their municipality', async () => {
    // Odd but possible after an import: the contact manages members and contacts only.
    const admin = await buildUser(t.db, { role: 'admin', municipality_id: ownMunicipalityId, name: 'Adam Admin' })
    expect((await contact.agent.get('/colleagues')).text).not.toContain('Adam Admin')
    expect((await post(contact.agent, `/colleagues/${admin.id}/deactivate`)).status).toBe(404)
    expect(await isActive(admin.id)).toBe(true)
  })
})
