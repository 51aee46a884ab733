import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMunicipality, buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'

/**
 * The district view of the dashboard on a small planted history: three districts, one of them with a
 * slash in its name; posts in the last four weeks and the four before, a "betrifft uns auch" mark,
 * an open question, a deleted and a hidden post, a municipality that left the association.
 */

type Agent = ReturnType<TestApp['agent']>
const DAY = 86_400_000
const NOW = new Date('2026-03-02T08:00:00Z')
const ago = (days: number) => new Date(NOW.getTime() - days * DAY)

const NORTH = 'Landkreis Nordheide'
const SOUTH = 'Region Süd/Ost'
const ALPHA = 'Amt Alpha'
const url = (district: string) => `/dashboard/districts/${encodeURIComponent(district)}`

let t: TestApp
let staff: Agent
let member: Agent
let anonymous: Agent

/** Splits a CSV download into rows of fields (none of the planted values needs quoting). */
/** A page's HTML with the `=` that Handlebars escapes in attributes put back, to look for links. */
const links = (html: string) => html.replace(/&#x3D;/g, '=')
const csvRows = (text: string) => text.replace(/^\uFEFF/, '').trim().split('\r\n').map((r) => r.split(';'))

beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
  t.clock.set(NOW)
  const db = t.db
  const place = async (name: string, district: string) => {
    const m = await buildMunicipality(db, { name, district })
    const user = await buildUser(db, { municipality_id: m.id, name: `Person aus ${name}` })
    return { m, author: { id: user.id, municipality_id: m.id } }
  }
  const a = await place('Aachtal', NORTH)
  const b = await place('Birkenau', NORTH)
  const c = await place('Cranz', NORTH)
  const e = await place('Ebersdorf', NORTH)
  const d = await place('Dornach', SOUTH)
  await place('Alphadorf', ALPHA)

  // Ebersdorf left the association yesterday: a member as of three weeks ago, not now.
  await db.updateTable('municipalities').set({ active: false, deactivated_at: ago(1) }).where('id', '=', e.m.id).execute()

  // North, last four weeks: an open question (5 days old), a discussion with a reply, Cranz's mark.
  await buildThread(db, { author: a.author, kind: 'question', title: 'Wer hat Erfahrung mit Wohncontainern?', at: ago(5) })
  const talk = await buildThread(db, { author: b.author, kind: 'discussion', title: 'Sprachkurse im Frühjahr', at: ago(10) })
  await buildReply(db, talk.thread.id, { author: a.author, at: ago(9) })
  await db.insertInto('thread_concerns').values({ thread_id: talk.thread.id, municipality_id: c.m.id, user_id: null, created_at: ago(2) }).execute()
  // Neither a deleted nor a hidden post counts.
  const deleted = await buildReply(db, talk.thread.id, { author: a.author, at: ago(1) })
  await db.updateTable('posts').set({ deleted_at: ago(1) }).where('id', '=', deleted.id).execute()
  const hidden = await buildReply(db, talk.thread.id, { author: e.author, at: ago(3) })
  await db.updateTable('posts').set({ hidden_at: ago(2) }).where('id', '=', hidden.id).execute()
  // North, the four weeks before: one discussion.
  await buildThread(db, { author: b.author, kind: 'discussion', title: 'Ehrenamt koordinieren', at: ago(40) })
  // South: one thread five weeks ago, nothing since.
  await buildThread(db, { author: d.author, kind: 'discussion', title: 'Turnhalle belegt', at: ago(35) })

  const staffUser = await buildUser(db, { role: 'staff' })
  staff = t.agent()
  await login(staff, staffUser.email, staffUser.password)
  const memberUser = await buildUser(db, { role: 'member', municipality_id: a.m.id })
  member = t.agent()
  await login(member, memberUser.email, memberUser.password)
  anonymous = t.agent()
})
afterAll(() => t.close())

const newUrls = [
  '/dashboard/districts',
  '/dashboard/districts?sort=posts',
  '/dashboard/districts.csv',
  url(NORTH),
  ...['weeks.csv', 'municipalities.csv', 'trends.csv', 'unanswered.csv'].map((x) => `${url(NORTH)}/${x}`),
]

