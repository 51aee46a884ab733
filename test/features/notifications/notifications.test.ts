import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mentionedHandles } from '../../../src/features/notifications/mentions.ts'
import {
  markThreadRead,
  notifyAdoption,
  notifyNewPost,
  notifySolution,
  threadViewerState,
} from '../../../src/features/notifications/notifications.service.ts'
import { listThreads } from '../../../src/features/forums/forums.queries.ts'
import { buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const now = () => t.clock.now()

/** What the forum's thread list counts as unread for the viewer, per thread; null for one never opened. */
async function unreadIn(forumId: number, viewerId: number) {
  const { threads } = await listThreads(t.db, forumId, {}, null, 100, viewerId)
  return new Map(threads.map((row) => [row.id, row.unread]))
}

async function notificationsOf(userId: number) {
  return t.db
    .selectFrom('notifications')
    .select(['kind', 'thread_id', 'post_id', 'actor_id', 'read_at'])
    .where('user_id', '=', userId)
    .orderBy('id')
    .execute()
}

/** A thread whose opening went through notifyNewPost, as the thread feature does it. */
async function openThread(options: Parameters<typeof buildThread>[1] = {}) {
  const built = await buildThread(t.db, options)
  await notifyNewPost(t.db, {
    threadId: built.thread.id,
    postId: built.post.id,
    authorId: built.author.id,
    body: built.post.body,
    isOpening: true,
    now: now(),
  })
  return built
}

async function reply(threadId: number, author: { id: number; municipality_id: number | null }, body = 'Eine Antwort.') {
  const post = await buildReply(t.db, threadId, { author, body })
  await notifyNewPost(t.db, { threadId, postId: post.id, authorId: author.id, body, isOpening: false, now: now() })
  return post
}

describe('handles for mentions', () => {
  it('derives a unique lower-case handle from the name, with umlauts spelled out', async () => {
    const first = await buildUser(t.db, { name: 'Erika Muster' })
    const second = await buildUser(t.db, { name: 'Erika  Muster' })
    const umlauts = await buildUser(t.db, { name: 'Jürgen Größe-Öztürk' })
    expect(first.handle).toBe('erika.muster')
    expect(second.handle).toBe('erika.muster2')
    expect(umlauts.handle).toBe('juergen.groesse.oeztuerk')
  })

  it('gives a renamed (or erased) account a new handle, so the old name does not survive in it', async () => {
    const user = await buildUser(t.db, { name: 'Hanna Vorher' })
    const renamed = await t.db
      .updateTable('users')
      .set({ name: 'Ehemaliges Mitglied' })
      .where('id', '=', user.id)
      .returning('handle')
      .executeTakeFirstOrThrow()
    expect(renamed.handle).toMatch(/^ehemaliges\.mitglied\d*$/)
  })

  it('finds @handles in text, but not in email addresses, code or quotes', () => {
    const text = [
      'Danke @erika.muster. Fragen Sie auch @Jan.Meyer2!',
      'Schreiben Sie an e.muster@example.de',
      '`@im.code` und',
      '```',
      '@im.block',
      '```',
      '> @zitiert schrieb etwas',
    ].join('\n')
    expect(mentionedHandles(text)).toEqual(['erika.muster', 'jan.meyer2'])
  })
})

describe('watching and replies', () => {
  it('lets the author watch their own thread and tells them of replies, never of their own posts', async () => {
    const { thread, author } = await openThread()
    const replier = await buildUser(t.db)
    expect((await threadViewerState(t.db, { userId: author.id, threadId: thread.id })).watchLevel).toBe('watching')

    const answer = await reply(thread.id, replier)
    expect(await notificationsOf(author.id)).toEqual([
      { kind: 'reply', thread_id: thread.id, post_id: answer.id, actor_id: replier.id, read_at: null },
    ])
    expect(await notificationsOf(replier.id)).toEqual([])

    // The replier now watches too, like the author: the author's answer reaches them.
    const back = await reply(thread.id, author)
    expect(await notificationsOf(replier.id)).toEqual([
      { kind: 'reply', thread_id: thread.id, post_id: back.id, actor_id: author.id, read_at: null },
    ])
    expect(await notificationsOf(author.id)).toHaveLength(1)
  })

  it('keeps a mute: a muted author replying stays muted and hears nothing', async () => {
    const { thread, author } = await openThread()
    await t.db.updateTable('thread_watches').set({ level: 'muted' }).where('user_id', '=', author.id).where('thread_id', '=', thread.id).execute()
    await reply(thread.id, author)
    await reply(thread.id, await buildUser(t.db))
    expect((await threadViewerState(t.db, { userId: author.id, threadId: thread.id })).watchLevel).toBe('muted')
    expect(await notificationsOf(author.id)).toEqual([])
  })

  it('tells forum watchers of new threads (not of replies), unless they muted the thread; inactive accounts hear nothing', async () => {
    const watcher = await buildUser(t.db)
    const muter = await buildUser(t.db)
    const inactive = await buildUser(t.db, { active: false })
    const forum = await t.db.selectFrom('forums').select('id').where('slug', '=', 'buergerschaftliches-engagement').executeTakeFirstOrThrow()
    for (const user of [watcher, muter, inactive]) {
      await t.db.insertInto('forum_watches').values({ user_id: user.id, forum_id: forum.id, level: 'watching' }).execute()
    }
    const built = await buildThread(t.db, { forum: 'buergerschaftliches-engagement' })
    await t.db.insertInto('thread_watches').values({ user_id: muter.id, thread_id: built.thread.id, level: 'muted' }).execute()
    await notifyNewPost(t.db, { threadId: built.thread.id, postId: built.post.id, authorId: built.author.id, body: built.post.body, isOpening: true, now: now() })
    await reply(built.thread.id, await buildUser(t.db))

    expect(await notificationsOf(watcher.id)).toEqual([
      { kind: 'reply', thread_id: built.thread.id, post_id: built.post.id, actor_id: built.author.id, read_at: null },
    ])
    expect(await notificationsOf(muter.id)).toEqual([])
    expect(await notificationsOf(inactive.id)).toEqual([])
  })
})

describe('mentions', () => {
  it('notifies active people mentioned by handle, once, instead of a reply notice', async () => {
    const erika = await buildUser(t.db, { name: 'Erika Erwähnt' })
    const gone = await buildUser(t.db, { name: 'Gerd Gegangen', active: false })
    const { thread } = await openThread({ author: erika })
    const writer = await buildUser(t.db)
    const body = `Fragen Sie @${erika.handle} oder @${gone.handle} oder @niemand.bekannt`
    const post = await reply(thread.id, writer, body)
    // Delivered twice (a retry): still one notification.
    await notifyNewPost(t.db, { threadId: thread.id, postId: post.id, authorId: writer.id, body, isOpening: false, now: now() })

    expect(await notificationsOf(erika.id)).toEqual([
      { kind: 'mention', thread_id: thread.id, post_id: post.id, actor_id: writer.id, read_at: null },
    ])
    expect(await notificationsOf(gone.id)).toEqual([])
  })

  it('does not notify someone who muted the thread, nor the writer mentioning themselves', async () => {
    const muted = await buildUser(t.db, { name: 'Mira Stumm' })
    const { thread } = await openThread()
    await t.db.insertInto('thread_watches').values({ user_id: muted.id, thread_id: thread.id, level: 'muted' }).execute()
    const writer = await buildUser(t.db, { name: 'Selma Selbst' })
    await reply(thread.id, writer, `@${muted.handle} und ich, @${writer.handle}`)
    expect(await notificationsOf(muted.id)).toEqual([])
    expect(await notificationsOf(writer.id)).toEqual([])
  })
})

describe('solutions and adoptions', () => {
  it('tells the asker and the answer’s author when staff marks a solution, but not the one who marked it', async () => {
    const { thread, author: asker } = await openThread()
    const helper = await buildUser(t.db)
    const staff = await buildUser(t.db, { role: 'staff' })
    const answer = await reply(thread.id, helper)
    await t.db.deleteFrom('notifications').execute()

    await notifySolution(t.db, { threadId: thread.id, postId: answer.id, actorId: staff.id, now: now() })
    expect((await notificationsOf(asker.id)).map((n) => n.kind)).toEqual(['solution'])
    expect((await notificationsOf(helper.id)).map((n) => n.kind)).toEqual(['solution'])

    const { thread: second, author: asker2 } = await openThread()
    const answer2 = await reply(second.id, helper)
    await notifySolution(t.db, { threadId: second.id, postId: answer2.id, actorId: asker2.id, now: now() })
    expect((await notificationsOf(asker2.id)).filter((n) => n.kind === 'solution')).toEqual([])
    expect((await notificationsOf(helper.id)).filter((n) => n.kind === 'solution')).toHaveLength(2)
  })

  it('tells the author of a best practice when it is adopted, again when another municipality adopts it', async () => {
    const { thread, author } = await openThread({ kind: 'best_practice' })
    const adopter = await buildUser(t.db)
    const another = await buildUser(t.db)
    await notifyAdoption(t.db, { threadId: thread.id, actorId: adopter.id, now: now() })
    await notifyAdoption(t.db, { threadId: thread.id, actorId: adopter.id, now: now() })
    let rows = await notificationsOf(author.id)
    expect(rows).toEqual([{ kind: 'adopted', thread_id: thread.id, post_id: null, actor_id: adopter.id, read_at: null }])

    await t.db.updateTable('notifications').set({ read_at: now() }).where('user_id', '=', author.id).execute()
    await notifyAdoption(t.db, { threadId: thread.id, actorId: another.id, now: now() })
    rows = await notificationsOf(author.id)
    expect(rows).toEqual([{ kind: 'adopted', thread_id: thread.id, post_id: null, actor_id: another.id, read_at: null }])

    await notifyAdoption(t.db, { threadId: thread.id, actorId: author.id, now: now() })
    expect(await notificationsOf(author.id)).toHaveLength(1)
  })
})

describe('read positions', () => {
  it('keeps the highest position read, counts unread posts and marks seen notifications read', async () => {
    const author = await buildUser(t.db)
    const { thread } = await openThread({ author })
    const other = await openThread()
    const replies = []
    for (let i = 0; i < 3; i++) replies.push(await reply(thread.id, await buildUser(t.db)))
    expect(await notificationsOf(author.id)).toHaveLength(3)

    await markThreadRead(t.db, { userId: author.id, threadId: thread.id, position: 2, now: now() })
    await markThreadRead(t.db, { userId: author.id, threadId: thread.id, position: 1, now: now() })
    expect((await threadViewerState(t.db, { userId: author.id, threadId: thread.id })).lastReadPosition).toBe(2)
    const counts = await unreadIn(thread.forum_id, author.id)
    expect(counts.get(thread.id)).toBe(2)
    expect(counts.get(other.thread.id)).toBeNull()
    // a hidden reply is nobody's to read
    await t.db.updateTable('posts').set({ hidden_at: now() }).where('id', '=', replies[2]!.id).execute()
    expect((await unreadIn(thread.forum_id, author.id)).get(thread.id)).toBe(1)
    await t.db.updateTable('posts').set({ hidden_at: null }).where('id', '=', replies[2]!.id).execute()
    // the forum page shows it beside the thread, and nothing beside a thread never opened
    const agent = t.agent()
    await login(agent, author.email, author.password)
    const forum = await t.db.selectFrom('forums').select('slug').where('id', '=', thread.forum_id).executeTakeFirstOrThrow()
    const list = (await agent.get(`/forums/${forum.slug}`).expect(200)).text
    const rowOf = (id: number) => list.slice(list.indexOf(`id="thread-${id}"`)).split('</li>')[0]!
    expect(rowOf(thread.id)).toContain('<span class="badge">2 ungelesen</span>')
    expect(rowOf(other.thread.id)).not.toContain('ungelesen')
    const read = (await notificationsOf(author.id)).map((n) => [n.post_id, n.read_at !== null])
    expect(read).toEqual([
      [replies[0]!.id, true],
      [replies[1]!.id, false],
      [replies[2]!.id, false],
    ])

    await markThreadRead(t.db, { userId: author.id, threadId: thread.id, position: 4, now: now() })
    expect((await unreadIn(thread.forum_id, author.id)).get(thread.id)).toBe(0)
    expect((await notificationsOf(author.id)).every((n) => n.read_at !== null)).toBe(true)
  })
})

describe('pages', () => {
  it('shows the unread count in the header and lists notifications with links to the posts', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    let home = await agent.get('/')
    expect(home.text).toContain('<a href="/notifications">Benachrichtigungen</a>')

    const { thread } = await openThread({ author: user, title: 'Dolmetscher für Elterngespräche' })
    const replier = await buildUser(t.db, { name: 'Rita Antwort' })
    const answer = await reply(thread.id, replier)
    const mentioner = await buildUser(t.db, { name: 'Max Erwähner' })
    const mention = await reply(thread.id, mentioner, `Siehe auch @${user.handle}`)

    home = await agent.get('/')
    expect(home.text).toContain('Benachrichtigungen <span aria-hidden="true">(2)</span><span class="visually-hidden">(2 ungelesen)</span>')
    const list = await agent.get('/notifications')
    expect(list.status).toBe(200)
    const items = [...list.text.matchAll(/<li class="notification[^"]*">([\s\S]*?)<\/li>/g)].map((m) => m[1]!)
    expect(items).toHaveLength(2)
    expect(items[0]).toContain(`<a href="/posts/${mention.id}">Max Erwähner hat Sie in „Dolmetscher für Elterngespräche“ erwähnt.</a>`)
    expect(items[1]).toContain(`<a href="/posts/${answer.id}">Rita Antwort hat in „Dolmetscher für Elterngespräche“ geantwortet.</a>`)
    expect(items[1]).toContain('ungelesen')

    const done = await submitForm(agent, '/notifications', '/notifications/read-all', {})
    expect(done.status).toBe(303)
    const after = await agent.get('/notifications')
    expect(after.text).toContain('Alle Benachrichtigungen sind als gelesen markiert.')
    expect(after.text).not.toContain('<span class="badge">ungelesen</span>')
    expect(after.text).toContain('<a href="/notifications">Benachrichtigungen</a>')
  })

  it('the thread page that reads notifications already counts without them in its header', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const { thread } = await openThread({ author: user, title: 'Kopfzeile zählt mit' })
    await reply(thread.id, await buildUser(t.db))
    const { thread: other } = await openThread({ author: user, title: 'Noch ein Thema' })
    await reply(other.id, await buildUser(t.db))
    expect((await agent.get('/')).text).toContain('(2 ungelesen)')
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('(1 ungelesen)')
    expect((await agent.get('/')).text).toContain('(1 ungelesen)')
  })

  it('speaks English and pages back through older notifications', async () => {
    const user = await buildUser(t.db, { locale: 'en' })
    const { thread } = await openThread({ author: user, title: 'Many replies' })
    for (let i = 0; i < 31; i++) await reply(thread.id, await buildUser(t.db, { name: `Replier ${i}` }))
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const first = await agent.get('/notifications')
    expect(first.text).toContain('Replier 30 replied in “Many replies”.')
    expect(first.text).toContain('(31 unread)')
    const older = first.text.match(/href="([^"]+)" rel="next"/)?.[1]?.replace(/&#x3D;/g, '=')
    expect(older).toMatch(/^\/notifications\?before=\d+$/)
    const second = await agent.get(older!)
    expect(second.text).toContain('Replier 0 replied')
    expect(second.text).not.toContain('Replier 30 replied')
  })

  it('watches, mutes and unwatches a thread and a forum through the buttons', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const { thread } = await buildThread(t.db)
    const level = async () => (await threadViewerState(t.db, { userId: user.id, threadId: thread.id })).watchLevel

    let res = await submitForm(agent, '/', `/threads/${thread.id}/watch`, { level: 'watching' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/threads/${thread.id}`)
    expect(await level()).toBe('watching')
    await submitForm(agent, '/', `/threads/${thread.id}/watch`, { level: 'muted' })
    expect(await level()).toBe('muted')
    await submitForm(agent, '/', `/threads/${thread.id}/watch`, { level: 'none' })
    expect(await level()).toBe('none')

    expect((await submitForm(agent, '/', `/threads/${thread.id}/watch`, { level: 'everything' })).status).toBe(400)
    expect((await submitForm(agent, '/', `/threads/999999/watch`, { level: 'watching' })).status).toBe(404)

    res = await submitForm(agent, '/', '/forums/integration/watch', { level: 'watching' })
    expect(res.headers.location).toBe('/forums/integration')
    const forumWatch = await t.db.selectFrom('forum_watches').select('level').where('user_id', '=', user.id).execute()
    expect(forumWatch).toEqual([{ level: 'watching' }])
    const watching = 'Sie beobachten dieses Forum: neue Themen werden Ihnen gemeldet.'
    expect((await agent.get('/forums/integration')).text).toContain(watching)
    expect((await agent.get('/forums/buergerschaftliches-engagement')).text).toContain('Sie beobachten dieses Forum nicht.')
    await submitForm(agent, '/', '/forums/integration/watch', { level: 'none' })
    expect(await t.db.selectFrom('forum_watches').select('level').where('user_id', '=', user.id).execute()).toEqual([])
    expect((await agent.get('/forums/integration')).text).toContain('Sie beobachten dieses Forum nicht.')
    expect((await submitForm(agent, '/', '/forums/gibt-es-nicht/watch', { level: 'watching' })).status).toBe(404)
  })

  it('sends anonymous visitors to the sign-in page', async () => {
    const res = await t.agent().get('/notifications')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login?next=%2Fnotifications')
  })
})
