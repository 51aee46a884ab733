import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMunicipality, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'

let t: TestApp
let agent: ReturnType<TestApp['agent']>
beforeAll(async () => {
  t = await createTestApp()
  const viewer = await buildUser(t.db)
  agent = t.agent()
  await login(agent, viewer.email, viewer.password)
})
afterAll(() => t.close())

/** The table rows of a page, one string each. */
const rowsOf = (html: string) => [...html.matchAll(/<tr>\s*<th scope="row">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!)

describe('member directory', () => {
  it('lists active members with position, municipality, district, role, email and handle; never deactivated ones', async () => {
    const m = await buildMunicipality(t.db, { name: 'Wolfenbüttel', kind: 'Stadt', district: 'Landkreis Verzeichnis' })
    await buildUser(t.db, { name: 'Erika Verzeichnis', municipality_id: m.id, email: 'e.verzeichnis@example.de' })
    await t.db.updateTable('users').set({ position: 'Bürgermeisterin' }).where('email', '=', 'e.verzeichnis@example.de').execute()
    await buildUser(t.db, { name: 'Dieter Deaktiviert', municipality_id: m.id, active: false })

    const res = await agent.get('/people?district=Landkreis%20Verzeichnis')
    expect(res.status).toBe(200)
    expect(res.text).toContain('<h1>Mitglieder</h1>')
    const rows = rowsOf(res.text)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toContain('Erika Verzeichnis')
    expect(rows[0]).toContain('Bürgermeisterin')
    expect(rows[0]).toContain(`<a href="/municipalities/${m.id}">Wolfenbüttel</a>`)
    expect(rows[0]).toContain('Landkreis Verzeichnis')
    expect(rows[0]).toContain('Mitglied')
    expect(rows[0]).toContain('<a href="mailto:e.verzeichnis@example.de">e.verzeichnis@example.de</a>')
    expect(rows[0]).toContain('@erika.verzeichnis')
    expect(res.text).not.toContain('Dieter Deaktiviert')
  })

  it('searches by name, municipality, district and position', async () => {
    const north = await buildMunicipality(t.db, { name: 'Nordheim Suche', district: 'Landkreis Nord Suche' })
    const south = await buildMunicipality(t.db, { name: 'Südheim Suche', district: 'Landkreis Süd Suche' })
    const anna = await buildUser(t.db, { name: 'Anna Sucheinmal', municipality_id: north.id })
    await t.db.updateTable('users').set({ position: 'Kämmerin' }).where('id', '=', anna.id).execute()
    await buildUser(t.db, { name: 'Bernd Suchezwei', municipality_id: south.id })
    const names = async (query: string) => rowsOf((await agent.get(`/people?${query}`)).text).map((r) => r.match(/^([^<]+)/)?.[1])

    expect(await names('q=sucheinmal')).toEqual(['Anna Sucheinmal'])
    expect(await names('municipality=S%C3%BCdheim')).toEqual(['Bernd Suchezwei'])
    expect(await names(`district=${encodeURIComponent('Landkreis Nord Suche')}`)).toEqual(['Anna Sucheinmal'])
    expect(await names('position=k%C3%A4mmer')).toEqual(['Anna Sucheinmal'])
    expect(await names('q=niemand-heisst-so')).toEqual([])
    expect((await agent.get('/people?q=niemand-heisst-so')).text).toContain('Keine Mitglieder gefunden.')
  })

  it('finds one person by handle: where a mention links to', async () => {
    await buildUser(t.db, { name: 'Hilde Handlich' })
    await buildUser(t.db, { name: 'Hildegard Handlich' })
    const names = rowsOf((await agent.get('/people?handle=hilde.handlich')).text).map((r) => r.match(/^([^<]+)/)?.[1])
    expect(names).toEqual(['Hilde Handlich'])
  })

  it('pages through many members, 50 a page', async () => {
    const m = await buildMunicipality(t.db, { district: 'Landkreis Viele' })
    for (let i = 0; i < 51; i++) await buildUser(t.db, { name: `Viele ${String(i).padStart(2, '0')}`, municipality_id: m.id })
    const first = await agent.get('/people?district=Landkreis%20Viele')
    expect(rowsOf(first.text)).toHaveLength(50)
    expect(first.text).toContain('51 Mitglieder – Seite 1 von 2')
    const next = first.text.match(/href="([^"]+)" rel="next"/)?.[1]?.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')
    expect(next).toBe('/people?district=Landkreis+Viele&page=2')
    const second = await agent.get(next!)
    expect(rowsOf(second.text)).toHaveLength(1)
    expect(second.text).toContain('Viele 50')
  })

  it('is linked from the navigation and closed to anonymous visitors', async () => {
    expect((await agent.get('/')).text).toContain('<a href="/people">Mitglieder</a>')
    const anonymous = await t.agent().get('/people')
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.location).toBe('/login?next=%2Fpeople')
  })
})

