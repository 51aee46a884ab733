import { expect } from 'vitest'
import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import { buildUser, PASSWORD } from '../../factories.ts'
import { describeEveryPage, submitIn } from '../../helpers/browser.ts'
import { dayAt, history } from './history.ts'
import { findStem } from './stem.ts'

/**
 * Every page of the trend dashboard, checked by the shared runner: axe-core (WCAG 2.1 AA) in German and
 * English, at 1280 and 320 px, one h1, a skip link, no foreign requests.
 */
type Data = { stem: string; asOf: string }

describeEveryPage<'staff', Data>({
  title: 'every page of the trend dashboard',
  env: { DEMO: 'true' },
  async prepare(b) {
    const { db } = b.t
    const lines = history([
      { day: 196, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], title: 'Stromsperre droht', body: 'Mehrere Familien haben eine Stromsperre angekündigt.' },
    ])
    lines.push(JSON.stringify({ type: 'thread', id: 'heiss', forum: 'integration', author: 'u1', title: 'Kita: wer hat noch Plätze?', body: 'Wie läuft es mit der Kita?', created_at: dayAt(196, 8).toISOString() }))
    for (let m = 2; m <= 12; m++) {
      lines.push(JSON.stringify({ type: 'post', id: `heiss-${m}`, thread: 'heiss', author: `u${m}`, body: 'Bei uns klappt Kita gut.', created_at: dayAt(196, 9 + m / 2).toISOString() }))
    }
    // An open question from Landkreis 3, for the district view's table of unanswered questions.
    lines.push(JSON.stringify({ type: 'thread', id: 'offen', forum: 'integration', author: 'u3', kind: 'question', title: 'Wer kennt eine Sprachmittlerin für Tigrinya?', body: 'Wir suchen dringend Unterstützung.', created_at: dayAt(190, 8).toISOString() }))
    await importInterchange(db, lines, b.t.clock.now(), () => {})
    b.t.clock.set(dayAt(197, 12))
    const staff = await buildUser(db, { role: 'staff', name: 'Stefan Stab' })
    return { accounts: { staff: { ...staff, password: PASSWORD } }, data: { stem: findStem('Stromsperre'), asOf: dayAt(150, 12).toISOString().slice(0, 10) } }
  },
  cases: [
    { name: 'dashboard with trends and threads', as: 'staff', path: '/dashboard' },
    { name: 'dashboard on a quiet day', as: 'staff', path: (d) => `/dashboard?at=${d.asOf}` },
    { name: 'drill-down of a trend', as: 'staff', path: (d) => `/dashboard/terms/${d.stem}` },
    { name: 'radar and activity', as: 'staff', path: '/dashboard/radar' },
    { name: 'radar as of a quiet day', as: 'staff', path: (d) => `/dashboard/radar?at=${d.asOf}` },
    { name: 'drill-down of a term that is no trend', as: 'staff', path: '/dashboard/terms/gibtsnicht', status: 404 },
    {
      name: 'watchlist, empty',
      as: 'staff',
      path: '/dashboard/watchlist',
      before: async (_page, { b }) => {
        await b.t.db.deleteFrom('trend_watch_terms').execute()
      },
    },
    {
      name: 'watchlist after adding a term that trends and one that does not',
      as: 'staff',
      path: '/dashboard/watchlist',
      before: async (_page, { b }) => {
        await b.t.db.deleteFrom('trend_watch_terms').execute()
      },
      setup: async (page) => {
        for (const term of ['Stromsperren', 'Bezahlkarte']) {
          await page.locator('#f-term').fill(term)
          expect(await submitIn(page, 'form[action="/dashboard/watchlist"]')).toBe(200)
          await expect.poll(() => page.locator('[role="status"]').innerText()).toContain(term)
        }
        const rows = page.locator('main table tbody tr')
        await expect.poll(() => rows.count()).toBe(2)
        expect(await rows.first().locator('a[href^="/dashboard/terms/"]').count()).toBe(1)
        expect(await rows.nth(1).locator('a[href^="/dashboard/terms/"]').count()).toBe(0)
      },
    },
    {
      name: 'watchlist with a term refused at its field',
      as: 'staff',
      path: '/dashboard/watchlist',
      setup: async (page) => {
        await page.locator('#f-term').fill('Hallo zusammen')
        expect(await submitIn(page, 'form[action="/dashboard/watchlist"]')).toBe(422)
        await page.locator('#f-term-error').waitFor()
        expect(await page.locator('#f-term').getAttribute('aria-invalid')).toBe('true')
        expect(await page.locator('#f-term').getAttribute('aria-describedby')).toContain('f-term-error')
        expect(await page.locator('#f-term').inputValue()).toBe('Hallo zusammen')
      },
    },
    { name: 'all districts', as: 'staff', path: '/dashboard/districts' },
    { name: 'all districts sorted by rise', as: 'staff', path: '/dashboard/districts?sort=rise' },
    { name: 'all districts as of a quiet day', as: 'staff', path: (d) => `/dashboard/districts?at=${d.asOf}` },
    {
      name: 'one district with a trend and an open question',
      as: 'staff',
      path: '/dashboard/districts/Landkreis%203',
      async setup(page) {
        // The chart's values are in the table after it: one row a week.
        expect(await page.locator('figure.chart svg[aria-hidden="true"]').count()).toBe(2)
        expect(await page.locator('table[aria-labelledby="activity-heading"] tbody tr').count()).toBe(26)
        expect(await page.locator('a[href^="/dashboard/terms/"]').count()).toBeGreaterThan(0)
        expect(await page.getByText('Wer kennt eine Sprachmittlerin für Tigrinya?').count()).toBe(1)
      },
    },
    { name: 'one district as of a quiet day', as: 'staff', path: (d) => `/dashboard/districts/Landkreis%203?at=${d.asOf}` },
    { name: 'a district that does not exist', as: 'staff', path: '/dashboard/districts/Landkreis%20Gibtsnicht', status: 404 },
  ],
})
