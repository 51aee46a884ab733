import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/postgres'
import { compiledOnce, type Slots } from '../../db/compiled.ts'
import type { Database } from '../../db/database.ts'
import type { ThreadKind } from './threads.table.ts'

type Db = Kysely<Database> | Transaction<Database>

export const POSTS_PER_PAGE = 20

export type BestPracticeParts = {
  bp_situation: string | null
  bp_approach: string | null
  bp_effort: string | null
  bp_contact: string | null
}

/** Threads with what a thread page's header shows. */
function threadsWithHeader(db: Db) {
  return db
    .selectFrom('threads as t')
    .innerJoin('forums as f', 'f.id', 't.forum_id')
    .innerJoin('users as a', 'a.id', 't.author_id')
    .leftJoin('municipalities as m', 'm.id', 't.municipality_id')
    .select([
      't.id',
      't.forum_id',
      't.author_id',
      't.municipality_id',
      't.kind',
      't.title',
      't.bp_situation',
      't.bp_approach',
      't.bp_effort',
      't.bp_contact',
      't.solution_post_id',
      't.pinned_at',
      't.locked_at',
      't.created_at',
      't.last_post_at',
      't.reply_count',
      't.deleted_at',
      'f.slug as forum_slug',
      'f.name_de as forum_name_de',
      'f.name_en as forum_name_en',
      'a.name as author_name',
      'a.position as author_position',
      'a.erased_at as author_erased_at',
      'm.name as municipality_name',
      // The page count comes with the thread: one lookup in posts_thread_id_position_key, not a query of its own.
      sql<number>`(SELECT coalesce(max(p.position), 0) FROM posts p WHERE p.thread_id = t.id)`.as('last_position'),
    ])
}

/** A thread with what its page header shows. */
export async function findThread(db: Db, id: number) {
  return threadsWithHeader(db).where('t.id', '=', id).executeTakeFirst()
}
export type ThreadRow = NonNullable<Awaited<ReturnType<typeof findThread>>>

/** A post with the state of its thread that the access rules need. */
export async function findPost(db: Db, id: number) {
  return db
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('users as a', 'a.id', 'p.author_id')
    .select([
      'p.id',
      'p.thread_id',
      'p.position',
      'p.author_id',
      'p.body',
      'p.deleted_at',
      'p.hidden_at',
      'a.name as author_name',
    ])
    .where('p.id', '=', id)
    .executeTakeFirst()
}
export type PostRow = NonNullable<Awaited<ReturnType<typeof findPost>>>

export async function findOpeningPost(db: Db, threadId: number) {
  return db
    .selectFrom('posts')
    .select(['id', 'deleted_at', 'hidden_at'])
    .where('thread_id', '=', threadId)
    .where('position', '=', 1)
    .executeTakeFirst()
}

function displayedPosts(db: Db) {
  return db
    .selectFrom('posts as p')
    .innerJoin('users as a', 'a.id', 'p.author_id')
    .leftJoin('municipalities as m', 'm.id', 'p.municipality_id')
    .select([
      'p.id',
      'p.thread_id',
      'p.position',
      'p.author_id',
      'p.body',
      'p.created_at',
      'p.edited_at',
      'p.deleted_at',
      'p.hidden_at',
      'p.hidden_reason',
      'a.name as author_name',
      'a.position as author_position',
      'a.erased_at as author_erased_at',
      'm.name as municipality_name',
    ])
}

/** Posts as a page shows them: the "hilfreich" count, whether `viewerId` marked it, and its attachments (oldest first). */
function postsWithReactions(db: Db, viewerId: number) {
  return displayedPosts(db).select((eb) => [
    eb.selectFrom('post_reactions as r').select(eb.fn.countAll<number>().as('n')).whereRef('r.post_id', '=', 'p.id').as('helpful_count'),
    eb
      .exists(eb.selectFrom('post_reactions as r').select('r.post_id').whereRef('r.post_id', '=', 'p.id').where('r.user_id', '=', viewerId))
      .as('helped_by_me'),
    eb
      .selectFrom('attachments as f')
      .select(
        sql<AttachedFile[]>`json_agg(json_build_object('id', f.id, 'original_name', f.original_name, 'size_bytes', f.size_bytes, 'content_type', f.content_type) ORDER BY f.id)`.as(
          'files',
        ),
      )
      .whereRef('f.post_id', '=', 'p.id')
      .as('attachments'),
  ])
}

