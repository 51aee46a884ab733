import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildMunicipality, buildReply, buildThread, buildUser } from '../factories.ts'
import { type BrowserApp, describeInBrowser, expectNoAxeViolations, signIn, startBrowserApp, submitIn } from '../helpers/browser.ts'

type Person = Awaited<ReturnType<typeof buildUser>>

/**
 * The "Done when" of the forum issue, as new members would click it: ask a question and see similar
 * threads while typing, get an answer from another municipality, mark it solved, share a best practice
 * with a PDF, have two other municipalities adopt it, find it with a stemmed word, watch a thread and be
 * notified, report a post and handle the report as staff. Every page on the way is checked with axe.
 */
describeInBrowser('the forum in the browser', () => {
  let b: BrowserApp
  let page: Page
  const people: Record<'asker' | 'helper' | 'adopterC' | 'adopterD' | 'staff', Person> = {} as never
  let earlierThread: number

  beforeAll(async () => {
    b = await startBrowserApp({ DEMO: 'true', SMTP_URL: '' })
    const { db } = b.t
    const [adorf, bedorf, cedorf, dedorf] = await Promise.all(
      ['Adorf', 'Bedorf', 'Cedorf', 'Dedorf'].map((name) => buildMunicipality(db, { name, kind: 'Stadt', district: 'Landkreis Journey' })),
    )
    people.asker = await buildUser(db, { name: 'Anna Asker', municipality_id: adorf!.id })
    people.helper = await buildUser(db, { name: 'Bernd Helfer', municipality_id: bedorf!.id })
    people.adopterC = await buildUser(db, { name: 'Carla Cedorf', municipality_id: cedorf!.id })
    people.adopterD = await buildUser(db, { name: 'Dirk Dedorf', municipality_id: dedorf!.id })
    people.staff = await buildUser(db, { name: 'Sina Stab', role: 'staff' })
    // What the forum already knows: an older question like the one Anna is about to ask.
    const { thread } = await buildThread(db, {
      author: people.adopterC,
      title: 'Dolmetscher für Elterngespräche in der Kita',
      body: 'Wir suchen Dolmetscher für Gespräche mit Eltern. Wer hat Erfahrungen?',
    })
    await buildReply(db, thread.id, { author: people.adopterD, body: 'Wir arbeiten mit dem Sprachmittlerpool des Landkreises.' })
    earlierThread = thread.id
    page = await b.newPage()
  })
  afterAll(() => b?.close())

  async function as(person: Person) {
    await b.context.clearCookies()
    await signIn(page, person.email, person.password)
  }

  async function go(path: string) {
    const response = await page.goto(path)
    expect(response?.status(), path).toBe(200)
  }

  /** Clicks a submit button and waits for the page that answers. */
  async function press(form: string, button?: string) {
    expect(await submitIn(page, form, button), `status after ${form}`).toBe(200)
  }

  it('goes from a question to an adopted best practice, a notification and a handled report', async () => {
    // 1. Anna asks; while she types the title, similar threads appear.
    await as(people.asker)
    await go('/forums/integration')
    await expectNoAxeViolations(page, 'forum')
    await page.getByRole('link', { name: /Neues Thema/ }).first().click()
    await page.locator('#f-kind').selectOption('question')
    await page.locator('#f-title').pressSequentially('Dolmetscher für Elterngespräche', { delay: 10 })
    const similar = page.locator(`#similar-threads a[href="/threads/${earlierThread}"]`)
    await similar.waitFor()
    expect(await similar.innerText()).toBe('Dolmetscher für Elterngespräche in der Kita')
    await expectNoAxeViolations(page, 'new thread with similar threads')
    await page.locator('#f-body').fill('Wie finden Sie **Dolmetscher** für Elterngespräche? @bernd.helfer, haben Sie Erfahrung?')
    // Without JavaScript, the server-rendered preview shows the same similar threads.
    await press('main form[method="post"]', 'button[value="preview"]')
    expect(await page.locator(`#similar-threads a[href="/threads/${earlierThread}"]`).count()).toBe(1)
    expect(await page.locator('.post-preview').innerText()).toContain('Dolmetscher')
    await expectNoAxeViolations(page, 'preview of the question')
    await press('main form[method="post"]', 'button[value="publish"]')
    const questionUrl = new URL(page.url()).pathname
    expect(questionUrl).toMatch(/^\/threads\/\d+$/)
    const questionId = Number(questionUrl.split('/').pop())
    expect(await page.locator('h1').innerText()).toBe('Dolmetscher für Elterngespräche')
    // the mention links to Bernd's entry in the directory
    expect(await page.locator('.post a[href="/people?handle=bernd.helfer"]').innerText()).toBe('@bernd.helfer')
    await expectNoAxeViolations(page, 'the new question')

    // 2. Carla (another municipality) watches the question.
    await as(people.adopterC)
    await go(questionUrl)
    await press(`form[action="/threads/${questionId}/watch"]`, 'button[value="watching"]')
    expect(await page.locator('.watch').innerText()).toContain('Sie beobachten dieses Thema')

    // 3. Bernd of Bedorf answers.
    await as(people.helper)
    await go('/notifications')
    expect(await page.locator('main').innerText()).toContain('Anna Asker')
    await go(questionUrl)
    await page.locator(`form[action="/threads/${questionId}/replies"] textarea[name="body"]`).fill('Wir haben einen Rahmenvertrag mit dem Dolmetscherdienst des Landkreises.')
    await press(`form[action="/threads/${questionId}/replies"]`, 'button[value="publish"]')
    expect(await page.locator('main').innerText()).toContain('Rahmenvertrag mit dem Dolmetscherdienst')
    await expectNoAxeViolations(page, 'thread after the answer')
    const answerId = await b.t.db
      .selectFrom('posts')
      .select('id')
      .where('thread_id', '=', questionId)
      .where('position', '=', 2)
      .executeTakeFirstOrThrow()
      .then((r) => r.id)

    // 4. Carla sees the reply in her notifications (count in the header).
    await as(people.adopterC)
    await go('/')
    expect(await page.locator('header a[href="/notifications"] [aria-hidden="true"]').innerText()).toBe('(1)')
    await go('/notifications')
    const notification = page.locator(`main .notification a[href="/posts/${answerId}"]`)
    expect(await notification.innerText()).toContain('Bernd Helfer')
    await expectNoAxeViolations(page, 'notifications')
    await notification.click()
    await page.waitForURL((url) => url.pathname === questionUrl && url.hash === `#post-${answerId}`)

    // 5. Anna marks the answer as the solution.
    await as(people.asker)
    await go(questionUrl)
    await press(`form[action="/posts/${answerId}/solution"]`)
    expect(await page.locator('main').innerText()).toContain('Gelöst: Antwort von Bernd Helfer (Bedorf)')
    await expectNoAxeViolations(page, 'solved question')

    // 6. Anna shares a best practice with a model contract as PDF.
    await go('/forums/integration/new?kind=best_practice')
    await page.locator('#f-title').fill('Rahmenvertrag für Dolmetscher')
    await page.locator('#f-body').fill('So haben wir die Sprachmittlung für Elterngespräche geregelt.')
    await page.locator('#f-bp_situation').fill('Viele Eltern sprechen kaum Deutsch.')
    await page.locator('#f-bp_approach').fill('Ein Rahmenvertrag mit einem Dolmetscherdienst, abgerufen nach Bedarf.')
    await page.locator('#f-bp_effort').fill('Etwa 3.000 Euro im Jahr.')
    await page.locator('#f-files').setInputFiles({
      name: 'Mustervertrag.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
    })
    await press('main form[method="post"]', 'button[value="publish"]')
    const practiceUrl = new URL(page.url()).pathname
    const practiceId = Number(practiceUrl.split('/').pop())
    expect(await page.locator('.attachments a').innerText()).toBe('Mustervertrag.pdf')
    await expectNoAxeViolations(page, 'best practice with attachment')
    // Editing it lists the attachment with "entfernen".
    const opening = await b.t.db.selectFrom('posts').select('id').where('thread_id', '=', practiceId).where('position', '=', 1).executeTakeFirstOrThrow()
    await go(`/posts/${opening.id}/edit`)
    expect(await page.locator('.attachments-edit').innerText()).toContain('Mustervertrag.pdf')
    await expectNoAxeViolations(page, 'editing a post with an attachment')
    await page.setViewportSize({ width: 320, height: 800 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320)
    await expectNoAxeViolations(page, 'editing a post with an attachment at 320 px')
    await page.setViewportSize({ width: 1280, height: 800 })

    // 7. Cedorf and Dedorf adopt it.
    for (const person of [people.adopterC, people.adopterD]) {
      await as(person)
      await go(practiceUrl)
      await press(`form[action="/threads/${practiceId}/adopt"]`)
    }
    expect(await page.locator('#adoptions').innerText()).toContain('2 × übernommen: Cedorf, Dedorf')
    await expectNoAxeViolations(page, 'adopted best practice')

    // 8. A stemmed word finds it again.
    await go('/search?q=Dolmetschern')
    const results = page.locator('.search-result')
    await results.first().waitFor()
    const found = await page.locator('.search-result a').allInnerTexts()
    expect(found).toContain('Rahmenvertrag für Dolmetscher')
    expect(found).toContain('Dolmetscher für Elterngespräche')
    await expectNoAxeViolations(page, 'search results')

    // 9. Dirk reports Bernd's answer; staff hides it from the reports queue.
    await go(questionUrl)
    await page.locator(`a[href="/posts/${answerId}/report"]`).click()
    await page.waitForURL((url) => url.pathname === `/posts/${answerId}/report`)
    await expectNoAxeViolations(page, 'report form')
    await page.locator('#f-reason').fill('Enthält die Telefonnummer einer Privatperson.')
    await press(`form[action="/posts/${answerId}/report"]`)
    expect(await page.locator('main [role="status"]').first().innerText()).not.toBe('')

    await as(people.staff)
    await go('/moderation/reports')
    const row = page.locator('main tbody tr', { hasText: 'Enthält die Telefonnummer einer Privatperson.' })
    expect(await row.count()).toBe(1)
    await expectNoAxeViolations(page, 'reports queue')
    await press('main tbody tr:has-text("Enthält die Telefonnummer") form[action$="/hide"]')
    expect(await page.locator('main tbody tr', { hasText: 'Enthält die Telefonnummer einer Privatperson.' }).count()).toBe(0)

    await as(people.asker)
    await go(questionUrl)
    expect(await page.locator(`#post-${answerId}`).innerText()).toContain('ausgeblendet')
    expect(b.foreignRequests).toEqual([])
  })
})
