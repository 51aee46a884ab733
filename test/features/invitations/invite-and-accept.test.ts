import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { DAY } from '../../../src/lib/clock.ts'
import { hashToken } from '../../../src/lib/tokens.ts'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { buildInvitation, GOOD_PASSWORD, invitePath } from './invitations.helpers.ts'

// Admins must set up 2FA before anything else when DEMO=false, and signing in with 2FA goes through
// /login/2fa. Demo mode does not force the setup, so these tests sign admins in with password only.
let t: TestApp
const START = new Date('2026-03-02T08:00:00Z')
beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
})
afterEach(() => t.clock.set(START))
afterAll(() => t.close())

async function signedInAdmin() {
  const admin = await buildUser(t.db, { role: 'admin' })
  const agent = t.agent()
  await login(agent, admin.email, admin.password)
  return { admin, agent }
}

const acceptFields = (overrides: Record<string, string> = {}) => ({
  name: 'Nora Neumann',
  position: 'Bürgermeisterin',
  password: GOOD_PASSWORD,
  password_confirm: GOOD_PASSWORD,
  ...overrides,
})

const usersWithEmail = (email: string) =>
  t.db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email)).execute()

describe('an admin invites a municipality admin', () => {
  it('mails a link that creates the account with role and municipality from the invitation and signs in', async () => {
    const town = await buildMunicipality(t.db, { name: 'Wolfenbüttel' })
    const { admin, agent } = await signedInAdmin()

    const form = await agent.get(`/invitations/new?municipality=${town.id}`)
    expect(form.status).toBe(200)
    expect(form.text).toContain(`<option value="${town.id}" selected>`)

    const sent = await submitForm(agent, '/invitations/new', '/invitations/new', {
      email: '  Nora.Neumann@Wolfenbuettel.DE ',
      name: 'Nora Neumann',
      role: 'municipality_admin',
      municipality_id: String(town.id),
      locale: 'de',
    })
    expect(sent.status).toBe(303)
    expect(sent.headers.location).toBe('/invitations')
    const list = await agent.get('/invitations')
    expect(list.text).toContain('Die Einladung wurde versendet.')
    expect(list.text).toContain('nora.neumann@wolfenbuettel.de')
    expect(list.text).toContain('badge--pending')

    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('nora.neumann@wolfenbuettel.de'))
    expect(mail.subject).toBe('Einladung in das Kommunalforum')
    expect(mail.text).toContain(admin.name)
    expect(mail.text).toContain('Ansprechperson der Kommune für Wolfenbüttel')
    expect(mail.text).toContain('16.03.2026') // 14 days after 02.03.2026
    expect(mail.html).toContain('Einladung annehmen')
    const path = invitePath(mail)

    // Only the hash of the token is stored.
    const stored = await t.db.selectFrom('invitations').selectAll().where('email', '=', 'nora.neumann@wolfenbuettel.de').executeTakeFirstOrThrow()
    const token = path.split('/').pop()!
    expect(stored.token_hash).toBe(hashToken(token))
    expect(JSON.stringify(stored)).not.toContain(token)

    const invitee = t.agent()
    const page = await invitee.get(path)
    expect(page.status).toBe(200)
    expect(page.text).toContain('value="nora.neumann@wolfenbuettel.de" readonly')
    expect(page.text).toContain('value="Nora Neumann"')
    expect(page.text).toContain('Mindestens 8 Zeichen')

    const accepted = await submitForm(invitee, path, path, acceptFields())
    expect(accepted.status).toBe(303)
    expect(accepted.headers.location).toBe('/')
    const home = await invitee.get('/')
    expect(home.status).toBe(200)
    expect(home.text).toContain('Willkommen im Kommunalforum!')
    expect(home.text).toContain('Nora Neumann')

    const [user] = await usersWithEmail('nora.neumann@wolfenbuettel.de')
    expect(user).toMatchObject({ role: 'municipality_admin', municipality_id: town.id, position: 'Bürgermeisterin', locale: 'de' })
    const used = await t.db.selectFrom('invitations').selectAll().where('id', '=', stored.id).executeTakeFirstOrThrow()
    expect(used.used_at).not.toBeNull()
    expect(used.user_id).toBe(user!.id)

    const actions = await t.db.selectFrom('audit_log').selectAll().where('target_id', '=', stored.id).orderBy('id').execute()
    expect(actions.map((a) => a.action)).toEqual(['invitation.created', 'invitation.accepted'])
    expect(actions[0]).toMatchObject({ actor_id: admin.id, municipality_id: town.id })
    expect(actions[0]!.details).toMatchObject({ invitationId: stored.id, role: 'municipality_admin' })
    for (const a of actions) expect(JSON.stringify(a.details)).not.toContain('@')

    // The new account signs in with its password; the link is spent.
    await login(t.agent(), 'nora.neumann@wolfenbuettel.de', GOOD_PASSWORD)
    const again = await t.agent().get(path)
    expect(again.status).toBe(410)
    expect(again.text).toContain('bereits angenommen')
  })

  it('writes the mail in English when asked to', async () => {
    const town = await buildMunicipality(t.db)
    const { agent } = await signedInAdmin()
    await submitForm(agent, '/invitations/new', '/invitations/new', {
      email: 'guest@example.org',
      role: 'member',
      municipality_id: String(town.id),
      locale: 'en',
    })
    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('guest@example.org'))
    expect(mail.subject).toBe('Invitation to Kommunalforum')
    expect(mail.text).toContain(`Member for ${town.name}`)
    const page = await t.agent().get(invitePath(mail))
    expect(page.text).toContain('<html lang="en">')
  })

  it('gives staff invitations no municipality, even if one was chosen', async () => {
    const town = await buildMunicipality(t.db)
    const { agent } = await signedInAdmin()
    const res = await submitForm(agent, '/invitations/new', '/invitations/new', {
      email: 'staff-neu@verband.de',
      role: 'staff',
      municipality_id: String(town.id),
      locale: 'de',
    })
    expect(res.status).toBe(303)
    const row = await t.db.selectFrom('invitations').selectAll().where('email', '=', 'staff-neu@verband.de').executeTakeFirstOrThrow()
    expect(row).toMatchObject({ role: 'staff', municipality_id: null })
    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('staff-neu@verband.de'))
    expect(mail.text).toContain('Geschäftsstelle beim Verband')
  })
})

