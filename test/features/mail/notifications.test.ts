import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DELIVERY_LEASE_MS } from '../../../src/features/mail/digest.service.ts'
import { deterministicMessageId } from '../../../src/features/mail/mail.headers.ts'
import { defaultMailSettings, findMailSettings, saveMailSettings } from '../../../src/features/mail/mail.queries.ts'
import { claimNotificationBatch, listPendingNotifications } from '../../../src/features/mail/notify.queries.ts'
import { runNotificationRound } from '../../../src/features/mail/notify.service.ts'
import { notifyNewPost } from '../../../src/features/notifications/notifications.service.ts'
import { MINUTE } from '../../../src/lib/clock.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, type TestApp } from '../../helpers/app.ts'
import { buildReply, buildThread } from '../../factories.ts'
import { headerLine, urlsIn } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t?.close()
})

const round = () => runNotificationRound({ db: t.db, config: t.config, mailer: t.app.deps.mailer }, t.clock.now())
const notificationMails = (email: string) => t.smtp.to(email).filter((m) => headerLine(m, 'List-Id')?.includes('notifications.'))

type User = Awaited<ReturnType<typeof buildUser>>

/** A reply by `author` now, through the notification service the thread feature calls. */
async function replyIn(threadId: number, author: User, body = 'Meine Antwort') {
  const now = t.clock.now()
  const post = await buildReply(t.db, threadId, { author, body, at: now })
  await notifyNewPost(t.db, { threadId, postId: post.id, authorId: author.id, body, isOpening: false, now })
  return post
}

async function watchedThread(watcher: User, title: string) {
  const { thread } = await buildThread(t.db, { title, at: t.clock.now() })
  await t.db.insertInto('thread_watches').values({ user_id: watcher.id, thread_id: thread.id, level: 'watching' }).execute()
  return thread
}

async function handleOf(user: User) {
  return (await t.db.selectFrom('users').select('handle').where('id', '=', user.id).executeTakeFirstOrThrow()).handle
}

