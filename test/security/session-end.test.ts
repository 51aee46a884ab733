import { afterAll, beforeAll, expect, it } from 'vitest'
import { MINUTE } from '../../src/lib/clock.ts'
import { buildUser } from '../factories.ts'
import { type BrowserApp, describeInBrowser, signIn, startBrowserApp } from '../helpers/browser.ts'

/**
 * SECURITY.md, "Sessions": a warning before the idle timeout with a one-click "Sitzung verlängern"
 * (WCAG 2.2.1), and drafts are not lost when a session ends. In Chromium: the page's timers run on a
 * fake clock, the server's idle timeout on the test clock (3 minutes here).
 */

describeInBrowser('when a session runs out', () => {
  let b: BrowserApp
  beforeAll(async () => {
    b = await startBrowserApp({ DEMO: 'true', SESSION_IDLE_MINUTES: '3' })
  })
  afterAll(() => b?.close())

  it('warns before the idle timeout, and one click keeps the session alive', async () => {
    const member = await buildUser(b.t.db)
    const page = await b.newPage()
    try {
      await page.clock.install()
      await signIn(page, member.email, member.password)
      const warning = page.locator('#session-warning')
      expect(await warning.isHidden()).toBe(true)

      // 90 seconds on (the warning comes two minutes before the end, here at half time).
      b.t.clock.advance(150_000)
      await page.clock.fastForward(91_000)
      await warning.waitFor({ state: 'visible' })
      expect(await warning.getByRole('alert').innerText()).toContain('Ihre Sitzung läuft in Kürze ab')
      await warning.getByRole('button', { name: 'Sitzung verlängern' }).click()
      await warning.waitFor({ state: 'hidden' })
      expect(await page.locator('#status').innerText()).toBe('Ihre Sitzung wurde verlängert.')

      // Five minutes after the sign-in, but less than three since the extension: still signed in.
      b.t.clock.advance(150_000)
      await page.reload()
      expect(new URL(page.url()).pathname).toBe('/')

      // Without the click the same pause ends the session.
      b.t.clock.advance(4 * MINUTE)
      await page.reload()
      expect(new URL(page.url()).pathname).toBe('/login')
    } finally {
      await page.close()
      await b.context.clearCookies()
    }
  })

  it('keeps a draft typed before the session ended, and forgets it once it is published', async () => {
    const member = await buildUser(b.t.db)
    const page = await b.newPage()
    try {
      await signIn(page, member.email, member.password)
      await page.goto('/forums/integration/new')
      const title = 'Dolmetscher für Elterngespräche'
      const body = 'Wie organisieren Sie Dolmetscher für Elterngespräche in Kitas? Wir suchen eine Lösung.'
      await page.locator('#f-title').fill(title)
      await page.locator('#f-body').fill(body)

      // The person was away too long; sending ends at the sign-in page.
      b.t.clock.advance(4 * MINUTE)
      await Promise.all([page.waitForURL((url) => url.pathname === '/login'), page.locator('button[value="publish"]').click()])
      expect(await page.locator('[role="status"]').first().innerText()).toContain('Ihre Sitzung ist abgelaufen')

      await signIn(page, member.email, member.password)
      await page.goto('/forums/integration/new')
      expect(await page.locator('#f-title').inputValue()).toBe(title)
      expect(await page.locator('#f-body').inputValue()).toBe(body)

      await Promise.all([page.waitForURL((url) => url.pathname.startsWith('/threads/')), page.locator('button[value="publish"]').click()])
      expect(await page.locator('h1').innerText()).toContain(title)
      const threadPath = new URL(page.url()).pathname
      await page.goto('/forums/integration/new')
      expect(await page.locator('#f-title').inputValue()).toBe('')
      expect(await page.locator('#f-body').inputValue()).toBe('')

      // A reply under the thread: kept through a session end as well, and gone from the box once posted.
      await page.goto(threadPath)
      const replyBox = page.locator('form[data-draft] textarea[name="body"]')
      const reply = 'Wir arbeiten mit dem Dolmetscherpool des Landkreises, das klappt gut.'
      await replyBox.fill(reply)
      b.t.clock.advance(4 * MINUTE)
      await Promise.all([page.waitForURL((url) => url.pathname === '/login'), page.locator('form[data-draft] button[value="publish"]').click()])
      await signIn(page, member.email, member.password)
      await page.goto(threadPath)
      expect(await replyBox.inputValue()).toBe(reply)
      await Promise.all([page.waitForURL((url) => url.search.length > 0 || url.hash.length > 0), page.locator('form[data-draft] button[value="publish"]').click()])
      expect(await page.locator('main').innerText()).toContain(reply)
      expect(await replyBox.inputValue()).toBe('')
      await page.reload()
      expect(await replyBox.inputValue()).toBe('')
    } finally {
      await page.close()
      await b.context.clearCookies()
    }
  })
})