describe('the invitation form', () => {
  it('explains each problem next to its field in German and keeps the values (422)', async () => {
    const town = await buildMunicipality(t.db)
    const existing = await buildUser(t.db, { municipality_id: town.id })
    const { agent } = await signedInAdmin()
    const post = (fields: Record<string, string>) =>
      submitForm(agent, '/invitations/new', '/invitations/new', { role: 'member', municipality_id: String(town.id), locale: 'de', ...fields })

    const invalid = await post({ email: 'kein-at-zeichen', name: 'Erika' })
    expect(invalid.status).toBe(422)
    expect(invalid.text).toMatch(/id="f-email-error"[^>]*>.*gültige E-Mail-Adresse/)
    expect(invalid.text).toContain('value="kein-at-zeichen"')
    expect(invalid.text).toContain('value="Erika"')

    const taken = await post({ email: existing.email.toUpperCase() })
    expect(taken.status).toBe(422)
    expect(taken.text).toContain('Für diese E-Mail-Adresse gibt es bereits ein Konto.')

    const noTown = await post({ email: 'ohne-kommune@example.de', municipality_id: '' })
    expect(noTown.status).toBe(422)
    expect(noTown.text).toMatch(/id="f-municipality_id-error"[^>]*>.*Bitte wählen Sie die Kommune aus/)

    expect((await post({ email: 'doppelt@example.de' })).status).toBe(303)
    const twice = await post({ email: 'Doppelt@example.de' })
    expect(twice.status).toBe(422)
    expect(twice.text).toContain('bereits eine Einladung, die noch gültig ist')
    const pending = await t.db.selectFrom('invitations').select('id').where('email', '=', 'doppelt@example.de').executeTakeFirstOrThrow()
    expect(twice.text).toContain(`action="/invitations/${pending.id}/resend"`)

    const rows = await t.db.selectFrom('invitations').select('id').where('email', 'in', ['kein-at-zeichen', 'ohne-kommune@example.de']).execute()
    expect(rows).toHaveLength(0)
  })

  it('invites an imported user (no password yet) and takes over their row on acceptance', async () => {
    const town = await buildMunicipality(t.db)
    const imported = await buildUser(t.db, { municipality_id: town.id, password_hash: null, name: 'Importierte Person' })
    const { agent } = await signedInAdmin()
    const res = await submitForm(agent, '/invitations/new', '/invitations/new', {
      email: imported.email,
      role: 'member',
      municipality_id: String(town.id),
      locale: 'de',
    })
    expect(res.status).toBe(303)
    const path = invitePath(await t.smtp.waitFor((m) => m.envelopeTo.includes(imported.email)))
    const invitee = t.agent()
    expect((await invitee.get(path)).text).toContain('value="Importierte Person"')
    const accepted = await submitForm(invitee, path, path, acceptFields({ name: 'Importierte Person' }))
    expect(accepted.status).toBe(303)
    const rows = await usersWithEmail(imported.email)
    expect(rows).toHaveLength(1)
    expect(rows[0]!.id).toBe(imported.id)
    expect(rows[0]!.password_hash).not.toBeNull()
    expect(rows[0]!.position).toBe('Bürgermeisterin')
  })
})

