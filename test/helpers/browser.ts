import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { AxeBuilder } from '@axe-core/playwright'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { Secret, TOTP } from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from './app.ts'

/** Debian's Chromium (`apt-get install chromium`); playwright-core 1.64 drives it. Never a browser download. */
export const CHROMIUM = '/usr/bin/chromium'
const available = existsSync(CHROMIUM)

if (!available && !process.env.CI) {
  console.warn(`Browser tests skipped: no Chromium at ${CHROMIUM} (install it with: apt-get install -y chromium).`)
}

/**
 * `describe` for browser tests: skipped with a message on a machine without Chromium, but in CI
 * (CI is set) they run and fail, so a missing browser never turns into a silently green build.
 */
export const describeInBrowser = available || process.env.CI ? describe : describe.skip

export type BrowserApp = {
  t: TestApp
  /** http://127.0.0.1:<port> */
  origin: string
  context: BrowserContext
  /** Every request a page made that went anywhere but the app under test. */
  foreignRequests: string[]
  newPage(width?: number): Promise<Page>
  close(): Promise<void>
}

/**
 * The app listening on a random loopback port and one Chromium (one persistent context) for a test file.
 * Pages share cookies like tabs of one browser; clear them with `context.clearCookies()`.
 */
export async function startBrowserApp(env: Record<string, string> = {}): Promise<BrowserApp> {
  if (!available) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`)
  const t = await createTestApp(env)
  // With a BASE_URL on loopback (so links in mails lead back to this app), listen on its port.
  const wanted = env.BASE_URL?.startsWith('http://127.0.0.1:') ? Number(new URL(env.BASE_URL).port) : 0
  await t.app.listen({ host: '127.0.0.1', port: wanted })
  const { port } = t.app.server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  const profile = mkdtempSync(join(tmpdir(), 'kf-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    baseURL: origin,
    locale: 'de-DE',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
  const foreignRequests: string[] = []
  context.on('request', (request) => {
    const url = request.url()
    if (!url.startsWith(`${origin}/`) && !url.startsWith('data:') && url !== 'about:blank') foreignRequests.push(url)
  })
  // The persistent context opens with one empty tab; it is not needed.
  for (const page of context.pages()) await page.close()
  return {
    t,
    origin,
    context,
    foreignRequests,
    async newPage(width = 1280) {
      const page = await context.newPage()
      await page.setViewportSize({ width, height: 800 })
      return page
    },
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
      await t.close()
    },
  }
}

/** A loopback port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** Signs in through the real sign-in form, as a person would (German or English labels). */
export async function signIn(page: Page, email: string, password: string) {
  await page.goto('/login')
  await page.locator('#f-email').fill(email)
  await page.locator('#f-password').fill(password)
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login'), page.locator('form[action="/login"] button[type="submit"]').click()])
}

/** Switches the interface language with the button in the header, if the page is not in `locale` yet. */
export async function useLanguage(page: Page, locale: 'de' | 'en') {
  const current = await page.evaluate(() => document.documentElement.lang)
  if (current === locale) return
  await page.locator('form[action="/language"] button').click()
  // Polled while the browser swaps documents: for a moment there is no documentElement.
  await page.waitForFunction((wanted) => document.documentElement?.lang === wanted, locale)
  await page.waitForLoadState('load')
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/** Runs axe-core (WCAG 2.1 A and AA) and fails with a readable list of what it found. */
export async function expectNoAxeViolations(page: Page, where = '') {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze()
  const report = results.violations.map((v) => {
    const nodes = v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
    return `${v.id} (${v.impact}): ${v.help}\n${nodes.join('\n')}`
  })
  if (report.length > 0) {
    expect.fail(`axe-core found ${report.length} violation(s) on ${page.url()}${where ? ` at ${where}` : ''}:\n${report.join('\n')}`)
  }
}

// --- every page, in every state: the runner behind test/browser/pages-*.test.ts ------------------------

/** An account a page test signs in as; with `totpSecret` the sign-in answers the second step too. */
export type BrowserAccount = { id: number; email: string; password: string; totpSecret?: string | null }

export type PageContext<A extends string, D> = { b: BrowserApp; accounts: Record<A, BrowserAccount>; data: D }

/**
 * One page in one state. Cases run in table order, each in German and then in English, so a case may
 * rely on what earlier cases left behind (or reset it in `before`).
 */
export type PageCase<A extends string, D> = {
  name: string
  /** Whose browser: no session, or one of the file's accounts (signed in once and kept while cases share it). */
  as: 'anonymous' | A
  /** Where to go; a function when the path holds ids or tokens that exist only after `prepare`. */
  path: string | ((data: D) => string)
  /** The status the GET answers with. */
  status?: number
  /** Runs before the page is opened: data the state needs, or a step like the first half of signing in. */
  before?: (page: Page, ctx: PageContext<A, D>) => Promise<void>
  /** Brings the opened page (already in the wanted language) into the state under test, e.g. a failed submit. */
  setup?: (page: Page, ctx: PageContext<A, D>) => Promise<void>
}

const PAGE_LOCALES = ['de', 'en'] as const
const PAGE_WIDTHS = [1280, 320] as const

/**
 * Checks every case in German and English, at 1280 px and (the same page, resized) 320 px: WCAG 2.1 AA by
 * axe-core, the document language, exactly one h1, a working skip link, no sideways scrolling at 320 px,
 * no request to anything but the forum; and, per language, that no two pages with different headings
 * share a title. One app and one browser for the file; each account signs in once while cases share it.
 */
export function describeEveryPage<A extends string, D>(spec: {
  title: string
  env?: Record<string, string>
  prepare: (b: BrowserApp) => Promise<{ accounts: Record<A, BrowserAccount>; data: D }>
  cases: PageCase<A, D>[]
}) {
  describeInBrowser(spec.title, () => {
    let ctx: PageContext<A, D>
    /**
     * One tab for the whole file, as the accounts' sessions are kept between cases: Chromium sends no
     * cookie with the first navigation of a newly opened tab, so a new tab per case would start signed out.
     */
    let page: Page
    /** Whose session the browser holds now; undefined when unknown (after a failure). */
    let session: 'anonymous' | A | undefined
    /** locale → title → the h1 of each page that had it. */
    const titles: Record<string, Map<string, Set<string>>> = { de: new Map(), en: new Map() }

    beforeAll(async () => {
      const b = await startBrowserApp(spec.env)
      ctx = { b, ...(await spec.prepare(b)) }
      page = await b.newPage(PAGE_WIDTHS[0])
    })
    afterAll(() => ctx?.b.close())

    async function useSession(as: 'anonymous' | A) {
      if (session === as) return
      session = undefined
      await ctx.b.context.clearCookies()
      if (as !== 'anonymous') await signInAs(page, ctx.accounts[as], ctx.b)
      session = as
    }

    for (const c of spec.cases) {
      for (const locale of PAGE_LOCALES) {
        const shownPath = typeof c.path === 'string' ? c.path : '…'
        it(`${c.name} (${shownPath}) in ${locale}`, async () => {
          const { b } = ctx
          await page.setViewportSize({ width: PAGE_WIDTHS[0], height: 800 })
          b.foreignRequests.length = 0
          try {
            await useSession(c.as)
            await c.before?.(page, ctx)
            const path = typeof c.path === 'string' ? c.path : c.path(ctx.data)
            const response = await page.goto(path)
            expect(response?.status(), `status of ${path}`).toBe(c.status ?? 200)
            await useLanguage(page, locale)
            await c.setup?.(page, ctx)

            expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale)
            const title = (await page.title()).trim()
            expect(title).not.toBe('')
            const headings = await page.locator('h1').allInnerTexts()
            expect(headings, 'a page has exactly one h1').toHaveLength(1)
            const byTitle = titles[locale]!
            byTitle.set(title, (byTitle.get(title) ?? new Set()).add(headings[0]!.trim()))

            for (const width of PAGE_WIDTHS) {
              await page.setViewportSize({ width, height: 800 })
              await expectSkipLinkWorks(page)
              if (width <= 320) {
                const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
                expect(scrollWidth, `${page.url()} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width)
              }
              await expectNoAxeViolations(page, `${width} px`)
              expect(await wordsBrokenInLabels(page), `words broken mid-word in buttons or column headings at ${width} px`).toEqual([])
            }
            expect(b.foreignRequests).toEqual([])
          } catch (err) {
            session = undefined
            throw err
          }
        })
      }
    }

    for (const locale of PAGE_LOCALES) {
      it(`gives pages with different headings different titles in ${locale}`, () => {
        const shared = [...titles[locale]!].filter(([, headings]) => headings.size > 1)
        expect(shared.map(([title, headings]) => `${title}: ${[...headings].join(' | ')}`)).toEqual([])
        expect(titles[locale]!.size).toBeGreaterThan(0)
      })
    }
  })
}

