import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildMunicipality, buildUser } from '../factories.ts'
import { buildReply, buildThread } from '../factories.ts'
import { type BrowserApp, describeInBrowser, expectNoAxeViolations, signIn, startBrowserApp } from '../helpers/browser.ts'

/**
 * The "Done when", as a new member would try it: find the privacy notice and the accessibility
 * statement from the sign-in page, download one's own data and read it, close the account and see
 * one's posts anonymised.
 */
describeInBrowser('a member’s data protection in the browser', () => {
  let b: BrowserApp
  beforeAll(async () => {
    b = await startBrowserApp({ DEMO: 'true', SMTP_URL: '' })
  })
  afterAll(() => b?.close())

  it('finds the legal pages, downloads their data, closes the account and is shown anonymised', async () => {
    const { db } = b.t
    const town = await buildMunicipality(db, { name: 'Wolfenbüttel', kind: 'Stadt' })
    const member = await buildUser(db, { name: 'Erika Muster', municipality_id: town.id })
    const colleague = await buildUser(db, { name: 'Karl Kollege', municipality_id: town.id })
    const { thread } = await buildThread(db, { author: member, title: 'Elternkurse', body: 'Wer bietet Sprachkurse für Eltern an?' })
    await buildReply(db, thread.id, { author: colleague, body: `@${member.handle} wir, seit 2024.` })
    const page = await b.newPage()
    try {
      // From the sign-in page to the privacy notice and the accessibility statement.
      await page.goto('/login')
      await Promise.all([page.waitForURL('**/datenschutz'), page.locator('footer a[href="/datenschutz"]').click()])
      expect(await page.locator('h1').innerText()).toBe('Datenschutzerklärung')
      expect(await page.locator('main').innerText()).toContain('7 Tage')
      await page.goto('/login')
      await Promise.all([page.waitForURL('**/barrierefreiheit'), page.locator('footer a[href="/barrierefreiheit"]').click()])
      expect(await page.locator('h1').innerText()).toBe('Erklärung zur Barrierefreiheit')
      await expectNoAxeViolations(page)

      // Sign in, find "Meine Daten" on the account page, ask for the data.
      await signIn(page, member.email, member.password)
      await page.goto('/account')
      await Promise.all([page.waitForURL('**/account/data'), page.locator('main a[href="/account/data"]').click()])
      await Promise.all([page.waitForURL('**/account/data'), page.getByRole('button', { name: 'Datenauskunft anfordern' }).click()])
      expect(await page.locator('.notice[role="status"]').innerText()).toContain('wird vorbereitet')
      // Prepared in the background: after a reload the download is there.
      await expect
        .poll(async () => {
          await page.reload()
          return page.locator('a[href$="/json"]').count()
        })
        .toBe(1)
      await expectNoAxeViolations(page)
      const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[href$="/json"]').click()])
      expect(download.suggestedFilename()).toMatch(/^datenauskunft-\d{4}-\d{2}-\d{2}\.json$/)
      const data = JSON.parse(await readFile((await download.path())!, 'utf8'))
      expect(data.tables.users[0]).toMatchObject({ name: 'Erika Muster', email: member.email })
      expect(data.tables.posts.map((p: { body: string }) => p.body)).toEqual(['Wer bietet Sprachkurse für Eltern an?'])
      expect(data.tables.sessions.length).toBeGreaterThan(0)
      // The readable summary.
      await Promise.all([page.waitForURL('**/html'), page.locator('a[href$="/html"]').click()])
      expect(await page.locator('main').innerText()).toContain('Wer bietet Sprachkurse für Eltern an?')

      // Close the account, keeping the posts.
      await page.goto('/account/data')
      await Promise.all([page.waitForURL('**/account/close'), page.locator('a[href="/account/close"]').click()])
      await page.locator('#f-posts-keep').check()
      await page.locator('#f-confirm').check()
      await page.locator('#f-password').fill(member.password)
      await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: 'Konto endgültig schließen' }).click()])
      expect(await page.locator('.notice[role="status"]').innerText()).toContain('Ihr Konto wurde geschlossen')

      // The old sign-in no longer works.
      await page.locator('#f-email').fill(member.email)
      await page.locator('#f-password').fill(member.password)
      await page.locator('form[action="/login"] button[type="submit"]').click()
      await page.locator('.error-summary').waitFor()
      expect(new URL(page.url()).pathname).toBe('/login')

      // A colleague sees the thread by a former member, and the mention reads neutrally.
      await signIn(page, colleague.email, colleague.password)
      await page.goto(`/threads/${thread.id}`)
      const authors = await page.locator('.post__author').allInnerTexts()
      expect(authors[0]).toBe('Ehemaliges Mitglied (Wolfenbüttel)')
      const text = await page.locator('main').innerText()
      expect(text).toContain('Wer bietet Sprachkurse für Eltern an?')
      expect(text).not.toContain('Erika')
      expect(text).not.toContain(member.handle)
      await expectNoAxeViolations(page)
    } finally {
      await page.close()
    }
  })
})