describe('an admin inviting from CSV', () => {
  it('applies the chosen municipality to municipality roles and none to staff', async () => {
    const town = await buildMunicipality(t.db, { name: 'Salzgitter' })
    const { agent } = await signedInAdmin()
    const upload = await agent.get('/invitations/bulk')
    expect(upload.text).toContain(`<option value="${town.id}">Salzgitter (`)
    const csv = 'name,email,role\nMia Meise,mia@salzgitter.de,member\nSven Specht,sven@verband.de,staff\n'
    const preview = await submitForm(agent, '/invitations/bulk', '/invitations/bulk/preview', {
      csv,
      municipality_id: String(town.id),
      locale: 'de',
    })
    expect(preview.text).toContain('2 von 2 Zeilen können eingeladen werden.')
    expect(preview.text).toContain('Kommune: Salzgitter')
    const sent = await submitForm(agent, '/invitations/bulk', '/invitations/bulk/send', { csv, municipality_id: String(town.id), locale: 'de' })
    expect(sent.status).toBe(303)
    const rows = await t.db.selectFrom('invitations').select(['email', 'municipality_id']).where('email', 'in', ['mia@salzgitter.de', 'sven@verband.de']).orderBy('email').execute()
    expect(rows).toEqual([
      { email: 'mia@salzgitter.de', municipality_id: town.id },
      { email: 'sven@verband.de', municipality_id: null },
    ])

    const withoutTown = await submitForm(agent, '/invitations/bulk', '/invitations/bulk/preview', {
      csv: 'Ida Igel;ida@irgendwo.de;Mitglied',
      municipality_id: '',
      locale: 'de',
    })
    expect(withoutTown.text).toContain('0 von 1 Zeilen können eingeladen werden.')
    expect(withoutTown.text).toContain('Bitte wählen Sie die Kommune aus')
    expect(withoutTown.text).not.toContain('action="/invitations/bulk/send"')
  })
})

