import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import type { Role } from '../../../src/features/users/users.table.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'
import { dayAt, history } from './history.ts'

type Agent = ReturnType<TestApp['agent']>

let t: TestApp
const agents = {} as Record<Role | 'anonymous', Agent>
let stem = ''

beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
  const lines = history([
    { day: 196, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], title: 'Stromsperre droht', body: 'Mehrere Familien haben eine Stromsperre angekündigt; Stromschulden beim Versorger.' },
  ])
  await importInterchange(t.db, lines, t.clock.now(), () => {})
  t.clock.set(dayAt(197, 12))
  agents.anonymous = t.agent()
  for (const role of ['member', 'municipality_admin', 'staff', 'admin'] as const) {
    const user = await buildUser(t.db, { role, name: `${role} Trends` })
    agents[role] = t.agent()
    await login(agents[role], user.email, user.password)
  }
  const page = await agents.staff.get('/dashboard')
  stem = /href="\/dashboard\/terms\/([^"?]+)"/.exec(page.text)?.[1] ?? ''
})
afterAll(() => t.close())

const urls = () => ['/dashboard', '/dashboard/terms.csv', '/dashboard/threads.csv', `/dashboard/terms/${stem}`, `/dashboard/terms/${stem}/posts.csv`]

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
})