describe('immediate notification mails', () => {
  it('batch what happens within a few minutes into one mail that links straight to the posts', async () => {
    t.clock.set('2026-03-03T10:00:00Z')
    const watcher = await buildUser(t.db, { name: 'Wanda Wach' })
    const others = await Promise.all([buildUser(t.db, { name: 'Otto Erster' }), buildUser(t.db, { name: 'Olga Zweite' })])
    const thread = await watchedThread(watcher, 'Parkraumbewirtschaftung')
    const first = await replyIn(thread.id, others[0]!)
    t.clock.advance(MINUTE)
    await replyIn(thread.id, others[1]!)
    t.clock.advance(MINUTE)
    const elsewhere = await buildThread(t.db, { title: 'Anderes Thema', at: t.clock.now() })
    const mention = await replyIn(elsewhere.thread.id, others[0]!, `Was meinen Sie, @${await handleOf(watcher)}?`)
    await round()
    expect(notificationMails(watcher.email)).toHaveLength(0)

    t.clock.advance(3 * MINUTE)
    await round()
    await round()
    const [mail, ...more] = notificationMails(watcher.email)
    expect(more).toHaveLength(0)
    expect(mail!.subject).toBe('Kommunalforum: 3 neue Benachrichtigungen')
    expect(mail!.text).toContain('Otto Erster hat in „Parkraumbewirtschaftung“ geantwortet.')
    expect(mail!.text).toContain('Olga Zweite hat in „Parkraumbewirtschaftung“ geantwortet.')
    expect(mail!.text).toContain('Otto Erster hat Sie in „Anderes Thema“ erwähnt.')
    expect(urlsIn(mail!)).toContain(`${t.config.baseUrl}/posts/${first.id}`)
    expect(urlsIn(mail!)).toContain(`${t.config.baseUrl}/posts/${mention.id}`)
    expect(mail!.html).toContain(`href="${t.config.baseUrl}/posts/${first.id}"`)
    expect(headerLine(mail!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    expect(headerLine(mail!, 'List-Unsubscribe')).toMatch(/^List-Unsubscribe: <http:\/\/forum\.test\/unsubscribe\/[A-Za-z0-9_-]{43}>$/)
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated')

    // Later news is the next batch.
    t.clock.advance(10 * MINUTE)
    await replyIn(thread.id, others[1]!)
    t.clock.advance(6 * MINUTE)
    await round()
    expect(notificationMails(watcher.email)).toHaveLength(2)
    expect(notificationMails(watcher.email)[1]!.subject).toBe('Kommunalforum: 1 neue Benachrichtigung')
  })

  it('follow the toggles per kind, and skip what was already read in the forum', async () => {
    t.clock.set('2026-03-04T10:00:00Z')
    const picky = await buildUser(t.db, { name: 'Petra Wählerisch' })
    const reader = await buildUser(t.db)
    const other = await buildUser(t.db, { name: 'Anton Andere' })
    await saveMailSettings(t.db, picky.id, { ...defaultMailSettings, notify_reply: false }, t.clock.now())
    const thread = await watchedThread(picky, 'Friedhofsgebühren')
    await t.db.insertInto('thread_watches').values({ user_id: reader.id, thread_id: thread.id, level: 'watching' }).execute()
    await replyIn(thread.id, other)
    await replyIn(thread.id, other, `Siehe @${await handleOf(picky)}`)
    await t.db.updateTable('notifications').set({ read_at: t.clock.now() }).where('user_id', '=', reader.id).execute()
    t.clock.advance(6 * MINUTE)
    await round()
    const mails = notificationMails(picky.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]!.text).toContain('Anton Andere hat Sie in „Friedhofsgebühren“ erwähnt.')
    expect(mails[0]!.text).not.toContain('geantwortet')
    expect(notificationMails(reader.email)).toHaveLength(0)
  })

  it('a batch claimed by a worker that died goes out once after the lease, with the same Message-ID', async () => {
    t.clock.set('2026-03-05T10:00:00Z')
    const watcher = await buildUser(t.db)
    const thread = await watchedThread(watcher, 'Kanalsanierung')
    await replyIn(thread.id, await buildUser(t.db))
    t.clock.advance(6 * MINUTE)
    const now = t.clock.now()
    const pending = (await listPendingNotifications(t.db, new Date(0))).filter((n) => n.user_id === watcher.id)
    const key = `notifications:${pending[0]!.id}`
    const messageId = deterministicMessageId(t.config, watcher.id, key)
    const claimed = await claimNotificationBatch(
      t.db,
      { user_id: watcher.id, kind: 'notifications', period_key: key, since: now, until: now, message_id: messageId },
      pending.map((n) => n.id),
      now,
      new Date(now.getTime() + DELIVERY_LEASE_MS),
    )
    expect(claimed).toBeDefined()
    await round()
    expect(notificationMails(watcher.email)).toHaveLength(0)
    t.clock.advance(DELIVERY_LEASE_MS + MINUTE)
    await Promise.all([round(), round()])
    await round()
    const mails = notificationMails(watcher.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]!.messageId).toBe(messageId)
  })

  it('one click on the unsubscribe link stops them all', async () => {
    t.clock.set('2026-03-06T10:00:00Z')
    const watcher = await buildUser(t.db)
    const thread = await watchedThread(watcher, 'Bürgerhaushalt')
    await replyIn(thread.id, await buildUser(t.db))
    t.clock.advance(6 * MINUTE)
    await round()
    const url = new URL(urlsIn(notificationMails(watcher.email)[0]!).find((u) => u.includes('/unsubscribe/'))!)
    const res = await supertest(t.app.server).post(url.pathname).type('form').send('List-Unsubscribe=One-Click')
    expect(res.status).toBe(200)
    const settings = await findMailSettings(t.db, watcher.id)
    expect(settings).toMatchObject({ notify_reply: false, notify_mention: false, notify_solution: false, notify_adopted: false, digest: 'weekly' })
    await replyIn(thread.id, await buildUser(t.db))
    t.clock.advance(6 * MINUTE)
    await round()
    expect(notificationMails(watcher.email)).toHaveLength(1)
  })
})
