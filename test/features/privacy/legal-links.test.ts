import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUser, PASSWORD } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'

const LINKS = ['href="/datenschutz"', 'href="/impressum"', 'href="/barrierefreiheit"']

/** The privacy notice, the imprint and the accessibility statement are one click away from every page. */
describe('the legal pages are linked from every page', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ DEMO: 'true' })
  })
  afterAll(() => t?.close())

  it.each([
    ['sign-in', '/login', 200],
    ['forgotten password', '/password/forgot', 200],
    ['invitation acceptance with an unknown link', '/invite/unbekannt-unbekannt-unbekannt-unbekannt', 404],
    ['password reset with an unknown link', '/password/reset/unbekannt-unbekannt-unbekannt-unbekannt', 410],
    ['an unknown page', '/gibt-es-nicht', 404],
    ['the privacy notice itself', '/datenschutz', 200],
  ])('%s', async (_name, path, status) => {
    const res = await t.agent().get(path)
    expect(res.status).toBe(status)
    for (const link of LINKS) expect(res.text).toContain(link)
  })

  it('on signed-in pages and on the new privacy pages', async () => {
    const member = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, member.email, PASSWORD)
    for (const path of ['/', '/account', '/account/data', '/account/close', '/admin']) {
      const res = await agent.get(path)
      for (const link of LINKS) expect(res.text, path).toContain(link)
    }
  })

  it('tells, in the privacy notice, how long things are kept and where to export or close the account', async () => {
    const res = await t.agent().get('/datenschutz')
    for (const phrase of ['Art. 13', 'Datenschutzbeauftragte', 'Art. 6 Abs. 1', 'Empfänger', '7 Tagen', 'Datenauskünfte', '„Meine Daten“', 'Art. 77', 'Aufsichtsbehörde']) {
      expect(res.text).toContain(phrase)
    }
    const statement = await t.agent().get('/barrierefreiheit')
    for (const phrase of ['Stand der Vereinbarkeit', 'Nicht barrierefreie Inhalte', 'Barrieren melden', 'Zuletzt überprüft', 'Schlichtungsstelle']) {
      expect(statement.text).toContain(phrase)
    }
  })
})
