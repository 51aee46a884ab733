import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Role } from '../../src/features/users/users.table.ts'
import { buildUser } from '../factories.ts'
import { type BrowserApp, describeInBrowser, expectNoAxeViolations, signIn, startBrowserApp, useLanguage } from '../helpers/browser.ts'

/**
 * Every page in every state a person meets, in both languages, on a desktop and a 320 px phone:
 * WCAG 2.1 AA by axe-core, the document language, a title of its own, a working skip link,
 * no horizontal scrolling, and no request to anything but the forum itself.
 * Add a row when a page or a state is added.
 */
type PageCase = {
  name: string
  as: 'anonymous' | Role
  path: string
  status?: number
  /** Brings the page into the state under test, e.g. submits a form empty to show its errors. */
  setup?: (page: Page) => Promise<void>
}

async function submitEmpty(page: Page) {
  await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.locator('main form button[type="submit"]').first().click()])
  await page.waitForLoadState('load')
  await page.locator('.error-summary').waitFor()
}

const pages: PageCase[] = [
  { name: 'sign-in', as: 'anonymous', path: '/login' },
  { name: 'sign-in with form errors', as: 'anonymous', path: '/login', setup: submitEmpty },
  { name: 'page not found', as: 'anonymous', path: '/diese-seite-gibt-es-nicht', status: 404 },
  { name: 'start page', as: 'member', path: '/' },
  { name: 'privacy notice', as: 'anonymous', path: '/datenschutz' },
  { name: 'imprint', as: 'anonymous', path: '/impressum' },
  { name: 'accessibility statement', as: 'anonymous', path: '/barrierefreiheit' },
]

const locales = ['de', 'en'] as const
const widths = [1280, 320] as const

describeInBrowser('every page', () => {
  let b: BrowserApp
  const accounts = new Map<Role, { email: string; password: string }>()
  /** locale → path → title, for the uniqueness check at the end. */
  const titles: Record<string, Map<string, string>> = { de: new Map(), en: new Map() }

  beforeAll(async () => {
    b = await startBrowserApp()
    for (const role of new Set(pages.map((p) => p.as))) {
      if (role !== 'anonymous') accounts.set(role, await buildUser(b.t.db, { role }))
    }
  })
  afterAll(() => b?.close())

  for (const locale of locales) {
    for (const width of widths) {
      it.each(pages)(`$name ($path) in ${locale} at ${width} px`, async ({ as, path, status = 200, setup }) => {
        await b.context.clearCookies()
        b.foreignRequests.length = 0
        const page = await b.newPage(width)
        try {
          if (as !== 'anonymous') {
            const account = accounts.get(as)!
            await signIn(page, account.email, account.password)
          }
          const response = await page.goto(path)
          expect(response?.status()).toBe(status)
          await useLanguage(page, locale)
          await setup?.(page)

          expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale)
          const title = (await page.title()).trim()
          expect(title).not.toBe('')
          titles[locale]!.set(path, title)

          await expectSkipLinkWorks(page)
          if (width <= 320) {
            const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth)
            expect(scrollWidth, 'the page scrolls sideways at 320 px').toBeLessThanOrEqual(320)
          }
          await expectNoAxeViolations(page)
          expect(b.foreignRequests).toEqual([])
        } finally {
          await page.close()
        }
      })
    }

    it(`gives every page its own title in ${locale}`, () => {
      const byTitle = new Map<string, string[]>()
      for (const [path, title] of titles[locale]!) byTitle.set(title, [...(byTitle.get(title) ?? []), path])
      const shared = [...byTitle].filter(([, paths]) => paths.length > 1).map(([title, paths]) => `${title}: ${paths.join(', ')}`)
      expect(titles[locale]!.size).toBe(new Set(pages.map((p) => p.path)).size)
      expect(shared).toEqual([])
    })
  }
})

/** The skip link is the first stop for the keyboard, shows up when focused and moves focus to the main content. */
async function expectSkipLinkWorks(page: Page) {
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
