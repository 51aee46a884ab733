import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestApp } from '../../helpers/app.ts'
import { dashboardWithPlantedTrend, dayAt, type SignedIn } from './history.ts'

let t: TestApp
let agents: SignedIn['agents']
let stem = ''

beforeAll(async () => {
  ;({ t, agents } = await dashboardWithPlantedTrend('Trends'))
  const page = await agents.staff.get('/dashboard')
  stem = /href="\/dashboard\/terms\/([^"?]+)"/.exec(page.text)?.[1] ?? ''
})
afterAll(() => t.close())

const radarTables = ['unanswered.csv', 'unanswered-groups.csv', 'silent.csv', 'participation.csv', 'activity.csv']
const urls = () => [
  '/dashboard',
  '/dashboard/terms.csv',
  '/dashboard/threads.csv',
  `/dashboard/terms/${stem}`,
  `/dashboard/terms/${stem}/posts.csv`,
  '/dashboard/radar',
  ...radarTables.map((x) => `/dashboard/radar/${x}`),
  '/dashboard/districts',
  '/dashboard/districts.csv',
  '/dashboard/districts/Landkreis%201',
  ...['weeks.csv', 'municipalities.csv', 'trends.csv', 'unanswered.csv'].map((x) => `/dashboard/districts/Landkreis%201/${x}`),
]

