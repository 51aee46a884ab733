import { Secret, TOTP } from 'otpauth'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildUser } from '../../factories.ts'
import { type BrowserApp, describeInBrowser, expectNoAxeViolations, signIn, startBrowserApp, useLanguage } from '../../helpers/browser.ts'
import { linkIn } from '../../helpers/smtp.ts'

/** The account pages in every state a person meets them, checked by axe-core (WCAG 2.1 AA). */
describeInBrowser('account pages in the browser', () => {
  let b: BrowserApp
  let page: Page
  beforeAll(async () => {
    b = await startBrowserApp()
  })
  afterAll(() => b?.close())

  async function fresh() {
    await b.context.clearCookies()
    for (const open of b.context.pages()) await open.close()
    page = await b.newPage(320)
  }

  async function submit(form: string) {
    await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator(`form[action="${form}"] button[type="submit"]`).click()])
    await page.waitForLoadState('load')
  }

  async function check(title: RegExp) {
    expect(await page.title()).toMatch(title)
    expect(await page.locator('h1').count()).toBe(1)
    await expectNoAxeViolations(page)
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
    expect(scrollWidth, 'the page scrolls sideways at 320 px').toBeLessThanOrEqual(320)
  }

  function codeFor(secret: string) {
    return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: b.t.clock.now().getTime() })
  }

  it('password reset: request form, its errors, confirmation, new-password form, invalid link', async () => {
    const user = await buildUser(b.t.db)
    await fresh()
    await page.goto('/password/forgot')
    await check(/^Passwort vergessen/)
    await submit('/password/forgot')
    await page.locator('.error-summary').waitFor()
    await check(/^Passwort vergessen/)
    await page.locator('#f-email').fill(user.email)
    await submit('/password/forgot')
    await check(/^Bitte prüfen Sie Ihr Postfach/)
    await useLanguage(page, 'en')
    await check(/^Please check your inbox/)
    await useLanguage(page, 'de')

    const mail = await b.t.smtp.waitFor((m) => m.envelopeTo.includes(user.email))
    const path = new URL(linkIn(mail, `${b.t.config.baseUrl}/password/reset/`)).pathname
    await page.goto(path)
    await check(/^Neues Passwort festlegen/)
    await page.locator('#f-new_password').fill('Ein neuer langer Satz')
    await page.locator('#f-new_password_confirm').fill('Ein anderer langer Satz')
    await submit(path)
    expect(await page.locator('#f-new_password_confirm').getAttribute('aria-invalid')).toBe('true')
    await check(/^Neues Passwort festlegen/)

    const invalid = await page.goto('/password/reset/abgelaufen')
    expect(invalid?.status()).toBe(410)
    await check(/^Link ungültig/)
  })

  it('account page and second-factor setup, from start to recovery codes', async () => {
    const user = await buildUser(b.t.db)
    await fresh()
    await signIn(page, user.email, user.password)
    await page.goto('/account')
    await check(/^Mein Konto/)
    await page.locator('#f-current_password').fill('falsch-falsch-falsch')
    await page.locator('#f-new_password').fill('kurz')
    await submit('/account/password')
    expect(await page.locator('#f-current_password').getAttribute('aria-invalid')).toBe('true')
    await check(/^Mein Konto/)
    await useLanguage(page, 'en')
    await check(/^My account/)
    await useLanguage(page, 'de')

    await page.goto('/account/2fa')
    await check(/^Zwei-Faktor-Anmeldung/)
    await submit('/account/2fa/start')
    expect(await page.locator('img[src="/account/2fa/qr.svg"]').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
    await check(/^Zwei-Faktor-Anmeldung/)
    await submit('/account/2fa/enable')
    await check(/^Zwei-Faktor-Anmeldung/)
    const secret = (await page.locator('code.secret').textContent())!.replace(/\s+/g, '')
    await page.locator('#f-code').fill(codeFor(secret))
    await submit('/account/2fa/enable')
    await check(/^Ihre Wiederherstellungscodes/)
    await page.goto('/account/2fa')
    await check(/^Zwei-Faktor-Anmeldung/)

    b.t.clock.advance(30_000)
    await fresh()
    await page.goto('/login')
    await page.locator('#f-email').fill(user.email)
    await page.locator('#f-password').fill(user.password)
    await submit('/login')
    expect(new URL(page.url()).pathname).toBe('/login/2fa')
    await check(/^Bestätigungscode eingeben/)
    await page.locator('#f-code').fill('000000')
    await submit('/login/2fa')
    await check(/^Bestätigungscode eingeben/)
    await page.locator('#f-code').fill(codeFor(secret))
    await submit('/login/2fa')
    expect(new URL(page.url()).pathname).toBe('/')
  })

  it('the setup page that staff are held on', async () => {
    const staff = await buildUser(b.t.db, { role: 'staff' })
    await fresh()
    await signIn(page, staff.email, staff.password)
    expect(new URL(page.url()).pathname).toBe('/account/2fa')
    await check(/^Zwei-Faktor-Anmeldung/)
  })
})
