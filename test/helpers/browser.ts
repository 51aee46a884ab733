import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { AxeBuilder } from '@axe-core/playwright'
import { type BrowserContext, chromium, type Page } from 'playwright-core'
import { describe, expect } from 'vitest'
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
  await page.waitForFunction((wanted) => document.documentElement.lang === wanted, locale)
  await page.waitForLoadState('load')
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']

/** Runs axe-core (WCAG 2.1 A and AA) and fails with a readable list of what it found. */
export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze()
  const report = results.violations.map((v) => {
    const nodes = v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
    return `${v.id} (${v.impact}): ${v.help}\n${nodes.join('\n')}`
  })
  if (report.length > 0) {
    expect.fail(`axe-core found ${report.length} violation(s) on ${page.url()}:\n${report.join('\n')}`)
  }
}