/**
 * The posts with positions from..to (inclusive) — positions never shift, so a page is a position range —
 * with their reactions and attachments. One query for the whole page.
 */
export async function postsOfPage(db: Db, threadId: number, from: number, to: number, viewerId: number) {
  return postsWithReactions(db, viewerId)
    .where('p.thread_id', '=', threadId)
    .where('p.position', '>=', from)
    .where('p.position', '<=', to)
    .orderBy('p.position')
    .execute()
}
export type PagePost = Awaited<ReturnType<typeof postsOfPage>>[number]

/**
 * All a thread page shows but the session, in one statement: each statement is a round trip to the
 * server, the largest part of what a page costs. The thread with its header, the municipalities that
 * marked it ("betrifft uns auch", "übernommen"), the posts with positions from..to, its solution, and
 * the viewer's watch choice, read position and whether notifications about it are unread.
 */
type PageSlots = { threadId: number; from: number; to: number; viewerId: number }
const threadPageStatement = compiledOnce((db: Kysely<Database>, slot: Slots<PageSlots>) => {
  const thread = sql.ref<number>('t.id')
  const viewerId = slot('viewerId')
  return threadsWithHeader(db)
    .select((eb) => [
      jsonArrayFrom(marksOf(db, 'thread_concerns', thread)).as('concerns'),
      jsonArrayFrom(marksOf(db, 'adoptions', thread)).as('adoptions'),
      jsonArrayFrom(
        postsWithReactions(db, viewerId)
          .where('p.thread_id', '=', thread)
          .where('p.position', '>=', slot('from'))
          .where('p.position', '<=', slot('to'))
          .orderBy('p.position'),
      ).as('posts'),
      jsonObjectFrom(displayedPosts(db).where('p.id', '=', sql.ref<number>('t.solution_post_id'))).as('solution'),
      eb
        .selectFrom('thread_watches as w')
        .select('w.level')
        .where('w.user_id', '=', viewerId)
        .whereRef('w.thread_id', '=', 't.id')
        .as('watch_level'),
      eb
        .selectFrom('thread_reads as tr')
        .select('tr.last_read_position')
        .where('tr.user_id', '=', viewerId)
        .whereRef('tr.thread_id', '=', 't.id')
        .as('last_read_position'),
      eb
        .exists(
          eb
            .selectFrom('notifications as n')
            .select('n.id')
            .where('n.user_id', '=', viewerId)
            .whereRef('n.thread_id', '=', 't.id')
            .where('n.read_at', 'is', null),
        )
        .as('unread_notifications'),
    ])
    .where('t.id', '=', slot('threadId'))
})

export async function findThreadPage(db: Db, input: PageSlots) {
  const [row] = await threadPageStatement(db, input)
  if (!row) return undefined
  const { concerns, adoptions, posts, solution, watch_level, last_read_position, unread_notifications, ...header } = row
  return {
    thread: header,
    concerns,
    adoptions,
    // JSON has no dates: they come back as text. Sorted here, as json_agg need not keep the subquery's order.
    posts: posts.map(revivePost).sort((a, b) => a.position - b.position),
    solution: solution ? revivePost(solution) : undefined,
    viewer: { watchLevel: watch_level ?? ('none' as const), lastReadPosition: last_read_position ?? 0, unreadNotifications: Boolean(unread_notifications) },
  }
}
export type ThreadPage = NonNullable<Awaited<ReturnType<typeof findThreadPage>>>