describe('mentions in posts', () => {
  it('link @handle of listed people to their directory entry; unknown, deactivated and code mentions stay text', async () => {
    const town = await buildMunicipality(t.db)
    const closed = await buildMunicipality(t.db, { active: false })
    await buildUser(t.db, { name: 'Marta Erwähnt', municipality_id: town.id })
    await buildUser(t.db, { name: 'Paul Passiv', active: false })
    await buildUser(t.db, { name: 'Gerd Geschlossen', municipality_id: closed.id })
    await buildUser(t.db, { name: 'Sabine Stab', role: 'staff' })
    const { thread } = await buildThread(t.db, {
      body: 'Fragen Sie @marta.erwaehnt, @sabine.stab, @paul.passiv, @gerd.geschlossen oder @gibt.es.nicht; nicht `@marta.erwaehnt`.',
    })
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.status).toBe(200)
    const links = [...page.text.matchAll(/<a href="(\/people\?handle=[^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => [m[1], m[2]])
    expect(links).toEqual([
      ['/people?handle=marta.erwaehnt', '@marta.erwaehnt'],
      ['/people?handle=sabine.stab', '@sabine.stab'],
    ])
    expect(page.text).toContain('@paul.passiv, @gerd.geschlossen oder @gibt.es.nicht')
    const entry = await agent.get(links[0]![0]!)
    expect(rowsOf(entry.text).map((r) => r.match(/^([^<]+)/)?.[1])).toEqual(['Marta Erwähnt'])
  })
})

describe('municipality page', () => {
  it('shows name, kind, district, AGS, active members and the latest threads', async () => {
    const m = await buildMunicipality(t.db, { name: 'Salzgitter Seite', kind: 'Stadt', district: 'Kreisfreie Stadt', ags: '03102000' })
    const mayor = await buildUser(t.db, { name: 'Sabine Seite', municipality_id: m.id, email: 's.seite@example.de' })
    await buildUser(t.db, { name: 'Otto Ohne', municipality_id: m.id, active: false })
    const { thread } = await buildThread(t.db, { author: mayor, title: 'Dolmetscher gesucht', forum: 'integration' })
    await buildThread(t.db, { title: 'Fremdes Thema' })

    const res = await agent.get(`/municipalities/${m.id}`)
    expect(res.status).toBe(200)
    expect(res.text).toContain('<title>Salzgitter Seite – Kommunalforum</title>')
    expect(res.text).toContain('<h1>Salzgitter Seite</h1>')
    expect(res.text).toContain('<dd>Stadt</dd>')
    expect(res.text).toContain('Kreisfreie Stadt</a></dd>')
    expect(res.text).toContain('<dd>03102000</dd>')
    expect(res.text).toContain('Sabine Seite')
    expect(res.text).toContain('<a href="mailto:s.seite@example.de">')
    expect(res.text).not.toContain('Otto Ohne')
    expect(res.text).toContain(`<a href="/threads/${thread.id}">Dolmetscher gesucht</a>`)
    expect(res.text).toContain('<a href="/forums/integration">Integration</a>')
    expect(res.text).toContain('01.03.2026')
    expect(res.text).not.toContain('Fremdes Thema')
  })

  it('answers 404 for a municipality that does not exist', async () => {
    expect((await agent.get('/municipalities/999999')).status).toBe(404)
    expect((await agent.get('/municipalities/abc')).status).toBe(404)
  })

  it('speaks English', async () => {
    const m = await buildMunicipality(t.db, { name: 'Englischdorf' })
    const en = await buildUser(t.db, { locale: 'en' })
    const enAgent = t.agent()
    await login(enAgent, en.email, en.password)
    const res = await enAgent.get(`/municipalities/${m.id}`)
    expect(res.text).toContain('<html lang="en">')
    expect(res.text).toContain('This municipality has not started a thread yet.')
    expect((await enAgent.get('/people')).text).toContain('<h1>People</h1>')
  })
})
