import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUser } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'

// DEMO: staff/admin are not forced through 2FA setup in demo mode (the 2FA feature is built separately).
let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
})
afterAll(() => t.close())

async function signedInAdmin() {
  const admin = await buildUser(t.db, { role: 'admin' })
  const agent = t.agent()
  await login(agent, admin.email, admin.password)
  return { admin, agent }
}

describe('legal pages', () => {
  it.each([
    ['/datenschutz', 'Datenschutzerklärung', ['Art. 13', 'Art. 6 Abs. 1 lit. e', '7 Tagen', 'Art. 21', 'Landesbeauftragte für den Datenschutz Niedersachsen']],
    ['/impressum', 'Impressum', ['§ 5 Digitale-Dienste-Gesetz', 'Vertreten durch', '[bitte ergänzen]']],
    ['/barrierefreiheit', 'Erklärung zur Barrierefreiheit', ['BITV 2.0', 'teilweise barrierefrei', 'Schlichtungsstelle', 'Landesbeauftragte für Menschen mit Behinderungen Niedersachsen']],
  ])('shows %s without a session, with defaults and a date', async (path, title, phrases) => {
    const res = await t.agent().get(path)
    expect(res.status).toBe(200)
    expect(res.text).toContain(`<title>${title} – Kommunalforum</title>`)
    expect(res.text).toContain(`<h1>${title}</h1>`)
    expect(res.text).toMatch(/Stand: \d{2}\.\d{2}\.\d{4}/)
    for (const phrase of phrases) expect(res.text).toContain(phrase)
    expect(res.text.match(/<h1[ >]/g)).toHaveLength(1)
  })

  it('marks the German text for English readers', async () => {
    const res = await t.agent().get('/impressum').set('Accept-Language', 'en')
    expect(res.text).toContain('This page is available in German only.')
    expect(res.text).toContain('<article lang="de">')
  })

  it('keeps non-admins out of the editor', async () => {
    expect((await t.agent().get('/admin/pages')).headers.location).toBe('/login?next=%2Fadmin%2Fpages')
    const member = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, member.email, member.password)
    expect((await agent.get('/admin/pages')).status).toBe(403)
    expect((await agent.get('/admin/pages/impressum')).status).toBe(403)
  })

  it('lists the pages for admins and answers 404 for an unknown slug', async () => {
    const { agent } = await signedInAdmin()
    const list = await agent.get('/admin/pages')
    expect(list.status).toBe(200)
    for (const slug of ['datenschutz', 'impressum', 'barrierefreiheit']) expect(list.text).toContain(`href="/admin/pages/${slug}"`)
    expect((await agent.get('/admin/pages/agb')).status).toBe(404)
    expect((await agent.get('/agb')).status).toBe(404)
  })

  it('previews without saving, then saves, audits and shows the new text and date', async () => {
    const { admin, agent } = await signedInAdmin()
    const body = '## Anbieter\n\nGemeindebund **Musterland** e. V.\n\n<script>alert(1)</script> [x](javascript:alert(1))'
    const preview = await submitForm(agent, '/admin/pages/impressum', '/admin/pages/impressum', {
      title: 'Impressum',
      body,
      action: 'preview',
    })
    expect(preview.status).toBe(200)
    expect(preview.text).toContain('<h2>Anbieter</h2>')
    expect(preview.text).toContain('<strong>Musterland</strong>')
    expect(preview.text).not.toContain('<script>alert')
    expect(preview.text).not.toContain('href="javascript:')
    // The form keeps what was typed.
    expect(preview.text).toContain('Gemeindebund **Musterland** e. V.')
    expect((await t.agent().get('/impressum')).text).not.toContain('Musterland')

    // The test clock stands at 2 March 2026; the defaults carry the date of the migration.
    expect((await t.agent().get('/impressum')).text).not.toContain('Stand: 02.03.2026')
    const save = await submitForm(agent, '/admin/pages/impressum', '/admin/pages/impressum', { title: 'Impressum', body, action: 'save' })
    expect(save.status).toBe(303)
    expect(save.headers.location).toBe('/admin/pages')
    expect((await agent.get('/admin/pages')).text).toContain('Die Seite wurde gespeichert.')

    const page = await t.agent().get('/impressum')
    expect(page.text).toContain('<strong>Musterland</strong>')
    expect(page.text).toContain('Stand: 02.03.2026')
    expect(page.text).not.toContain('<script>alert')

    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'site_page.updated').executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(admin.id)
    expect(entry.details).toEqual({ slug: 'impressum' })
  })

  it('re-renders the form with errors for an empty body or an unknown field', async () => {
    const { agent } = await signedInAdmin()
    const empty = await submitForm(agent, '/admin/pages/datenschutz', '/admin/pages/datenschutz', { title: 'Datenschutz', body: '  ' })
    expect(empty.status).toBe(422)
    expect(empty.text).toContain('id="f-body-error"')
    expect(empty.text).toContain('value="Datenschutz"')
    const smuggled = await submitForm(agent, '/admin/pages/datenschutz', '/admin/pages/datenschutz', {
      title: 'Datenschutz',
      body: 'x',
      updated_by: '1',
    })
    expect(smuggled.status).toBe(422)
    const row = await t.db.selectFrom('site_pages').select('body').where('slug', '=', 'datenschutz').executeTakeFirstOrThrow()
    expect(row.body).toContain('Art. 13')
  })
})