/** Signs in through the form; an account with a second factor types the code its authenticator shows now. */
export async function signInAs(page: Page, account: BrowserAccount, b: BrowserApp) {
  await signIn(page, account.email, account.password)
  if (!account.totpSecret) return
  expect(new URL(page.url()).pathname).toBe('/login/2fa')
  // Each code is accepted once: move on to the next 30-second step so an earlier sign-in's code is not replayed.
  b.t.clock.advance(30_000)
  await page.locator('#f-code').fill(totpCode(account.totpSecret, b.t.clock.now()))
  await Promise.all([page.waitForURL((url) => url.pathname !== '/login/2fa'), page.locator('main form button[type="submit"]').click()])
}

/** What an authenticator app shows at `now` for a base32 secret. */
export function totpCode(secret: string, now: Date): string {
  return new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: now.getTime() })
}

/**
 * Submits the form matching `form` with its (first) submit button, as a person would, and waits for the
 * page that answers; returns that page's status (the final one after a redirect).
 */
export async function submitIn(page: Page, form: string, button = 'button[type="submit"]'): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (r) =>
        r.request().isNavigationRequest() && r.request().frame() === page.mainFrame() && (r.status() < 300 || r.status() >= 400),
    ),
    page.waitForEvent('load'),
    page.locator(form).locator(button).first().click(),
  ])
  return response.status()
}

