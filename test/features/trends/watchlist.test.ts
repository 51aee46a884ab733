import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eraseUser } from '../../../src/features/privacy/erasure.service.ts'
import { breadthText } from '../../../src/features/trends/watchlist.service.ts'
import { buildUser } from '../../factories.ts'
import { csrfFrom, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { dashboardWithPlantedTrend, type SignedIn } from './history.ts'

type Agent = ReturnType<TestApp['agent']>

let t: TestApp
let agents: SignedIn['agents']
let staffUser: SignedIn['users']['staff']

beforeAll(async () => {
  ;({ t, agents, users: { staff: staffUser } } = await dashboardWithPlantedTrend('Beobachtung'))
})
afterAll(() => t?.close())

const add = (agent: Agent, term: string) => submitForm(agent, '/dashboard/watchlist', '/dashboard/watchlist', { term })
const termIds = async () => (await t.db.selectFrom('trend_watch_terms').select(['id', 'term']).orderBy('id').execute())

/** The error text shown at the term field, if any. */
function fieldError(html: string): string | undefined {
  return /<p class="field-error" id="f-term-error">(.*?)<\/p>/s.exec(html)?.[1]?.replace(/<[^>]+>/g, '').trim()
}

describe('watchlist page', () => {
  it('is linked from the dashboard', async () => {
    expect((await agents.staff.get('/dashboard')).text).toContain('href="/dashboard/watchlist"')
  })

  it('members and municipality admins get 403 on every watchlist URL; strangers are sent to sign in', async () => {
    expect((await add(agents.staff, 'Wärmepumpe')).status).toBe(303)
    const { id } = (await termIds()).at(-1)!
    const posts = ['/dashboard/watchlist', `/dashboard/watchlist/${id}/delete`]
    for (const role of ['member', 'municipality_admin'] as const) {
      expect((await agents[role].get('/dashboard/watchlist')).status).toBe(403)
      // With a valid CSRF token, so the refusal is the access rule, not the token check.
      const token = await csrfFrom(agents[role], '/')
      for (const url of posts) expect((await agents[role].post(url).type('form').send({ _csrf: token, term: 'Schulbus' })).status, url).toBe(403)
    }
    expect((await agents.anonymous.get('/dashboard/watchlist').redirects(0)).headers.location).toMatch(/^\/login/)
    for (const url of posts) expect((await agents.anonymous.post(url).type('form').send({ term: 'Schulbus' }).redirects(0)).status).toBeGreaterThanOrEqual(300)
    expect((await termIds()).map((r) => r.term)).toEqual(['Wärmepumpe'])
    expect((await agents.admin.get('/dashboard/watchlist')).status).toBe(200)
  })

  it('staff add a term and see it with who added it and when; the audit log records it', async () => {
    const res = await add(agents.staff, '  Bezahlkarten  ')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/dashboard/watchlist')
    const page = await agents.staff.get('/dashboard/watchlist')
    expect(page.text).toContain('„Bezahlkarten“ wird jetzt beobachtet.')
    expect(page.text).toMatch(/<th scope="row">Bezahlkarten<\/th>/)
    expect(page.text).toContain('staff Beobachtung')
    expect(page.text).toContain('Kein Trend')
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'trend_watch.added').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(entry.actor_id).toBe(staffUser.id)
    expect(entry.details).toEqual({ term: 'Bezahlkarten' })
  })

  it('refuses another form of a watched word, empty input, too long input and only filler words, in German at the field, input kept', async () => {
    const cases: [string, RegExp][] = [
      ['Bezahlkarte', /wird schon beobachtet/],
      ['   ', /Bitte geben Sie einen Begriff ein/],
      ['Wohnraum'.repeat(8), /zu lang/],
      ['Hallo liebe Kollegen, viele Grüße', /Füll- oder Grußwörtern/],
    ]
    for (const [term, message] of cases) {
      const res = await add(agents.staff, term)
      expect(res.status, term).toBe(422)
      expect(fieldError(res.text), term).toMatch(message)
      expect(res.text).toMatch(/id="f-term"[^>]*aria-invalid="true"/)
      if (term.trim()) expect(res.text).toContain(`value="${term.replace(/\s+/g, ' ').trim()}"`)
    }
    expect((await termIds()).filter((r) => /bezahlkarte/i.test(r.term))).toHaveLength(1)
  })

  it('shows a watched term that is part of a significant trend with its breadth and a link to the drill-down', async () => {
    await add(agents.staff, 'Stromsperren')
    const page = await agents.staff.get('/dashboard/watchlist')
    const row = /<th scope="row">Stromsperren<\/th>(.*?)<\/tr>/s.exec(page.text)?.[1] ?? ''
    expect(row).toContain('Signifikanter Trend')
    expect(row).toContain('10 Kommunen in 6 Landkreisen')
    expect(row).toContain('noch keine')
    const link = /href="(\/dashboard\/terms\/[^"]+)"/.exec(row)?.[1]
    expect(link).toMatch(/^\/dashboard\/terms\/[a-zäöüß]+$/)
    // The drill-down of the theme the watched word is part of.
    const drill = await agents.staff.get(link!)
    expect(drill.status).toBe(200)
    expect(drill.text).toContain('Mehrere Familien haben eine Stromsperre')
    expect((await agents.staff.get('/dashboard')).text).toContain(`href="${link}"`)
  })

  it('speaks English on request', async () => {
    const english = await buildUser(t.db, { role: 'staff', locale: 'en' })
    const agent = t.agent()
    await login(agent, english.email, english.password)
    const en = await agent.get('/dashboard/watchlist')
    expect(en.text).toContain('Watchlist: terms that trigger an email')
    expect(en.text).toContain('10 municipalities in 6 districts')
    const refused = await submitForm(agent, '/dashboard/watchlist', '/dashboard/watchlist', { term: '' })
    expect(fieldError(refused.text)).toMatch(/Please enter a term/)
  })

  it('removes a term; the audit log records who removed it', async () => {
    const { id } = (await termIds()).find((r) => r.term === 'Bezahlkarten')!
    const token = await csrfFrom(agents.admin, '/dashboard/watchlist')
    const res = await agents.admin.post(`/dashboard/watchlist/${id}/delete`).type('form').send({ _csrf: token })
    expect(res.status).toBe(303)
    const page = await agents.admin.get('/dashboard/watchlist')
    expect(page.text).toContain('„Bezahlkarten“ wird nicht mehr beobachtet.')
    expect(page.text).not.toMatch(/<th scope="row">Bezahlkarten<\/th>/)
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'trend_watch.removed').executeTakeFirstOrThrow()
    expect(entry.target_id).toBe(id)
    expect(entry.details).toEqual({ term: 'Bezahlkarten' })
    // Gone is gone: a second removal, or one without a token, changes nothing.
    expect((await agents.admin.post(`/dashboard/watchlist/${id}/delete`).type('form').send({ _csrf: token })).status).toBe(404)
    expect((await agents.admin.post('/dashboard/watchlist/abc/delete').type('form').send({ _csrf: token })).status).toBe(404)
    const { id: other } = (await termIds())[0]!
    expect((await agents.admin.post(`/dashboard/watchlist/${other}/delete`).type('form').send({})).status).toBe(403)
    expect((await termIds()).some((r) => r.id === other)).toBe(true)
  })

  it('keeps the terms of a staff member whose account was erased, shown as a former member', async () => {
    const leaver = await buildUser(t.db, { role: 'staff', name: 'Lea Weggang' })
    const agent = t.agent()
    await login(agent, leaver.email, leaver.password)
    expect((await add(agent, 'Schulbegleitung')).status).toBe(303)
    expect(await eraseUser(t.db, { userId: leaver.id, actorId: leaver.id, deletePosts: false, now: t.clock.now(), dataDir: t.config.dataDir })).toBe('done')
    const page = await agents.staff.get('/dashboard/watchlist')
    const row = /<th scope="row">Schulbegleitung<\/th>(.*?)<\/tr>/s.exec(page.text)?.[1] ?? ''
    expect(row).toContain('Ehemaliges Mitglied')
    expect(page.text).not.toContain('Lea Weggang')
  })
})

describe('breadth of a trend in words', () => {
  it('gives each number its own singular', () => {
    expect(breadthText('de', 10, 6)).toBe('10 Kommunen in 6 Landkreisen')
    expect(breadthText('de', 4, 1)).toBe('4 Kommunen in 1 Landkreis')
    expect(breadthText('de', 1, 1)).toBe('1 Kommune in 1 Landkreis')
    expect(breadthText('en', 3, 1)).toBe('3 municipalities in 1 district')
    expect(breadthText('en', 1, 2)).toBe('1 municipality in 2 districts')
  })
})
