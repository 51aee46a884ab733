import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { DEMO_PASSWORD, demoAccounts, seedDemo } from '../../seeds/demo.ts'
import { describeEveryPage, showing, submitIn, submitsWithErrors } from '../helpers/browser.ts'

/**
 * Every page of the forum itself (forums, threads, posts, search, people, notifications, moderation),
 * in every state, on the demo's data as a fresh `npm start` shows it. Add a row when a page or a state is added.
 */

type Accounts = 'member' | 'staff'
type Data = { forum: string; thread: number; reply: number; municipality: number }

async function previewOf(page: Page, fields: Record<string, string>) {
  for (const [name, value] of Object.entries(fields)) await page.locator(`#f-${name}`).fill(value)
  expect(await submitIn(page, 'main form[method="post"]', 'button[value="preview"]')).toBe(200)
}

const publishEmpty = (form: string) => submitsWithErrors(form, 'button[type="submit"]:not([value="preview"])')

describeEveryPage<Accounts, Data>({
  title: 'every page of the forum',
  env: { DEMO: 'true', SMTP_URL: '' },
  async prepare(b) {
    const { db, clock } = b.t
    expect(await seedDemo(db, clock.now())).toBe(true)
    const account = async (role: string) => {
      const email = demoAccounts.find((a) => a.role === role)!.email
      const user = await db.selectFrom('users').select(['id', 'municipality_id']).where('email', '=', email).executeTakeFirstOrThrow()
      return { id: user.id, email, password: DEMO_PASSWORD, municipalityId: user.municipality_id }
    }
    const member = await account('member')
    const staff = await account('staff')
    const forum = await db.selectFrom('forums').select('slug').orderBy('position').executeTakeFirstOrThrow()
    // The liveliest thread, and a reply in it that is not the member's own.
    const thread = await db
      .selectFrom('threads')
      .select('id')
      .where('deleted_at', 'is', null)
      .where('locked_at', 'is', null)
      .orderBy('reply_count', 'desc')
      .orderBy('id')
      .executeTakeFirstOrThrow()
    const reply = await db
      .selectFrom('posts')
      .select('id')
      .where('thread_id', '=', thread.id)
      .where('position', '>', 1)
      .where('author_id', '!=', member.id)
      .where('deleted_at', 'is', null)
      .where('hidden_at', 'is', null)
      .orderBy('position')
      .executeTakeFirstOrThrow()
    return {
      accounts: { member, staff },
      data: { forum: forum.slug, thread: thread.id, reply: reply.id, municipality: member.municipalityId! },
    }
  },
  cases: [
    { name: 'start page with the forums', as: 'member', path: '/' },
    { name: 'a forum', as: 'member', path: (d) => `/forums/${d.forum}` },
    { name: 'new thread', as: 'member', path: (d) => `/forums/${d.forum}/new` },
    {
      name: 'new thread with form errors',
      as: 'member',
      path: (d) => `/forums/${d.forum}/new`,
      setup: (page, { data }) => publishEmpty(`form[action="/forums/${data.forum}/new"]`)(page),
    },
    {
      name: 'new thread, preview',
      as: 'member',
      path: (d) => `/forums/${d.forum}/new`,
      setup: (page) => previewOf(page, { title: 'Unterbringung in Turnhallen vermeiden', body: 'Wie haben **Sie** das gelöst?\n\n- Container\n- Wohnungen' }),
    },
    { name: 'new best practice', as: 'member', path: (d) => `/forums/${d.forum}/new?kind=best_practice` },
    { name: 'a thread', as: 'member', path: (d) => `/threads/${d.thread}` },
    { name: 'replying', as: 'member', path: (d) => `/threads/${d.thread}/reply` },
    {
      name: 'replying with form errors',
      as: 'member',
      path: (d) => `/threads/${d.thread}/reply`,
      setup: (page, { data }) => publishEmpty(`form[action="/threads/${data.thread}/replies"]`)(page),
    },
    {
      name: 'replying, preview',
      as: 'member',
      path: (d) => `/threads/${d.thread}/reply`,
      setup: (page) => previewOf(page, { body: 'Bei uns hat das **gut** geklappt.' }),
    },
    { name: 'reporting a post', as: 'member', path: (d) => `/posts/${d.reply}/report` },
    {
      name: 'reporting a post with form errors',
      as: 'member',
      path: (d) => `/posts/${d.reply}/report`,
      setup: (page, { data }) => submitsWithErrors(`form[action="/posts/${data.reply}/report"]`)(page),
    },
    {
      name: 'a thread after reporting a post',
      as: 'member',
      path: (d) => `/posts/${d.reply}/report`,
      setup: async (page, { data }) => {
        const form = `form[action="/posts/${data.reply}/report"]`
        if (await page.locator(form).count()) {
          await page.locator('#f-reason').fill('Dieser Beitrag enthält personenbezogene Daten.')
          expect(await submitIn(page, form)).toBe(200)
          await page.locator('main [role="status"]').first().waitFor()
        } else {
          // Reported in the other language already: the page says so instead of showing the form again.
          await page.locator('main .notice').waitFor()
        }
      },
    },
    { name: 'search form', as: 'member', path: '/search' },
    { name: 'search results', as: 'member', path: '/search?q=Unterbringung', setup: showing('.search-result') },
    { name: 'search without results', as: 'member', path: '/search?q=Quastenflosser', setup: showing('.search-result', 0) },
    { name: 'people', as: 'member', path: '/people' },
    { name: 'a municipality', as: 'member', path: (d) => `/municipalities/${d.municipality}` },
    { name: 'notifications', as: 'member', path: '/notifications' },
    { name: 'reports for moderation', as: 'staff', path: '/moderation/reports', setup: showing('main tbody tr') },
    { name: 'a thread as staff', as: 'staff', path: (d) => `/threads/${d.thread}` },
    { name: 'hiding a post', as: 'staff', path: (d) => `/posts/${d.reply}/hide` },
    {
      name: 'hiding a post with form errors',
      as: 'staff',
      path: (d) => `/posts/${d.reply}/hide`,
      setup: (page, { data }) => submitsWithErrors(`form[action="/posts/${data.reply}/hide"]`)(page),
    },
    { name: 'moving a thread', as: 'staff', path: (d) => `/threads/${d.thread}/move` },
    { name: 'editing a post', as: 'staff', path: (d) => `/posts/${d.reply}/edit` },
    {
      name: 'editing a post with form errors',
      as: 'staff',
      path: (d) => `/posts/${d.reply}/edit`,
      setup: async (page, { data }) => {
        await page.locator('#f-body').fill('')
        await publishEmpty(`form[action="/posts/${data.reply}/edit"]`)(page)
      },
    },
    { name: 'a post’s history', as: 'staff', path: (d) => `/posts/${d.reply}/history` },
  ],
})