type DateKey = 'created_at' | 'edited_at' | 'deleted_at' | 'hidden_at' | 'author_erased_at'
type PostDates = { created_at: string } & { [K in DateKey]: string | null }
type Revived<P extends PostDates> = Omit<P, DateKey> & {
  created_at: Date
  edited_at: Date | null
  deleted_at: Date | null
  hidden_at: Date | null
  author_erased_at: Date | null
}
function revivePost<P extends PostDates>(post: P): Revived<P> {
  return {
    ...post,
    created_at: new Date(post.created_at),
    edited_at: dateOrNull(post.edited_at),
    deleted_at: dateOrNull(post.deleted_at),
    hidden_at: dateOrNull(post.hidden_at),
    author_erased_at: dateOrNull(post.author_erased_at),
  }
}
function dateOrNull(value: string | null): Date | null {
  return value === null ? null : new Date(value)
}
type AttachedFile = { id: number; original_name: string; size_bytes: number; content_type: string }

export async function displayedPost(db: Db, postId: number) {
  return displayedPosts(db).where('p.id', '=', postId).executeTakeFirst()
}
export type DisplayedPost = NonNullable<Awaited<ReturnType<typeof displayedPost>>>

export async function lastPosition(db: Db, threadId: number): Promise<number> {
  const row = await db
    .selectFrom('posts')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('thread_id', '=', threadId)
    .executeTakeFirst()
  return Number(row?.max ?? 0)
}

