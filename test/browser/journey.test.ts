import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildMunicipality, buildUser } from '../factories.ts'
import { type BrowserApp, describeInBrowser, expectNoAxeViolations, startBrowserApp } from '../helpers/browser.ts'

describeInBrowser('a member in the browser', () => {
  let b: BrowserApp
  beforeAll(async () => {
    b = await startBrowserApp()
  })
  afterAll(() => b?.close())

  it('signs in through the form, sees who and where they are, and signs out', async () => {
    const town = await buildMunicipality(b.t.db, { name: 'Wolfenbüttel', kind: 'Stadt' })
    const member = await buildUser(b.t.db, { name: 'Erika Muster', municipality_id: town.id })
    const page = await b.newPage()
    try {
      // A protected page sends a stranger to the sign-in form.
      await page.goto('/')
      expect(new URL(page.url()).pathname).toBe('/login')

      await page.getByLabel('E-Mail-Adresse').fill(member.email)
      await page.getByLabel('Passwort', { exact: false }).first().fill('falsches-Passwort-123')
      await page.getByRole('button', { name: 'Anmelden' }).click()
      await page.locator('.error-summary').waitFor()
      expect(await page.locator('.error-summary').innerText()).toContain('E-Mail-Adresse oder Passwort ist nicht korrekt.')
      // The typed email is kept, the password is not.
      expect(await page.locator('#f-email').inputValue()).toBe(member.email)
      expect(await page.locator('#f-password').inputValue()).toBe('')

      await page.locator('#f-password').fill(member.password)
      await Promise.all([page.waitForURL((url) => url.pathname === '/'), page.getByRole('button', { name: 'Anmelden' }).click()])
      const header = page.locator('header')
      expect(await header.locator('.whoami__name').innerText()).toBe('Erika Muster')
      expect(await header.locator('.whoami__org').innerText()).toBe('Wolfenbüttel')
      await expectNoAxeViolations(page)

      await Promise.all([page.waitForURL((url) => url.pathname === '/login'), header.getByRole('button', { name: 'Abmelden' }).click()])
      expect(await page.locator('header .whoami__name').count()).toBe(0)
      // Signed out for real: the start page asks for a sign-in again.
      await page.goto('/')
      expect(new URL(page.url()).pathname).toBe('/login')
      expect(b.foreignRequests).toEqual([])
    } finally {
      await page.close()
    }
  })
})
