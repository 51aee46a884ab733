import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { buildInvitation, GOOD_PASSWORD, hiddenFields, invitePath } from './invitations.helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

/** A municipality admin of a fresh municipality, signed in, plus a neighbouring municipality. */
async function townAdmin() {
  const town = await buildMunicipality(t.db, { name: `Heimstadt ${Math.random().toString(36).slice(2, 6)}` })
  const neighbour = await buildMunicipality(t.db)
  const user = await buildUser(t.db, { role: 'municipality_admin', municipality_id: town.id })
  const agent = t.agent()
  await login(agent, user.email, user.password)
  return { town, neighbour, user, agent }
}

const invitationsTo = (email: string) => t.db.selectFrom('invitations').selectAll().where('email', '=', email).execute()

describe('who may open the invitations', () => {
  it('refuses members and staff with 403', async () => {
    for (const role of ['member', 'staff'] as const) {
      const user = await buildUser(t.db, { role })
      const agent = t.agent()
      await login(agent, user.email, user.password)
      for (const path of ['/invitations', '/invitations/new', '/invitations/bulk']) {
        const res = await agent.get(path)
        expect(res.status, `${role} ${path}`).toBe(403)
      }
    }
  })

  it('sends anonymous visitors to the login', async () => {
    const res = await t.agent().get('/invitations')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login?next=%2Finvitations')
  })
})