export async function createThread(
  trx: Transaction<Database>,
  input: {
    forumId: number
    authorId: number
    municipalityId: number | null
    kind: ThreadKind
    title: string
    body: string
    bestPractice: BestPracticeParts
    now: Date
  },
): Promise<{ threadId: number; postId: number }> {
  const thread = await trx
    .insertInto('threads')
    .values({
      forum_id: input.forumId,
      author_id: input.authorId,
      municipality_id: input.municipalityId,
      kind: input.kind,
      title: input.title,
      ...input.bestPractice,
      created_at: input.now,
      last_post_at: input.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const post = await trx
    .insertInto('posts')
    .values({
      thread_id: thread.id,
      position: 1,
      author_id: input.authorId,
      municipality_id: input.municipalityId,
      body: input.body,
      created_at: input.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return { threadId: thread.id, postId: post.id }
}

/** Appends a reply: the thread row is locked while the next position is taken, so positions never collide. */
export async function addReply(
  trx: Transaction<Database>,
  input: { threadId: number; authorId: number; municipalityId: number | null; body: string; now: Date },
): Promise<{ postId: number; position: number }> {
  await trx.selectFrom('threads').select('id').where('id', '=', input.threadId).forUpdate().executeTakeFirstOrThrow()
  const position = (await lastPosition(trx, input.threadId)) + 1
  const post = await trx
    .insertInto('posts')
    .values({
      thread_id: input.threadId,
      position,
      author_id: input.authorId,
      municipality_id: input.municipalityId,
      body: input.body,
      created_at: input.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  await trx
    .updateTable('threads')
    .set((eb) => ({ last_post_at: input.now, reply_count: eb('reply_count', '+', 1) }))
    .where('id', '=', input.threadId)
    .execute()
  return { postId: post.id, position }
}

/** Keeps the text before the edit as a revision (with the title for an opening post), then saves the new one. */
export async function editPost(
  trx: Transaction<Database>,
  input: {
    postId: number
    threadId: number
    editorId: number
    body: string
    now: Date
    /** Only for the opening post. */
    thread?: { title: string; bestPractice: BestPracticeParts | null }
  },
): Promise<void> {
  const before = await trx
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .select(['p.body', 't.title'])
    .where('p.id', '=', input.postId)
    .forUpdate()
    .executeTakeFirstOrThrow()
  await trx
    .insertInto('post_revisions')
    .values({
      post_id: input.postId,
      body: before.body,
      title: input.thread ? before.title : null,
      edited_by: input.editorId,
      created_at: input.now,
    })
    .execute()
  await trx.updateTable('posts').set({ body: input.body, edited_at: input.now }).where('id', '=', input.postId).execute()
  if (input.thread) {
    await trx
      .updateTable('threads')
      .set({ title: input.thread.title, ...(input.thread.bestPractice ?? {}) })
      .where('id', '=', input.threadId)
      .execute()
  }
}

/**
 * Soft delete. Deleting the opening post takes the thread out of every list; deleting a reply lowers the
 * reply count and, if it was the solution, the question is open again.
 */
export async function deletePost(
  trx: Transaction<Database>,
  input: { postId: number; threadId: number; position: number; actorId: number; now: Date },
): Promise<void> {
  await trx.selectFrom('threads').select('id').where('id', '=', input.threadId).forUpdate().execute()
  const deleted = await trx
    .updateTable('posts')
    .set({ deleted_at: input.now, deleted_by: input.actorId })
    .where('id', '=', input.postId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (Number(deleted.numUpdatedRows) === 0) return
  if (input.position === 1) {
    await trx.updateTable('threads').set({ deleted_at: input.now }).where('id', '=', input.threadId).execute()
    return
  }
  await trx
    .updateTable('threads')
    .set((eb) => ({
      reply_count: sql<number>`greatest(${eb.ref('reply_count')} - 1, 0)`,
      solution_post_id: sql<number | null>`nullif(${eb.ref('solution_post_id')}, ${input.postId})`,
    }))
    .where('id', '=', input.threadId)
    .execute()
}

export async function restorePost(
  trx: Transaction<Database>,
  input: { postId: number; threadId: number; position: number },
): Promise<void> {
  await trx.selectFrom('threads').select('id').where('id', '=', input.threadId).forUpdate().execute()
  const restored = await trx
    .updateTable('posts')
    .set({ deleted_at: null, deleted_by: null })
    .where('id', '=', input.postId)
    .where('deleted_at', 'is not', null)
    .executeTakeFirst()
  if (Number(restored.numUpdatedRows) === 0) return
  await trx
    .updateTable('threads')
    .set((eb) => (input.position === 1 ? { deleted_at: null } : { reply_count: eb('reply_count', '+', 1) }))
    .where('id', '=', input.threadId)
    .execute()
}

export async function setSolution(db: Db, threadId: number, postId: number | null): Promise<void> {
  await db.updateTable('threads').set({ solution_post_id: postId }).where('id', '=', threadId).execute()
}

export async function revisionsOf(db: Db, postId: number) {
  return db
    .selectFrom('post_revisions as r')
    .leftJoin('users as u', 'u.id', 'r.edited_by')
    .select(['r.id', 'r.body', 'r.title', 'r.created_at', 'u.name as editor_name'])
    .where('r.post_id', '=', postId)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .execute()
}

/** Sets or removes one person's "hilfreich"; true when something changed. */
export async function setHelpful(db: Db, input: { postId: number; userId: number; on: boolean; now: Date }): Promise<boolean> {
  if (input.on) {
    const result = await db
      .insertInto('post_reactions')
      .values({ post_id: input.postId, user_id: input.userId, created_at: input.now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  }
  const result = await db
    .deleteFrom('post_reactions')
    .where('post_id', '=', input.postId)
    .where('user_id', '=', input.userId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export type MarkTable = 'thread_concerns' | 'adoptions'

/** Sets or removes a municipality's mark ("betrifft uns auch", "übernommen"); true when something changed. */
export async function setMunicipalityMark(
  db: Db,
  table: MarkTable,
  input: { threadId: number; municipalityId: number; userId: number; on: boolean; now: Date },
): Promise<boolean> {
  if (input.on) {
    const result = await db
      .insertInto(table)
      .values({ thread_id: input.threadId, municipality_id: input.municipalityId, user_id: input.userId, created_at: input.now })
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst()
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
  }
  const result = await db
    .deleteFrom(table)
    .where('thread_id', '=', input.threadId)
    .where('municipality_id', '=', input.municipalityId)
    .executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** The municipalities that marked a thread, by name. */
function marksOf(db: Db, table: MarkTable, threadId: RawBuilder<number>) {
  return db
    .selectFrom(`${table} as x`)
    .innerJoin('municipalities as m', 'm.id', 'x.municipality_id')
    .select(['m.id', 'm.name'])
    .where('x.thread_id', '=', threadId)
    .orderBy('m.name')
}
