import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { DAY } from '../../src/lib/clock.ts'
import { newToken } from '../../src/lib/tokens.ts'
import { buildUser } from '../factories.ts'
import { describeEveryPage, showing, submitIn, submitsWithErrors } from '../helpers/browser.ts'
import { buildThread } from '../factories.ts'

/**
 * Every page of the mail feature in every state: the settings, one-click unsubscribe (as a mail client's
 * user arrives, without a session), and the admins' delivery view. DEMO: the admin works without 2FA.
 */

type Accounts = 'member' | 'admin'
type Data = { unsubscribePath: string; watchlistUnsubscribePath: string }

/** The select cannot send a wrong hour; a tampered form can, and must be refused at the field. */
async function tamperedHour(page: Page) {
  await page.locator('#f-digest_hour').evaluate((select: HTMLSelectElement) => {
    select.options[0]!.value = '99'
    select.selectedIndex = 0
  })
  await submitsWithErrors('form[action="/account/mail"]')(page)
  await page.locator('#f-digest_hour-error').waitFor()
}

describeEveryPage<Accounts, Data>({
  title: 'every page of the mail settings, unsubscribe and delivery view',
  env: { DEMO: 'true', SMTP_URL: '' },
  async prepare(b) {
    const { db, clock } = b.t
    const now = clock.now()
    const member = await buildUser(db, { name: 'Mia Mitglied' })
    const admin = await buildUser(db, { role: 'admin', name: 'Anna Admin' })
    await buildThread(db, { title: 'Wer hat Erfahrung mit E-Akten?', at: new Date(now.getTime() - DAY) })
    const { token, hash } = newToken()
    await db.insertInto('unsubscribe_tokens').values({ token_hash: hash, user_id: member.id, list: 'digest', created_at: now }).execute()
    const watchlist = newToken()
    await db.insertInto('unsubscribe_tokens').values({ token_hash: watchlist.hash, user_id: admin.id, list: 'watchlist', created_at: now }).execute()
    const delivery = (status: 'sent' | 'failed' | 'skipped_empty', periodKey: string) => ({
      user_id: member.id,
      kind: 'digest' as const,
      period_key: periodKey,
      status,
      since: new Date(now.getTime() - 7 * DAY),
      until: now,
      message_id: `<${periodKey}@forum.test>`,
      attempts: status === 'failed' ? 2 : 1,
      created_at: now,
      sent_at: status === 'sent' ? now : null,
      last_error: status === 'failed' ? 'connect ECONNREFUSED 127.0.0.1:25' : null,
      next_attempt_at: status === 'failed' ? new Date(now.getTime() + DAY) : null,
    })
    await db
      .insertInto('digest_deliveries')
      .values([delivery('sent', 'weekly:2026-02-16'), delivery('skipped_empty', 'weekly:2026-02-23'), delivery('failed', 'weekly:2026-03-02')])
      .execute()
    return { accounts: { member, admin }, data: { unsubscribePath: `/unsubscribe/${token}`, watchlistUnsubscribePath: `/unsubscribe/${watchlist.token}` } }
  },
  cases: [
    { name: 'mail settings', as: 'member', path: '/account/mail', setup: showing('#f-watchlist_alerts', 0) },
    { name: 'mail settings with a tampered hour', as: 'member', path: '/account/mail', setup: tamperedHour },
    { name: 'mail settings of an admin, with the watchlist alerts', as: 'admin', path: '/account/mail', setup: showing('#f-watchlist_alerts') },
    {
      name: 'mail settings saved',
      as: 'member',
      path: '/account/mail',
      setup: async (page) => {
        await page.locator('#f-digest').selectOption('daily')
        expect(await submitIn(page, 'form[action="/account/mail"]')).toBe(200)
        await page.locator('.flash, [role="status"]').first().waitFor()
      },
    },
    { name: 'unsubscribe: the question', as: 'anonymous', path: (d) => d.unsubscribePath, setup: showing('main form button') },
    {
      name: 'unsubscribe: done',
      as: 'anonymous',
      path: (d) => d.unsubscribePath,
      setup: async (page) => {
        expect(await submitIn(page, 'main form')).toBe(200)
        await page.locator('main .notice').waitFor()
      },
    },
    {
      name: 'unsubscribe from watchlist alerts: done',
      as: 'anonymous',
      path: (d) => d.watchlistUnsubscribePath,
      setup: async (page) => {
        expect(await submitIn(page, 'main form')).toBe(200)
        await page.locator('main .notice').waitFor()
      },
    },
    { name: 'unsubscribe: unknown link', as: 'anonymous', path: '/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', status: 404 },
    { name: 'deliveries, a failure among them', as: 'admin', path: '/admin/mail', setup: showing('.delivery--failed') },
    {
      name: 'deliveries after a test digest',
      as: 'admin',
      path: '/admin/mail',
      setup: async (page) => {
        expect(await submitIn(page, 'form[action="/admin/mail/test-digest"]')).toBe(200)
        await page.locator('.flash, [role="status"]').first().waitFor()
      },
    },
  ],
})