describe('trend dashboard', () => {
  it('members and municipality admins get 403 on every dashboard URL; strangers are sent to sign in', async () => {
    expect(stem).not.toBe('')
    for (const url of urls()) {
      expect((await agents.member.get(url)).status, url).toBe(403)
      expect((await agents.municipality_admin.get(url)).status, url).toBe(403)
      expect((await agents.anonymous.get(url).redirects(0)).status, url).toBeGreaterThanOrEqual(300)
      expect((await agents.anonymous.get(url).redirects(0)).status, url).toBeLessThan(400)
    }
  })

  it('staff and admins see every dashboard URL', async () => {
    for (const url of urls()) {
      expect((await agents.staff.get(url)).status, url).toBe(200)
      expect((await agents.admin.get(url)).status, url).toBe(200)
    }
  })

  it('shows the trending theme with its figures, a sparkline with a text alternative, and a nav link for staff only', async () => {
    const page = await agents.staff.get('/dashboard')
    expect(page.text).toMatch(/Stromsperre/)
    expect(page.text).toMatch(/<svg class="sparkline"[^>]*aria-hidden="true"/)
    expect(page.text).toMatch(/Kommunen je Tag, letzte 42 Tage: [0-9, ]*10, 0/)
    expect(page.text).toMatch(/href="\/dashboard"/)
    expect((await agents.member.get('/')).text).not.toMatch(/href="\/dashboard"/)
  })

  it('drills down to the municipalities and posts behind a trend', async () => {
    const page = await agents.staff.get(`/dashboard/terms/${stem}`)
    for (let m = 1; m <= 10; m++) expect(page.text).toContain(`Testort ${m}<`)
    expect(page.text).not.toContain('Testort 11<')
    expect(page.text).toMatch(/Mehrere Familien haben eine Stromsperre/)
    expect((await agents.staff.get('/dashboard/terms/gibtsnicht')).status).toBe(404)
  })

  it('exports the tables as CSV', async () => {
    const terms = await agents.staff.get('/dashboard/terms.csv')
    expect(terms.headers['content-type']).toMatch(/^text\/csv/)
    const rows = terms.text.replace(/^\uFEFF/, '').trim().split('\r\n')
    expect(rows[0]).toMatch(/^Thema;label;score;municipalities/)
    expect(rows.some((r) => /Stromsperre/.test(r))).toBe(true)
    const posts = await agents.staff.get(`/dashboard/terms/${stem}/posts.csv`)
    expect(posts.text.trim().split('\r\n').length).toBe(11)
  })

  it('shows the state as of an earlier moment with ?at=', async () => {
    const before = await agents.staff.get(`/dashboard?at=${encodeURIComponent(dayAt(195, 12).toISOString())}`)
    expect(before.status).toBe(200)
    expect(before.text).not.toMatch(/Stromsperre/)
    expect(before.text).toMatch(/Zurzeit steigt kein Begriff/)
    const csv = await agents.staff.get(`/dashboard/terms.csv?at=${encodeURIComponent(dayAt(195, 12).toISOString())}`)
    expect(csv.text).not.toMatch(/Stromsperre/)
  })

  it('radar: questions unanswered after three days by forum and district, silent municipalities, weekly participation and activity', async () => {
    const asker = await t.db.selectFrom('users').select(['id', 'municipality_id']).where('external_id', '=', 'u3').executeTakeFirstOrThrow()
    const forum = await t.db.selectFrom('forums').select('id').where('slug', '=', 'integration').executeTakeFirstOrThrow()
    const opened = dayAt(192, 9)
    const q = await t.db
      .insertInto('threads')
      .values({ forum_id: forum.id, author_id: asker.id, municipality_id: asker.municipality_id, kind: 'question', title: 'Niemand antwortet mir', created_at: opened, last_post_at: opened })
      .returning('id')
      .executeTakeFirstOrThrow()
    await t.db.insertInto('posts').values({ thread_id: q.id, position: 1, author_id: asker.id, municipality_id: asker.municipality_id, body: 'Hallo?', created_at: opened }).execute()
    const page = await agents.staff.get('/dashboard/radar')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Niemand antwortet mir')
    const groups = await agents.staff.get('/dashboard/radar/unanswered-groups.csv')
    expect(groups.text).toMatch(/Integration;Landkreis 3;1/)
    // As of a moment two days after it was asked, it is not yet overdue.
    const early = await agents.staff.get(`/dashboard/radar?at=${encodeURIComponent(dayAt(194, 10).toISOString())}`)
    expect(early.text).not.toContain('Niemand antwortet mir')
    const participation = (await agents.staff.get('/dashboard/radar/participation.csv')).text.trim().split('\r\n')
    expect(participation).toHaveLength(27)
    expect(Number(participation.at(-1)!.split(';')[1])).toBeGreaterThan(10)
    const activity = (await agents.staff.get('/dashboard/radar/activity.csv')).text.trim().split('\r\n')
    expect(activity[0]).toMatch(/^\uFEFF?week;aufnahme-unterbringung-versorgung;integration;buergerschaftliches-engagement$/)
    expect(page.text).toMatch(/<svg[^>]*aria-hidden="true"[^>]*class="chart__svg"/)
    expect((await agents.staff.get('/dashboard/radar/passwords.csv')).status).toBe(404)
  })

  it('district view: how many current trends each district takes part in, and which, linked to the drill-down', async () => {
    const rows = (await agents.staff.get('/dashboard/districts.csv')).text.replace(/^\uFEFF/, '').trim().split('\r\n').map((r) => r.split(';'))
    const trends = rows[0]!.indexOf('trends')
    // The planted trend comes from Testort 1–10, in all six districts.
    const ofHistory = (r: string[]) => /^Landkreis \d$/.test(r[0]!)
    expect(rows.filter(ofHistory).map((r) => [r[0], r[trends]])).toEqual([1, 2, 3, 4, 5, 6].map((d) => [`Landkreis ${d}`, '1']))
    expect(rows.find((r) => r[0] === 'Landkreis Testland')?.[trends]).toBe('0')
    const page = await agents.staff.get('/dashboard/districts/Landkreis%203')
    expect(page.text).toContain(`href="/dashboard/terms/${stem}"`)
    expect(page.text).toMatch(/Stromsperre/)
    const csv = (await agents.staff.get('/dashboard/districts/Landkreis%203/trends.csv')).text
    expect(csv).toContain(`;/dashboard/terms/${stem}`)
    // The dashboard names the districts of a trend with links to their views.
    expect((await agents.staff.get('/dashboard')).text).toContain('href="/dashboard/districts/Landkreis%203"')
    // Before the burst no district takes part in a trend.
    const before = (await agents.staff.get(`/dashboard/districts.csv?at=${encodeURIComponent(dayAt(195, 12).toISOString())}`)).text
    expect(before.replace(/^\uFEFF/, '').trim().split('\r\n').slice(1).map((r) => r.split(';')).filter(ofHistory).map((r) => r[trends])).toEqual(['0', '0', '0', '0', '0', '0'])
    const earlier = await agents.staff.get(`/dashboard/districts/Landkreis%203?at=${encodeURIComponent(dayAt(195, 12).toISOString())}`)
    expect(earlier.text).not.toMatch(/Stromsperre/)
  })
})