describe('a municipality admin', () => {
  it('sees only invitations of their own municipality, whatever the filter says', async () => {
    const { town, neighbour, agent } = await townAdmin()
    const own = await buildInvitation(t.db, { municipality_id: town.id })
    const foreign = await buildInvitation(t.db, { municipality_id: neighbour.id })
    const staffInvite = await buildInvitation(t.db, { municipality_id: null, role: 'staff' })
    for (const path of ['/invitations', `/invitations?municipality=${neighbour.id}`]) {
      const res = await agent.get(path)
      expect(res.status).toBe(200)
      expect(res.text).toContain(own.email)
      expect(res.text).not.toContain(foreign.email)
      expect(res.text).not.toContain(staffInvite.email)
    }
  })

  it('gets 404 when resending or revoking another municipality’s invitation, which stays untouched', async () => {
    const { neighbour, agent } = await townAdmin()
    const foreign = await buildInvitation(t.db, { municipality_id: neighbour.id })
    const resend = await submitForm(agent, '/invitations', `/invitations/${foreign.id}/resend`, {})
    expect(resend.status).toBe(404)
    const revoke = await submitForm(agent, '/invitations', `/invitations/${foreign.id}/revoke`, {})
    expect(revoke.status).toBe(404)
    const [row] = await invitationsTo(foreign.email)
    expect(row).toMatchObject({ token_hash: foreign.token_hash, revoked_at: null })
    expect(t.smtp.to(foreign.email)).toHaveLength(0)
    expect((await t.agent().get(foreign.path)).status).toBe(200)
  })

  it('can revoke and resend invitations of their own municipality', async () => {
    const { town, agent } = await townAdmin()
    const own = await buildInvitation(t.db, { municipality_id: town.id })
    expect((await submitForm(agent, '/invitations', `/invitations/${own.id}/resend`, {})).status).toBe(303)
    expect(t.smtp.to(own.email)).toHaveLength(1)
    expect((await submitForm(agent, '/invitations', `/invitations/${own.id}/revoke`, {})).status).toBe(303)
    const [row] = await invitationsTo(own.email)
    expect(row!.revoked_at).not.toBeNull()
  })

  it('invites into their own municipality even when another municipality_id is smuggled in', async () => {
    const { town, neighbour, agent } = await townAdmin()
    const form = await agent.get('/invitations/new')
    expect(form.text).not.toContain('name="municipality_id"')
    expect(form.text).toContain(town.name)
    const res = await submitForm(agent, '/invitations/new', '/invitations/new', {
      email: 'kollegin@heimstadt.de',
      role: 'member',
      municipality_id: String(neighbour.id),
      locale: 'de',
    })
    expect(res.status).toBe(303)
    const [row] = await invitationsTo('kollegin@heimstadt.de')
    expect(row!.municipality_id).toBe(town.id)
    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('kollegin@heimstadt.de'))
    expect(mail.text).toContain(`Mitglied für ${town.name}`)
  })

  it('cannot invite staff or admins', async () => {
    const { agent } = await townAdmin()
    const form = await agent.get('/invitations/new')
    expect(form.text).not.toContain('value="staff"')
    expect(form.text).not.toContain('value="admin"')
    for (const role of ['staff', 'admin']) {
      const res = await submitForm(agent, '/invitations/new', '/invitations/new', { email: `chef-${role}@example.de`, role, locale: 'de' })
      expect(res.status).toBe(422)
      expect(res.text).toContain('Diese Rolle dürfen Sie nicht vergeben.')
      expect(await invitationsTo(`chef-${role}@example.de`)).toHaveLength(0)
    }
  })

  it('cannot take over an imported account of another municipality', async () => {
    const { neighbour, agent } = await townAdmin()
    const imported = await buildUser(t.db, { municipality_id: neighbour.id, password_hash: null })
    const res = await submitForm(agent, '/invitations/new', '/invitations/new', { email: imported.email, role: 'member', locale: 'de' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('bereits einer anderen Kommune zugeordnet')
  })
})

describe('inviting colleagues from a CSV file', () => {
  it('previews every row with its problem, sends nothing, then sends only the valid rows', async () => {
    const { town, neighbour, agent } = await townAdmin()
    const colleague = await buildUser(t.db, { municipality_id: town.id })
    await buildInvitation(t.db, { municipality_id: town.id, email: 'schon-eingeladen@heimstadt.de' })
    // As German Excel saves it: BOM, semicolons, CRLF, a header row.
    const csv =
      '\uFEFFName;E-Mail;Rolle\r\n' +
      'Anna Amsel;Anna.Amsel@Heimstadt.de;Mitglied\r\n' +
      'Bernd Bussard;bernd.bussard@heimstadt.de;Ansprechperson der Kommune\r\n' +
      'Carla Cousine;carla-at-heimstadt.de;Mitglied\r\n' +
      'Doris Dompfaff;doris@heimstadt.de;Geschäftsstelle\r\n' +
      'Anna nochmal;anna.amsel@heimstadt.de;\r\n' +
      `Vorhanden;${colleague.email};Mitglied\r\n` +
      'Eingeladen;schon-eingeladen@heimstadt.de;Mitglied\r\n' +
      'Fritz Fink;fritz@heimstadt.de;Oberbürgermeister\r\n'
    const token = await csrfFrom(agent, '/invitations/bulk')
    const preview = await agent
      .post('/invitations/bulk/preview')
      .field('_csrf', token)
      .field('csv', '')
      .field('locale', 'de')
      .attach('file', Buffer.from(csv, 'utf8'), { filename: 'kollegium.csv', contentType: 'text/csv' })
    expect(preview.status).toBe(200)
    const row = (email: string) => preview.text.match(new RegExp(`<td>${email.replace(/[.]/g, '\\.')}</td>[\\s\\S]*?</tr>`))?.[0] ?? ''
    expect(preview.text).toContain('2 von 8 Zeilen können eingeladen werden. Noch wurde nichts versendet.')
    expect(row('Anna.Amsel@Heimstadt.de')).toContain('OK')
    expect(row('bernd.bussard@heimstadt.de')).toContain('OK')
    expect(row('carla-at-heimstadt.de')).toContain('Ungültige E-Mail-Adresse')
    expect(row('doris@heimstadt.de')).toContain('Diese Rolle dürfen Sie nicht vergeben.')
    expect(row('anna.amsel@heimstadt.de')).toContain('Doppelt in der Datei')
    expect(row(colleague.email)).toContain('Für diese E-Mail-Adresse gibt es bereits ein Konto.')
    expect(row('schon-eingeladen@heimstadt.de')).toContain('bereits eine Einladung')
    expect(row('fritz@heimstadt.de')).toContain('Unbekannte Rolle')
    expect(preview.text).toContain('<th scope="row">2</th>') // line numbers as in the file
    expect(await invitationsTo('anna.amsel@heimstadt.de')).toHaveLength(0)
    expect(t.smtp.to('anna.amsel@heimstadt.de')).toHaveLength(0)

    // The preview's form carries the rows; a smuggled municipality changes nothing.
    const fields = hiddenFields(preview.text, '/invitations/bulk/send')
    const sent = await agent
      .post('/invitations/bulk/send')
      .type('form')
      .send({ ...fields, municipality_id: String(neighbour.id) })
    expect(sent.status).toBe(303)
    expect(sent.headers.location).toBe('/invitations')
    expect((await agent.get('/invitations')).text).toContain('2 Einladungen versendet.')

    for (const email of ['anna.amsel@heimstadt.de', 'bernd.bussard@heimstadt.de']) {
      expect(t.smtp.to(email)).toHaveLength(1)
      const [invitation] = await invitationsTo(email)
      expect(invitation!.municipality_id).toBe(town.id)
    }
    expect((await invitationsTo('bernd.bussard@heimstadt.de'))[0]!.role).toBe('municipality_admin')
    expect(t.smtp.to('anna.amsel@heimstadt.de')[0]!.text).toContain(`Mitglied für ${town.name}`)
    for (const email of ['carla-at-heimstadt.de', 'doris@heimstadt.de', 'fritz@heimstadt.de', colleague.email]) {
      expect(t.smtp.to(email)).toHaveLength(0)
    }
    expect(t.smtp.to('schon-eingeladen@heimstadt.de')).toHaveLength(0)

    // And the mailed link works for the colleague.
    const path = invitePath(t.smtp.to('anna.amsel@heimstadt.de')[0]!)
    const invitee = t.agent()
    const accepted = await submitForm(invitee, path, path, {
      name: 'Anna Amsel',
      position: '',
      password: GOOD_PASSWORD,
      password_confirm: GOOD_PASSWORD,
    })
    expect(accepted.status).toBe(303)
    const user = await t.db.selectFrom('users').selectAll().where('email', '=', 'anna.amsel@heimstadt.de').executeTakeFirstOrThrow()
    expect(user).toMatchObject({ role: 'member', municipality_id: town.id })
  })

  it('accepts pasted CSV text with commas and no header', async () => {
    const { agent } = await townAdmin()
    const res = await submitForm(agent, '/invitations/bulk', '/invitations/bulk/preview', {
      csv: 'Gerda Gans,gerda@heimstadt.de,member\nHans Huhn,hans@heimstadt.de,',
      locale: 'de',
    })
    expect(res.status).toBe(200)
    expect(res.text).toContain('2 von 2 Zeilen können eingeladen werden.')
  })

  it('refuses more than 500 rows or no data at all, keeping the text', async () => {
    const { agent } = await townAdmin()
    const many = Array.from({ length: 501 }, (_, i) => `P ${i};p${i}@heimstadt.de;Mitglied`).join('\n')
    const tooMany = await submitForm(agent, '/invitations/bulk', '/invitations/bulk/preview', { csv: many, locale: 'de' })
    expect(tooMany.status).toBe(422)
    expect(tooMany.text).toContain('mehr als 500 Zeilen')
    expect(tooMany.text).toContain('P 500;p500@heimstadt.de;Mitglied')
    const empty = await submitForm(agent, '/invitations/bulk', '/invitations/bulk/preview', { csv: '', locale: 'de' })
    expect(empty.status).toBe(422)
    expect(empty.text).toContain('Bitte wählen Sie eine CSV-Datei aus oder fügen Sie CSV-Text ein.')
  })
})
