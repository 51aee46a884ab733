import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, submitForm, type TestApp } from '../../helpers/app.ts'
import { isSignedIn, post, signedIn } from './helpers.ts'

let t: TestApp
let admin: Awaited<ReturnType<typeof signedIn>>

beforeAll(async () => {
  // Demo mode: admins need no second factor here (2FA enforcement is tested in access.test.ts).
  t = await createTestApp({ DEMO: 'true' })
  admin = await signedIn(t, 'admin')
})
afterAll(() => t.close())

const fieldError = (html: string, field: string) =>
  html.match(new RegExp(`<p class="field-error" id="f-${field}-error">([\\s\\S]*?)</p>`))?.[1]?.replace(/<[^>]+>/g, '')

describe('creating a municipality', () => {
  it('adds a municipality and shows it in the list with its details', async () => {
    const res = await submitForm(admin.agent, '/admin/municipalities/new', '/admin/municipalities/new', {
      name: 'Wolfenbüttel',
      kind: 'Stadt',
      district: 'Landkreis Wolfenbüttel',
      ags: '03158037',
    })
    expect(res.status).toBe(303)
    const page = await admin.agent.get(res.headers.location!)
    expect(page.text).toContain('Die Kommune wurde angelegt.')
    expect(page.text).toContain('<h1>Wolfenbüttel</h1>')
    expect(page.text).toContain('03158037')
    const list = await admin.agent.get('/admin/municipalities?q=wolfen')
    expect(list.text).toContain('Wolfenbüttel')
    expect(list.text).toContain('Landkreis Wolfenbüttel')
    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'municipality.created').execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.actor_id).toBe(admin.user.id)
  })

  it('explains a malformed AGS at the field, in German, and keeps what was typed', async () => {
    const res = await submitForm(admin.agent, '/admin/municipalities/new', '/admin/municipalities/new', {
      name: 'Salzgitter',
      kind: 'Stadt',
      district: 'Kreisfreie Stadt',
      ags: '0310200',
    })
    expect(res.status).toBe(422)
    expect(fieldError(res.text, 'ags')).toContain('genau 8 Ziffern')
    expect(res.text).toMatch(/id="f-ags"[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*f-ags-error/)
    expect(res.text).toContain('value="Salzgitter"')
    expect(res.text).toContain('value="Kreisfreie Stadt"')
    expect(res.text).toContain('value="0310200"')
    expect(res.text).toMatch(/<option value="Stadt" selected>/)
    expect(await t.db.selectFrom('municipalities').select('id').where('name', '=', 'Salzgitter').execute()).toHaveLength(0)
  })

  it('names every missing field', async () => {
    const res = await submitForm(admin.agent, '/admin/municipalities/new', '/admin/municipalities/new', {
      name: ' ',
      kind: '',
      district: '',
      ags: '',
    })
    expect(res.status).toBe(422)
    expect(fieldError(res.text, 'name')).toContain('Bitte geben Sie den Namen der Kommune an.')
    expect(fieldError(res.text, 'kind')).toContain('Bitte wählen Sie die Art der Kommune.')
    expect(fieldError(res.text, 'district')).toContain('Bitte geben Sie den Landkreis oder die Region an.')
    expect(fieldError(res.text, 'ags')).toBeUndefined()
  })

  it('refuses the same name in the same district, and an AGS that is taken', async () => {
    await buildMunicipality(t.db, { name: 'Bad Harzburg', district: 'Landkreis Goslar', ags: '03153002' })
    const sameName = await submitForm(admin.agent, '/admin/municipalities/new', '/admin/municipalities/new', {
      name: 'bad harzburg',
      kind: 'Stadt',
      district: 'Landkreis Goslar',
      ags: '',
    })
    expect(sameName.status).toBe(422)
    expect(fieldError(sameName.text, 'name')).toContain('bereits eine Kommune mit diesem Namen')

    const sameAgs = await submitForm(admin.agent, '/admin/municipalities/new', '/admin/municipalities/new', {
      name: 'Braunlage',
      kind: 'Stadt',
      district: 'Landkreis Goslar',
      ags: '03153002',
    })
    expect(sameAgs.status).toBe(422)
    expect(fieldError(sameAgs.text, 'ags')).toContain('gehört bereits zu einer anderen Kommune')
    expect(sameAgs.text).toContain('value="Braunlage"')

    // The same name in another district is a different municipality.
    const elsewhere = await submitForm(admin.agent, '/admin/municipalities/new', '/admin/municipalities/new', {
      name: 'Bad Harzburg',
      kind: 'Stadt',
      district: 'Landkreis Nirgendwo',
      ags: '',
    })
    expect(elsewhere.status).toBe(303)
  })

  it('refuses fields the form does not have', async () => {
    const res = await submitForm(admin.agent, '/admin/municipalities/new', '/admin/municipalities/new', {
      name: 'Schmuggelhausen',
      kind: 'Gemeinde',
      district: 'Landkreis Test',
      active: 'false',
    })
    expect(res.status).toBe(422)
    expect(res.text).toContain('Das Formular enthielt unerwartete Felder.')
  })

  it('offers existing districts as suggestions', async () => {
    await buildMunicipality(t.db, { district: 'Region Hannover' })
    const res = await admin.agent.get('/admin/municipalities/new')
    expect(res.text).toMatch(/<input id="f-district"[^>]* list="district-suggestions"/)
    expect(res.text).toContain('<option value="Region Hannover"></option>')
  })
})

