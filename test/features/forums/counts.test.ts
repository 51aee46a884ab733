import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NEW_SINCE_CAP, recordForumVisit, startPageActivity } from '../../../src/features/forums/forums.queries.ts'
import { hidePostRow, setThreadForum, unhidePostRow } from '../../../src/features/moderation/moderation.queries.ts'
import { addReply, createThread, deletePost, restorePost } from '../../../src/features/threads/threads.queries.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'

let t: TestApp
let forumIds: Record<string, number>
beforeAll(async () => {
  t = await createTestApp()
  const forums = await t.db.selectFrom('forums').select(['id', 'slug']).execute()
  forumIds = Object.fromEntries(forums.map((f) => [f.slug, f.id]))
})
afterAll(() => t.close())

/** The start page's counts, as startPageActivity reads them (the same for everyone: nobody's here). */
const forumCounts = async () => (await startPageActivity(t.db, 0)).counts
/** What the start page shows `userId` as new since their last visit of each forum. */
const newSinceLastVisit = async (userId: number) => (await startPageActivity(t.db, userId)).fresh

/** What the start page used to count for every request: the truth the counters must agree with. */
async function recount() {
  const { rows } = await sql<{ forum_id: number; threads: number; posts: number }>`
    SELECT f.id AS forum_id, count(t.id)::int AS threads, coalesce(sum(t.reply_count + 1), 0)::int AS posts
    FROM forums f LEFT JOIN threads t ON t.forum_id = f.id AND t.deleted_at IS NULL GROUP BY f.id
  `.execute(t.db)
  return new Map(rows.map((r) => [r.forum_id, { threads: r.threads, posts: r.posts }]))
}

async function expectCounts(slug: string, expected: { threads: number; posts: number }) {
  const counts = await forumCounts()
  expect(counts.get(forumIds[slug]!)).toEqual(expected)
  expect(counts).toEqual(await recount())
}

async function newThread(slug: string, authorId: number, now = t.clock.now()) {
  return t.db.transaction().execute((trx) =>
    createThread(trx, {
      forumId: forumIds[slug]!,
      authorId,
      municipalityId: null,
      kind: 'question',
      title: 'Zählen',
      body: 'Eröffnung',
      bestPractice: { bp_situation: null, bp_approach: null, bp_effort: null, bp_contact: null },
      now,
    }),
  )
}

async function newReply(threadId: number, authorId: number, now: Date) {
  return t.db.transaction().execute((trx) => addReply(trx, { threadId, authorId, municipalityId: null, body: 'Antwort', now }))
}

