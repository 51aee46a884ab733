import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { DEMO_PASSWORD, seedDemo } from '../../seeds/demo.ts'
import { type BrowserApp, describeInBrowser, expectNoAxeViolations, freePort, signIn, startBrowserApp } from '../helpers/browser.ts'

/**
 * The journey of the foundation issue, as a new evaluator would click it on the demo: the admin creates a
 * municipality and invites its contact, the contact accepts from the outbox mail and invites a colleague by
 * CSV, the colleague accepts. Mail goes to the outbox (no SMTP configured), as on a fresh `npm start`.
 */
describeInBrowser('onboarding a municipality in the browser', () => {
  let b: BrowserApp
  beforeAll(async () => {
    const port = await freePort()
    b = await startBrowserApp({ DEMO: 'true', SMTP_URL: '', BASE_URL: `http://127.0.0.1:${port}` })
    await seedDemo(b.t.db)
  })
  afterAll(() => b?.close())

  async function submit(page: Page, button: string) {
    await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.getByRole('button', { name: button }).click()])
  }

  async function signOut(page: Page) {
    await Promise.all([page.waitForURL((url) => url.pathname === '/login'), page.getByRole('button', { name: 'Abmelden' }).click()])
  }

  function newestOutboxLink(): string {
    const dir = join(b.t.config.dataDir, 'outbox')
    const newest = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().at(-1)!
    const mail = JSON.parse(readFileSync(join(dir, newest), 'utf8')) as { text: string }
    return mail.text.match(/http:\/\/127\.0\.0\.1:\d+\/invite\/\S+/)![0]
  }

  it('goes from the demo admin to a signed-in colleague without reading any code', async () => {
    const page = await b.newPage()
    try {
      await signIn(page, 'admin@demo.kommunalforum.de', DEMO_PASSWORD)

      // Create a municipality.
      await page.getByRole('link', { name: 'Verwaltung' }).click()
      await page.getByRole('link', { name: /Kommunen/ }).first().click()
      await page.getByRole('link', { name: /Kommune anlegen|Neue Kommune/ }).click()
      await page.getByLabel(/^Name/).fill('Salzgitter')
      await page.getByLabel(/^Art/).selectOption('Stadt')
      await page.getByLabel(/^Landkreis/).fill('Kreisfreie Stadt Salzgitter')
      await page.getByLabel(/^Amtlicher Gemeindeschlüssel|^AGS/).fill('12345')
      await submit(page, 'Speichern')
      // A wrong AGS is reported at the field and nothing typed is lost.
      expect(await page.locator('#f-ags-error').innerText()).toMatch(/8 Ziffern/)
      expect(await page.getByLabel(/^Name/).inputValue()).toBe('Salzgitter')
      await expectNoAxeViolations(page)
      await page.getByLabel(/^Amtlicher Gemeindeschlüssel|^AGS/).fill('03102000')
      await submit(page, 'Speichern')
      await expect.poll(() => page.locator('h1').innerText()).toContain('Salzgitter')

      // Invite its contact person.
      await page.getByRole('link', { name: 'Ansprechperson einladen' }).click()
      await page.getByLabel(/^E-Mail/).fill('k.kontakt@salzgitter.example')
      await page.getByLabel(/^Name/).fill('Klara Kontakt')
      await submit(page, 'Einladung senden')
      expect(await page.locator('[role=status]').innerText()).toMatch(/versendet|verschickt|gesendet/i)

      // Open the invitation mail in the outbox and follow its link.
      await page.goto('/admin/outbox')
      await expectNoAxeViolations(page)
      await page.locator('main table a').first().click()
      const link = page.locator('.mail-body a[href*="/invite/"]')
      const href = await link.getAttribute('href')
      expect(href).toMatch(/\/invite\//)
      await signOut(page)

      await page.goto(href!)
      await expectNoAxeViolations(page)
      await page.getByLabel(/^Funktion/).fill('Leitung Hauptamt')
      await page.getByLabel(/^Passwort$|^Passwort \(/).fill('Herbstlaub raschelt im Park')
      await page.getByLabel(/wiederholen|Bestätigung/).fill('Herbstlaub raschelt im Park')
      await submit(page, 'Konto anlegen')
      expect(await page.locator('.whoami__name').innerText()).toBe('Klara Kontakt')
      expect(await page.locator('.whoami__org').innerText()).toBe('Salzgitter')

      // The new municipality admin invites a colleague by CSV.
      await page.getByRole('link', { name: 'Einladungen' }).first().click()
      await page.getByRole('link', { name: /CSV/ }).first().click()
      await page.getByLabel(/CSV.*einfügen|Inhalt/).fill('Name;E-Mail;Rolle\nBernd Beispiel;b.beispiel@salzgitter.example;Mitglied\nOhne Adresse;keine-adresse;Mitglied\n')
      await submit(page, 'Vorschau anzeigen')
      await expectNoAxeViolations(page)
      const preview = await page.locator('table').innerText()
      expect(preview).toContain('b.beispiel@salzgitter.example')
      expect(preview).toMatch(/ungültig/i)
      await page.getByRole('button', { name: /Einladung.*senden/ }).click()
      await page.waitForLoadState('load')
      expect(await page.locator('[role=status]').innerText()).toMatch(/1 Einladung/)
      await signOut(page)

      // The colleague accepts.
      await page.goto(newestOutboxLink().replace(/^http:\/\/127\.0\.0\.1:\d+/, ''))
      await page.getByLabel(/^Passwort$|^Passwort \(/).fill('Bernd mag Grünkohl mit Pinkel')
      await page.getByLabel(/wiederholen|Bestätigung/).fill('Bernd mag Grünkohl mit Pinkel')
      await submit(page, 'Konto anlegen')
      expect(await page.locator('.whoami__name').innerText()).toBe('Bernd Beispiel')
      expect(await page.locator('.whoami__org').innerText()).toBe('Salzgitter')
      expect(b.foreignRequests).toEqual([])
    } finally {
      await page.close()
    }
  })
})