describe('accepting an invitation', () => {
  it('changes nothing on GET: mail scanners may open the link any number of times', async () => {
    const town = await buildMunicipality(t.db)
    const invitation = await buildInvitation(t.db, { municipality_id: town.id })
    for (let i = 0; i < 3; i++) expect((await t.agent().get(invitation.path)).status).toBe(200)
    const after = await t.db.selectFrom('invitations').selectAll().where('id', '=', invitation.id).executeTakeFirstOrThrow()
    expect(after.used_at).toBeNull()
    expect(after.user_id).toBeNull()
    expect(await usersWithEmail(invitation.email)).toHaveLength(0)
    const invitee = t.agent()
    expect((await submitForm(invitee, invitation.path, invitation.path, acceptFields())).status).toBe(303)
  })

  it('rejects smuggled role, municipality or email fields and creates nothing', async () => {
    const town = await buildMunicipality(t.db)
    const other = await buildMunicipality(t.db)
    const invitation = await buildInvitation(t.db, { municipality_id: town.id })
    const smuggling: Record<string, string>[] = [{ role: 'admin' }, { municipality_id: String(other.id) }, { email: 'boss@evil.example' }]
    for (const smuggled of smuggling) {
      const res = await submitForm(t.agent(), invitation.path, invitation.path, acceptFields(smuggled))
      expect(res.status).toBe(422)
      expect(res.text).toContain('Das Formular enthielt unerwartete Felder.')
    }
    expect(await usersWithEmail(invitation.email)).toHaveLength(0)
    expect(await usersWithEmail('boss@evil.example')).toHaveLength(0)
    const row = await t.db.selectFrom('invitations').select('used_at').where('id', '=', invitation.id).executeTakeFirstOrThrow()
    expect(row.used_at).toBeNull()
  })

  it('checks the password: not the email or municipality, confirmation must match', async () => {
    const town = await buildMunicipality(t.db, { name: 'Samtgemeinde Elm-Asse' })
    const invitation = await buildInvitation(t.db, { municipality_id: town.id, email: 'kaemmerer@elm-asse.de' })
    const agent = t.agent()
    const personal = await submitForm(agent, invitation.path, invitation.path, acceptFields({ password: 'kaemmerer@elm-asse.de', password_confirm: 'kaemmerer@elm-asse.de' }))
    expect(personal.status).toBe(422)
    expect(personal.text).toContain('Das Passwort darf nicht Ihre E-Mail-Adresse')
    expect(personal.text).toContain('value="Nora Neumann"')
    expect(personal.text).toContain('name="password" type="password" value=""') // a password is never sent back
    const mismatch = await submitForm(agent, invitation.path, invitation.path, acceptFields({ password_confirm: 'etwas ganz anderes 123' }))
    expect(mismatch.status).toBe(422)
    expect(mismatch.text).toContain('Die beiden Passwörter stimmen nicht überein.')
    expect(await usersWithEmail(invitation.email)).toHaveLength(0)
  })

  it('answers an unknown link with 404 and an expired one with 410, creating nothing', async () => {
    const unknown = await t.agent().get('/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect(unknown.status).toBe(404)
    expect(unknown.text).toContain('Diesen Einladungslink gibt es nicht.')

    const town = await buildMunicipality(t.db)
    const invitation = await buildInvitation(t.db, { municipality_id: town.id })
    t.clock.advance(15 * DAY)
    const page = await t.agent().get(invitation.path)
    expect(page.status).toBe(410)
    expect(page.text).toContain('Dieser Einladungslink ist abgelaufen.')
    const post = await submitForm(t.agent(), invitation.path, invitation.path, acceptFields())
    expect(post.status).toBe(410)
    expect(await usersWithEmail(invitation.email)).toHaveLength(0)
  })

  it('lets exactly one of two simultaneous redemptions win', async () => {
    const town = await buildMunicipality(t.db)
    const invitation = await buildInvitation(t.db, { municipality_id: town.id })
    const [a, b] = [t.agent(), t.agent()]
    const tokens = await Promise.all(
      [a, b].map(async (agent) => (await agent.get(invitation.path)).text.match(/name="_csrf" value="([^"]+)"/)![1]!),
    )
    const results = await Promise.all(
      [a, b].map((agent, i) => agent.post(invitation.path).type('form').send({ _csrf: tokens[i]!, ...acceptFields() })),
    )
    expect(results.map((r) => r.status).sort()).toEqual([303, 410])
    expect(results.find((r) => r.status === 410)!.text).toContain('bereits angenommen')
    const users = await usersWithEmail(invitation.email)
    expect(users).toHaveLength(1)
    const row = await t.db.selectFrom('invitations').select('user_id').where('id', '=', invitation.id).executeTakeFirstOrThrow()
    expect(row.user_id).toBe(users[0]!.id)
    const accepted = await t.db.selectFrom('audit_log').select('id').where('action', '=', 'invitation.accepted').where('target_id', '=', invitation.id).execute()
    expect(accepted).toHaveLength(1)
  })
})

describe('resending and revoking', () => {
  it('resend makes the old link invalid and the new one valid for another 14 days', async () => {
    const town = await buildMunicipality(t.db)
    const { admin, agent } = await signedInAdmin()
    await submitForm(agent, '/invitations/new', '/invitations/new', {
      email: 'spaeter@example.de',
      role: 'member',
      municipality_id: String(town.id),
      locale: 'de',
    })
    const oldPath = invitePath(await t.smtp.waitFor((m) => m.envelopeTo.includes('spaeter@example.de')))
    const row = await t.db.selectFrom('invitations').select('id').where('email', '=', 'spaeter@example.de').executeTakeFirstOrThrow()

    t.clock.advance(10 * DAY)
    const fresh = t.agent()
    await login(fresh, admin.email, admin.password) // ten days later the first session has long timed out
    t.smtp.clear()
    const resent = await submitForm(fresh, '/invitations', `/invitations/${row.id}/resend`, {})
    expect(resent.status).toBe(303)
    expect((await fresh.get('/invitations')).text).toContain('erneut versendet')
    const newPath = invitePath(await t.smtp.waitFor((m) => m.envelopeTo.includes('spaeter@example.de')))
    expect(newPath).not.toBe(oldPath)
    expect((await t.agent().get(oldPath)).status).toBe(404)

    t.clock.advance(10 * DAY) // 20 days after the first mail, 10 after the second
    const page = await t.agent().get(newPath)
    expect(page.status).toBe(200)
    const audit = await t.db.selectFrom('audit_log').select('action').where('target_id', '=', row.id).orderBy('id').execute()
    expect(audit.map((a) => a.action)).toEqual(['invitation.created', 'invitation.resent'])
  })

  it('revoking makes the link answer 410', async () => {
    const town = await buildMunicipality(t.db)
    const { agent } = await signedInAdmin()
    const invitation = await buildInvitation(t.db, { municipality_id: town.id })
    const res = await submitForm(agent, '/invitations', `/invitations/${invitation.id}/revoke`, {})
    expect(res.status).toBe(303)
    const list = await agent.get(`/invitations?municipality=${town.id}&state=revoked`)
    expect(list.text).toContain(invitation.email)
    expect(list.text).toContain('zurückgezogen')
    const page = await t.agent().get(invitation.path)
    expect(page.status).toBe(410)
    expect(page.text).toContain('zurückgezogen')
    const post = await submitForm(t.agent(), '/login', invitation.path, acceptFields())
    expect(post.status).toBe(410)
    expect(await usersWithEmail(invitation.email)).toHaveLength(0)
    // A revoked invitation cannot be sent again.
    expect((await submitForm(agent, '/invitations', `/invitations/${invitation.id}/resend`, {})).status).toBe(409)
  })

  it('filters the list by municipality and state', async () => {
    const [a, b] = [await buildMunicipality(t.db), await buildMunicipality(t.db)]
    const inA = await buildInvitation(t.db, { municipality_id: a.id })
    const inB = await buildInvitation(t.db, { municipality_id: b.id })
    const { agent } = await signedInAdmin()
    const all = await agent.get('/invitations')
    expect(all.text).toContain(inA.email)
    expect(all.text).toContain(inB.email)
    const onlyA = await agent.get(`/invitations?municipality=${a.id}`)
    expect(onlyA.text).toContain(inA.email)
    expect(onlyA.text).not.toContain(inB.email)
    expect(onlyA.text).toContain(`href="/invitations/new?municipality&#x3D;${a.id}"`) // Handlebars escapes "="
    const accepted = await agent.get(`/invitations?municipality=${a.id}&state=accepted`)
    expect(accepted.text).not.toContain(inA.email)
    expect(accepted.text).toContain('Keine Einladung entspricht dem Filter.')
  })
})