describe('district view', () => {
  it('is for staff only: members get 403 on every district URL, strangers are sent to sign in', async () => {
    for (const path of newUrls) {
      expect((await member.get(path)).status, path).toBe(403)
      const res = await anonymous.get(path).redirects(0)
      expect(res.status, path).toBe(303)
      expect((await staff.get(path)).status, path).toBe(200)
    }
  })

  it('counts members, active municipalities, threads, posts, the rise and open questions per district', async () => {
    const rows = csvRows((await staff.get('/dashboard/districts.csv')).text)
    expect(rows[0]).toEqual(['district', 'municipalities', 'active_municipalities', 'threads', 'threads_before', 'posts', 'posts_before', 'rise', 'open_questions', 'trends', 'url'])
    expect(rows.slice(1)).toEqual([
      [ALPHA, '1', '0', '0', '0', '0', '0', '', '0', '0', '/dashboard/districts/Amt%20Alpha'],
      [NORTH, '3', '3', '2', '1', '3', '1', '3', '1', '0', '/dashboard/districts/Landkreis%20Nordheide'],
      [SOUTH, '1', '0', '0', '1', '0', '1', '0', '0', '0', '/dashboard/districts/Region%20S%C3%BCd%2FOst'],
    ])
    const page = await staff.get('/dashboard/districts')
    expect(page.text).toContain(`href="${url(NORTH)}"`)
    expect(page.text).toMatch(/\+200 %/)
    expect(page.text).toMatch(/−100 %/)
  })

  it('sorts by the column asked for (server-side), by name otherwise or for an unknown column', async () => {
    const order = async (query: string) => csvRows((await staff.get(`/dashboard/districts.csv${query}`)).text).slice(1).map((r) => r[0])
    expect(await order('')).toEqual([ALPHA, NORTH, SOUTH])
    expect(await order('?sort=posts')).toEqual([NORTH, ALPHA, SOUTH])
    expect(await order('?sort=rise')).toEqual([NORTH, SOUTH, ALPHA])
    expect(await order('?sort=password')).toEqual([ALPHA, NORTH, SOUTH])
    const page = { text: links((await staff.get('/dashboard/districts?sort=posts')).text) }
    expect(page.text).toMatch(/<th scope="col" aria-sort="descending"><a href="\/dashboard\/districts\?sort=posts">/)
    expect(page.text).toContain('href="/dashboard/districts.csv?sort=posts"')
    expect(page.text.indexOf(url(NORTH))).toBeLessThan(page.text.indexOf(url(ALPHA)))
  })

  it('as of three weeks ago gives the numbers of then', async () => {
    const at = encodeURIComponent(ago(20).toISOString())
    const rows = csvRows((await staff.get(`/dashboard/districts.csv?at=${at}`)).text)
    // Ebersdorf was still a member; only the discussion of 40 days ago and the thread of 35 days ago were written.
    expect(rows.find((r) => r[0] === NORTH)).toEqual([NORTH, '4', '1', '1', '0', '1', '0', '', '0', '0', '/dashboard/districts/Landkreis%20Nordheide'])
    expect(rows.find((r) => r[0] === SOUTH)?.slice(1, 7)).toEqual(['1', '1', '1', '0', '1', '0'])
    const page = { text: links((await staff.get(`${url(NORTH)}?at=${at}`)).text) }
    expect(page.text).not.toContain('Wer hat Erfahrung mit Wohncontainern?')
    expect(page.text).toContain(`href="/dashboard/districts?at=${at}"`)
    const weeks = csvRows((await staff.get(`${url(NORTH)}/weeks.csv?at=${at}`)).text)
    expect(weeks.slice(1).reduce((sum, w) => sum + Number(w[1]), 0)).toBe(1)
  })

  it('shows a district: weekly chart with its data table, municipalities, open questions', async () => {
    const page = await staff.get(url(NORTH))
    expect(page.status).toBe(200)
    expect(page.text).toContain('<h1>Landkreis Nordheide: Aktivität und Trends</h1>')
    expect(page.text).toMatch(/<svg[^>]*aria-hidden="true"[^>]*class="chart__svg"/)
    expect(page.text).toMatch(/<th scope="col">Woche ab<\/th><th scope="col">Beiträge<\/th><th scope="col">Aktive Kommunen<\/th>/)
    for (const name of ['Aachtal', 'Birkenau', 'Cranz', 'Ebersdorf']) expect(page.text).toContain(`>${name}</a>`)
    expect(page.text).not.toContain('>Dornach</a>')
    expect(page.text).toMatch(/Ebersdorf<\/a> <span class="muted">\(nicht mehr Mitglied\)/)
    expect(page.text).toContain('Wer hat Erfahrung mit Wohncontainern?')
    expect(page.text).toContain('Kein laufender Trend hat Beteiligung aus diesem Landkreis.')
    // A name with a slash and an umlaut works as a URL.
    const south = await staff.get(url(SOUTH))
    expect(south.status).toBe(200)
    expect(south.text).toContain('Region Süd/Ost: Aktivität und Trends')
    const englishUser = await buildUser(t.db, { role: 'staff', locale: 'en' })
    const english = t.agent()
    await login(english, englishUser.email, englishUser.password)
    const page2 = await english.get(url(NORTH))
    expect(page2.text).toContain('Landkreis Nordheide: activity and trends')
    expect(page2.text).toContain('(no longer a member)')
  })

  it('exports the tables of a district as CSV', async () => {
    const weeks = await staff.get(`${url(NORTH)}/weeks.csv`)
    expect(weeks.headers['content-type']).toMatch(/^text\/csv; charset=utf-8/)
    expect(weeks.headers['content-disposition']).toBe('attachment; filename="Landkreis-Nordheide-weeks.csv"')
    const weekRows = csvRows(weeks.text)
    expect(weekRows[0]).toEqual(['week', 'posts', 'active_municipalities'])
    expect(weekRows).toHaveLength(27)
    // The last 7 days: Aachtal's question, and Cranz's mark (the deleted and the hidden reply do not count).
    expect(weekRows.at(-1)!.slice(1)).toEqual(['1', '2'])
    expect(weekRows.slice(1).reduce((sum, w) => sum + Number(w[1]), 0)).toBe(4)

    const municipalities = csvRows((await staff.get(`${url(NORTH)}/municipalities.csv`)).text)
    expect(municipalities[0]).toEqual(['municipality', 'kind', 'member', 'last_activity_at', 'posts', 'posts_before', 'posts_26_weeks', 'url'])
    const byName = new Map(municipalities.slice(1).map((r) => [r[0], r]))
    expect(byName.get('Aachtal')?.slice(2, 7)).toEqual(['true', ago(5).toISOString(), '2', '0', '2'])
    expect(byName.get('Birkenau')?.slice(2, 7)).toEqual(['true', ago(10).toISOString(), '1', '1', '2'])
    expect(byName.get('Cranz')?.slice(2, 7)).toEqual(['true', ago(2).toISOString(), '0', '0', '0'])
    expect(byName.get('Ebersdorf')?.slice(2, 7)).toEqual(['false', '', '0', '0', '0'])

    const unanswered = csvRows((await staff.get(`${url(NORTH)}/unanswered.csv`)).text)
    expect(unanswered.slice(1).map((r) => r[3])).toEqual(['Wer hat Erfahrung mit Wohncontainern?'])
    expect(csvRows((await staff.get(`${url(NORTH)}/trends.csv`)).text)).toEqual([['term', 'label', 'score', 'municipalities', 'districts', 'rise', 'window_days', 'url']])
  })

  it('answers an unknown district or table with a German 404 page', async () => {
    const res = await staff.get(url('Landkreis Gibtsnicht'))
    expect(res.status).toBe(404)
    expect(res.text).toContain('Diesen Landkreis gibt es nicht.')
    expect((await staff.get(`${url('Landkreis Gibtsnicht')}/weeks.csv`)).status).toBe(404)
    expect((await staff.get(`${url(NORTH)}/passwords.csv`)).status).toBe(404)
  })

  it('is linked from the dashboard, keeping the moment asked for', async () => {
    expect((await staff.get('/dashboard')).text).toContain('href="/dashboard/districts"')
    const at = ago(20).toISOString()
    expect(links((await staff.get(`/dashboard?at=${encodeURIComponent(at)}`)).text)).toContain(`href="/dashboard/districts?at=${encodeURIComponent(at)}"`)
  })
})
