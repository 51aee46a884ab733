import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'

type Db = Kysely<Database> | Transaction<Database>

export async function findThreadForModeration(db: Db, threadId: number) {
  return db
    .selectFrom('threads')
    .innerJoin('forums', 'forums.id', 'threads.forum_id')
    .select([
      'threads.id',
      'threads.title',
      'threads.forum_id',
      'threads.municipality_id',
      'threads.pinned_at',
      'threads.locked_at',
      'forums.slug as forum_slug',
    ])
    .where('threads.id', '=', threadId)
    .executeTakeFirst()
}

/** Pins or unpins; `false` when the thread already was in that state. */
export async function setThreadPinned(db: Db, threadId: number, pinnedAt: Date | null): Promise<boolean> {
  const result = await db
    .updateTable('threads')
    .set({ pinned_at: pinnedAt })
    .where('id', '=', threadId)
    .where('pinned_at', pinnedAt ? 'is' : 'is not', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** Locks or unlocks; `false` when the thread already was in that state. */
export async function setThreadLocked(db: Db, threadId: number, lockedAt: Date | null): Promise<boolean> {
  const result = await db
    .updateTable('threads')
    .set({ locked_at: lockedAt })
    .where('id', '=', threadId)
    .where('locked_at', lockedAt ? 'is' : 'is not', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function setThreadForum(db: Db, threadId: number, forumId: number): Promise<boolean> {
  const result = await db
    .updateTable('threads')
    .set({ forum_id: forumId })
    .where('id', '=', threadId)
    .where('forum_id', '<>', forumId)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function listForumChoices(db: Db) {
  return db.selectFrom('forums').select(['id', 'slug', 'name_de', 'name_en']).orderBy('position').execute()
}

export async function findForumIdBySlug(db: Db, slug: string) {
  const row = await db.selectFrom('forums').select('id').where('slug', '=', slug).executeTakeFirst()
  return row?.id
}

/** A post with what moderation and reporting show about it. Deleted posts are not found. */
export async function findPostForModeration(db: Db, postId: number) {
  return db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .innerJoin('users as author', 'author.id', 'posts.author_id')
    .select([
      'posts.id',
      'posts.thread_id',
      'posts.position',
      'posts.body',
      'posts.created_at',
      'posts.hidden_at',
      'posts.hidden_reason',
      'posts.municipality_id',
      'threads.title as thread_title',
      'author.name as author_name',
    ])
    .where('posts.id', '=', postId)
    .where('posts.deleted_at', 'is', null)
    .executeTakeFirst()
}

/** Hides a post with a reason everyone sees. A hidden opening post takes its thread out of the lists. */
export async function hidePostRow(db: Db, input: { postId: number; actorId: number; reason: string; now: Date }): Promise<boolean> {
  const post = await db
    .updateTable('posts')
    .set({ hidden_at: input.now, hidden_by: input.actorId, hidden_reason: input.reason })
    .where('id', '=', input.postId)
    .where('hidden_at', 'is', null)
    .returning(['thread_id', 'position'])
    .executeTakeFirst()
  if (!post) return false
  if (post.position === 1) {
    await db
      .updateTable('threads')
      .set((eb) => ({ deleted_at: eb.fn.coalesce('deleted_at', eb.val(input.now)) }))
      .where('id', '=', post.thread_id)
      .execute()
  }
  return true
}

/** Shows a hidden post again; an opening post brings its thread back unless its author deleted it. */
export async function unhidePostRow(db: Db, postId: number): Promise<boolean> {
  const post = await db
    .updateTable('posts')
    .set({ hidden_at: null, hidden_by: null, hidden_reason: null })
    .where('id', '=', postId)
    .where('hidden_at', 'is not', null)
    .returning(['thread_id', 'position', 'deleted_at'])
    .executeTakeFirst()
  if (!post) return false
  if (post.position === 1 && post.deleted_at === null) {
    await db.updateTable('threads').set({ deleted_at: null }).where('id', '=', post.thread_id).execute()
  }
  return true
}

/** Files a report; `false` when this person already has an open report on the post (reports_once_idx). */
export async function insertReport(db: Db, input: { postId: number; reporterId: number; reason: string; now: Date }): Promise<boolean> {
  const row = await db
    .insertInto('reports')
    .values({ post_id: input.postId, reporter_id: input.reporterId, reason: input.reason, created_at: input.now })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export async function hasOpenReport(db: Db, postId: number, reporterId: number): Promise<boolean> {
  const row = await db
    .selectFrom('reports')
    .select('id')
    .where('post_id', '=', postId)
    .where('reporter_id', '=', reporterId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst()
  return row !== undefined
}

/** Resolves every open report of a post; returns their ids. */
export async function resolveOpenReportsOfPost(
  db: Db,
  input: { postId: number; resolution: 'hidden' | 'dismissed'; actorId: number; now: Date },
): Promise<number[]> {
  const rows = await db
    .updateTable('reports')
    .set({ resolved_at: input.now, resolved_by: input.actorId, resolution: input.resolution })
    .where('post_id', '=', input.postId)
    .where('resolved_at', 'is', null)
    .returning('id')
    .execute()
  return rows.map((r) => r.id)
}

export async function findOpenReport(db: Db, reportId: number) {
  return db
    .selectFrom('reports')
    .select(['id', 'post_id', 'reason'])
    .where('id', '=', reportId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst()
}

export async function dismissReportRow(db: Db, input: { reportId: number; actorId: number; now: Date }): Promise<boolean> {
  const result = await db
    .updateTable('reports')
    .set({ resolved_at: input.now, resolved_by: input.actorId, resolution: 'dismissed' })
    .where('id', '=', input.reportId)
    .where('resolved_at', 'is', null)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

/** The queue: open reports, oldest first (reports_open_idx). */
export async function listOpenReports(db: Db, limit: number) {
  return db
    .selectFrom('reports')
    .innerJoin('posts', 'posts.id', 'reports.post_id')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .innerJoin('users as author', 'author.id', 'posts.author_id')
    .leftJoin('users as reporter', 'reporter.id', 'reports.reporter_id')
    .select([
      'reports.id',
      'reports.reason',
      'reports.created_at',
      'posts.id as post_id',
      'posts.body',
      'threads.id as thread_id',
      'threads.title as thread_title',
      'author.name as author_name',
      'reporter.name as reporter_name',
    ])
    .where('reports.resolved_at', 'is', null)
    .orderBy('reports.created_at')
    .orderBy('reports.id')
    .limit(limit)
    .execute()
}