/**
 * Words of visible buttons (and links styled as buttons) and column headings that the layout breaks in
 * the middle: "Suche|n" reads as a mistake. A word is a run of characters between spaces or hyphens; it
 * is broken when its characters lie on more than one line.
 */
export async function wordsBrokenInLabels(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = []
    for (const element of document.querySelectorAll<HTMLElement>('button, .button, th')) {
      if (element.getClientRects().length === 0) continue
      const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT)
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? ''
        for (const match of text.matchAll(/[^\s\-\u00ad]{2,}/gu)) {
          const range = document.createRange()
          range.setStart(node, match.index)
          range.setEnd(node, match.index + match[0].length)
          const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)))
          if (tops.size > 1) broken.push(`${element.tagName.toLowerCase()} „${element.textContent?.trim()}“: ${match[0]}`)
        }
      }
    }
    return broken
  })
}

/** The skip link is the first stop for the keyboard, shows up when focused and moves focus to the main content. */
export async function expectSkipLinkWorks(page: Page) {
  const firstFocusable = await page.evaluate(() => {
    const first = document.querySelector<HTMLElement>(
      'a[href], button:not([disabled]), input:not([type="hidden"]):not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])',
    )
    return first ? { href: first.getAttribute('href'), text: first.textContent?.trim() } : null
  })
  expect(firstFocusable?.href).toBe('#main')
  expect(firstFocusable?.text).not.toBe('')

  const skip = page.locator('a[href="#main"]').first()
  await skip.focus()
  const box = await skip.boundingBox()
  expect(box, 'the skip link is invisible when focused').not.toBeNull()
  expect(box!.width).toBeGreaterThan(1)
  expect(box!.height).toBeGreaterThan(1)
  expect(box!.y).toBeGreaterThanOrEqual(0)

  await page.keyboard.press('Enter')
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main')
  expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('MAIN')
}

/** A `setup` that sends the form matching `form` as it is (often empty) and expects it refused: 422 and the error summary. */
export function submitsWithErrors(form: string, button?: string) {
  return async (page: Page) => {
    expect(await submitIn(page, form, button), `status after sending ${form}`).toBe(422)
    await page.locator('.error-summary').waitFor()
  }
}

/** A `setup` that only makes sure the state is what the case says: `selector` is on the page (or, with 0, is not). */
export function showing(selector: string, count?: 0) {
  return async (page: Page) => {
    if (count === 0) expect(await page.locator(selector).count(), `${selector} on ${page.url()}`).toBe(0)
    else await page.locator(selector).first().waitFor()
  }
}