describe('editing a municipality', () => {
  it('saves changes and refuses an AGS that belongs to another municipality', async () => {
    await buildMunicipality(t.db, { ags: '03151009' })
    const m = await buildMunicipality(t.db, { name: 'Altname' })
    const form = await admin.agent.get(`/admin/municipalities/${m.id}/edit`)
    expect(form.text).toContain('value="Altname"')

    const clash = await submitForm(admin.agent, `/admin/municipalities/${m.id}/edit`, `/admin/municipalities/${m.id}/edit`, {
      name: 'Neuname',
      kind: 'Flecken',
      district: m.district,
      ags: '03151009',
    })
    expect(clash.status).toBe(422)
    expect(fieldError(clash.text, 'ags')).toContain('gehört bereits zu einer anderen Kommune')

    const ok = await submitForm(admin.agent, `/admin/municipalities/${m.id}/edit`, `/admin/municipalities/${m.id}/edit`, {
      name: 'Neuname',
      kind: 'Flecken',
      district: m.district,
      ags: '03 151 010',
    })
    expect(ok.status).toBe(303)
    const row = await t.db.selectFrom('municipalities').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ name: 'Neuname', kind: 'Flecken', ags: '03151010' })
    const entry = await t.db
      .selectFrom('audit_log')
      .select('details')
      .where('action', '=', 'municipality.updated')
      .where('target_id', '=', m.id)
      .executeTakeFirstOrThrow()
    expect(entry.details).toEqual({ changed: ['name', 'kind', 'ags'] })
  })

  it('answers 404 for a municipality that does not exist', async () => {
    expect((await admin.agent.get('/admin/municipalities/999999')).status).toBe(404)
    expect((await admin.agent.get('/admin/municipalities/abc')).status).toBe(404)
  })
})

describe('the details of a municipality', () => {
  it('lists its users and links to inviting a contact person', async () => {
    const m = await buildMunicipality(t.db)
    const user = await buildUser(t.db, { municipality_id: m.id, name: 'Erika Muster' })
    const res = await admin.agent.get(`/admin/municipalities/${m.id}`)
    expect(res.status).toBe(200)
    expect(res.text).toContain(`href="/admin/users/${user.id}">Erika Muster</a>`)
    expect(res.text).toContain(`href="/invitations/new?municipality=${m.id}&amp;role=municipality_admin">Ansprechperson einladen</a>`)
  })
})

describe('deactivating a municipality', () => {
  it('signs all its users out at once, and they cannot sign in again', async () => {
    const m = await buildMunicipality(t.db)
    const contact = await signedIn(t, 'municipality_admin', { municipality_id: m.id })
    const member = await signedIn(t, 'member', { municipality_id: m.id })
    const outsider = await signedIn(t, 'member')
    expect(await isSignedIn(member.agent)).toBe(true)

    const res = await post(admin.agent, `/admin/municipalities/${m.id}/deactivate`)
    expect(res.status).toBe(303)
    expect((await admin.agent.get(res.headers.location!)).text).toContain('Die Kommune und alle ihre Benutzerkonten wurden deaktiviert.')

    expect(await isSignedIn(contact.agent)).toBe(false)
    expect(await isSignedIn(member.agent)).toBe(false)
    expect(await isSignedIn(outsider.agent)).toBe(true)
    const again = await submitForm(t.agent(), '/login', '/login', { email: member.user.email, password: member.user.password })
    expect(again.status).toBe(422)

    const users = await t.db.selectFrom('users').select('active').where('municipality_id', '=', m.id).execute()
    expect(users.map((u) => u.active)).toEqual([false, false])
    const entry = await t.db
      .selectFrom('audit_log')
      .select(['actor_id', 'details'])
      .where('action', '=', 'municipality.deactivated')
      .where('target_id', '=', m.id)
      .executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(admin.user.id)
    expect((entry.details.deactivated_user_ids as number[]).sort()).toEqual([contact.user.id, member.user.id].sort())
  })

  it('reactivates the municipality only; its users come back one by one', async () => {
    const m = await buildMunicipality(t.db)
    const member = await buildUser(t.db, { municipality_id: m.id })
    await post(admin.agent, `/admin/municipalities/${m.id}/deactivate`)

    // While the municipality is deactivated, its users stay deactivated.
    const early = await post(admin.agent, `/admin/users/${member.id}/reactivate`)
    expect(early.status).toBe(409)
    expect(early.text).toContain('Die Kommune ist deaktiviert.')

    const res = await post(admin.agent, `/admin/municipalities/${m.id}/reactivate`)
    expect(res.status).toBe(303)
    const row = await t.db.selectFrom('municipalities').select(['active', 'deactivated_at']).where('id', '=', m.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ active: true, deactivated_at: null })
    const user = await t.db.selectFrom('users').select('active').where('id', '=', member.id).executeTakeFirstOrThrow()
    expect(user.active).toBe(false)

    expect((await post(admin.agent, `/admin/users/${member.id}/reactivate`)).status).toBe(303)
    const login = await submitForm(t.agent(), '/login', '/login', { email: member.email, password: member.password })
    expect(login.status).toBe(303)
  })
})