describe('forum counters', () => {
  it('follow new threads and replies, deleted and restored posts, hidden opening posts and moves', async () => {
    const a = 'integration'
    const b = 'buergerschaftliches-engagement'
    const start = { a: (await forumCounts()).get(forumIds[a]!)!, b: (await forumCounts()).get(forumIds[b]!)! }
    const plus = (base: { threads: number; posts: number }, threads: number, posts: number) => ({
      threads: base.threads + threads,
      posts: base.posts + posts,
    })
    const user = await buildUser(t.db)
    const first = await newThread(a, user.id)
    const second = await newThread(a, user.id)
    await expectCounts(a, plus(start.a, 2, 2))

    const reply = await t.db.transaction().execute((trx) =>
      addReply(trx, { threadId: first.threadId, authorId: user.id, municipalityId: null, body: 'Antwort', now: t.clock.now() }),
    )
    await expectCounts(a, plus(start.a, 2, 3))

    const removeReply = { postId: reply.postId, threadId: first.threadId, position: reply.position }
    await t.db.transaction().execute((trx) => deletePost(trx, { ...removeReply, actorId: user.id, now: t.clock.now() }))
    await expectCounts(a, plus(start.a, 2, 2))
    await t.db.transaction().execute((trx) => restorePost(trx, removeReply))
    await expectCounts(a, plus(start.a, 2, 3))

    // deleting the opening post deletes the thread with its replies
    const removeThread = { postId: first.postId, threadId: first.threadId, position: 1 }
    await t.db.transaction().execute((trx) => deletePost(trx, { ...removeThread, actorId: user.id, now: t.clock.now() }))
    await expectCounts(a, plus(start.a, 1, 1))
    await t.db.transaction().execute((trx) => restorePost(trx, removeThread))
    await expectCounts(a, plus(start.a, 2, 3))

    // a hidden opening post takes its thread out
    await hidePostRow(t.db, { postId: second.postId, actorId: user.id, reason: 'Spam', now: t.clock.now() })
    await expectCounts(a, plus(start.a, 1, 2))
    await unhidePostRow(t.db, second.postId)
    await expectCounts(a, plus(start.a, 2, 3))

    // moved with its reply to another forum
    expect(await setThreadForum(t.db, first.threadId, forumIds[b]!)).toBe(true)
    await expectCounts(a, plus(start.a, 1, 1))
    await expectCounts(b, plus(start.b, 1, 2))

    // removed for good
    await t.db.deleteFrom('threads').where('id', '=', first.threadId).execute()
    await expectCounts(b, start.b)
  })

  it('follow many threads changed in one statement, as an import does', async () => {
    const user = await buildUser(t.db)
    const before = await recount()
    const forum = forumIds.integration!
    await sql`
      INSERT INTO threads (forum_id, author_id, title, reply_count, created_at, last_post_at)
      SELECT ${forum}, ${user.id}, 'Import ' || n, n % 3, now(), now() FROM generate_series(1, 30) n
    `.execute(t.db)
    const counted = (await forumCounts()).get(forum)
    expect(counted).toEqual({ threads: before.get(forum)!.threads + 30, posts: before.get(forum)!.posts + 60 })
    expect(await forumCounts()).toEqual(await recount())
    await sql`UPDATE threads SET reply_count = reply_count + 1 WHERE title LIKE 'Import %'`.execute(t.db)
    await sql`UPDATE threads SET deleted_at = now() WHERE title LIKE 'Import %' AND reply_count = 1`.execute(t.db)
    expect(await forumCounts()).toEqual(await recount())
  })

  it("count what is new since each forum's own last visit, from others only", async () => {
    const me = await buildUser(t.db)
    const other = await buildUser(t.db)
    const [a, b] = ['aufnahme-unterbringung-versorgung', 'buergerschaftliches-engagement']
    const at = (minutes: number) => new Date(Date.parse('2030-01-01T08:00:00Z') + minutes * 60_000)
    await recordForumVisit(t.db, me.id, forumIds[a]!, at(0))
    const early = await newThread(a, other.id, at(60))
    await newThread(b, other.id, at(60)) // before my visit of b: not new there
    await recordForumVisit(t.db, me.id, forumIds[b]!, at(61))
    const late = await newThread(b, other.id, at(120))
    await newReply(early.threadId, other.id, at(120))
    await newReply(late.threadId, other.id, at(121))
    await newReply(late.threadId, me.id, at(122)) // my own: never new to me
    await newThread(a, me.id, at(123))
    const fresh = await newSinceLastVisit(me.id)
    expect(fresh).toEqual(
      new Map([
        [forumIds[a]!, { threads: 1, posts: 1 }],
        [forumIds[b]!, { threads: 1, posts: 1 }],
      ]),
    )
    expect((await newSinceLastVisit(other.id)).size).toBe(0)
  })

  it('count up to the cap, shown as "99+", and exactly below it, however long ago the visit was', async () => {
    const me = await buildUser(t.db)
    const other = await buildUser(t.db)
    const [busy, quiet] = ['aufnahme-unterbringung-versorgung', 'integration']
    const at = (days: number, minutes = 0) => new Date(Date.parse('2031-01-01T08:00:00Z') + days * 86_400_000 + minutes * 60_000)
    // A long thread, written before my visits: only what comes after them is new.
    const long = await newThread(quiet, other.id, at(0))
    await t.db.transaction().execute(async (trx) => {
      for (let i = 1; i <= 2 * NEW_SINCE_CAP; i++) await addReply(trx, { threadId: long.threadId, authorId: other.id, municipalityId: null, body: 'Alt', now: at(0, i) })
    })
    const hot = await newThread(busy, other.id, at(0))
    await recordForumVisit(t.db, me.id, forumIds[busy]!, at(1))
    await recordForumVisit(t.db, me.id, forumIds[quiet]!, at(1))

    // A year later: more than the cap of threads and replies in one forum, a few in the other.
    await t.db.transaction().execute(async (trx) => {
      for (let i = 1; i <= NEW_SINCE_CAP + 5; i++) await addReply(trx, { threadId: hot.threadId, authorId: other.id, municipalityId: null, body: 'Neu', now: at(365, i) })
      for (let i = 1; i <= 3; i++) await addReply(trx, { threadId: long.threadId, authorId: other.id, municipalityId: null, body: 'Neu', now: at(366, i) })
      await addReply(trx, { threadId: long.threadId, authorId: me.id, municipalityId: null, body: 'Meine', now: at(366, 5) })
    })
    await sql`
      INSERT INTO threads (forum_id, author_id, title, created_at, last_post_at)
      SELECT ${forumIds[busy]!}, ${other.id}, 'Viele ' || n, ${at(365)}::timestamptz + n * interval '1 minute', ${at(365)}::timestamptz + n * interval '1 minute'
      FROM generate_series(1, ${NEW_SINCE_CAP + 5}) n
    `.execute(t.db)
    expect(await newSinceLastVisit(me.id)).toEqual(
      new Map([
        [forumIds[busy]!, { threads: NEW_SINCE_CAP, posts: NEW_SINCE_CAP }],
        [forumIds[quiet]!, { threads: 0, posts: 3 }],
      ]),
    )

    // The start page says "99+" where the count reached the cap, the exact number elsewhere.
    const agent = t.agent()
    await login(agent, me.email, me.password)
    const page = await agent.get('/')
    expect(page.status).toBe(200)
    const card = (slug: string) => page.text.slice(page.text.indexOf(`/forums/${slug}"`)).split('</li>')[0]!
    expect(card(busy)).toContain(`${NEW_SINCE_CAP - 1}+ neue Themen, ${NEW_SINCE_CAP - 1}+ neue Antworten`)
    expect(card(quiet)).toContain('0 neue Themen, 3 neue Antworten')
  })
})
