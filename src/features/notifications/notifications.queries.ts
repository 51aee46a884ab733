import { type Expression, type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { NotificationKind, WatchLevel } from '../threads/threads.table.ts'

type Db = Kysely<Database> | Transaction<Database>

/** What a person chose for a thread or forum; `none` means no row (the default behaviour). */
export type WatchChoice = WatchLevel | 'none'

export async function findThreadForWatching(db: Db, threadId: number) {
  return db
    .selectFrom('threads')
    .select(['id', 'author_id', 'forum_id'])
    .where('id', '=', threadId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
}

export async function findPostAuthor(db: Db, postId: number) {
  return db.selectFrom('posts').select('author_id').where('id', '=', postId).executeTakeFirst()
}

export async function findForumBySlug(db: Db, slug: string) {
  return db.selectFrom('forums').select(['id', 'slug']).where('slug', '=', slug).executeTakeFirst()
}

export async function setThreadWatch(db: Db, input: { userId: number; threadId: number; level: WatchChoice; now: Date }) {
  const level = input.level
  if (level === 'none') {
    await db.deleteFrom('thread_watches').where('user_id', '=', input.userId).where('thread_id', '=', input.threadId).execute()
    return
  }
  await db
    .insertInto('thread_watches')
    .values({ user_id: input.userId, thread_id: input.threadId, level, created_at: input.now })
    .onConflict((oc) => oc.columns(['user_id', 'thread_id']).doUpdateSet({ level }))
    .execute()
}

/** Starts watching unless the person already chose something (a mute stays a mute). */
export async function watchThreadUnlessChosen(db: Db, input: { userId: number; threadId: number; now: Date }) {
  await db
    .insertInto('thread_watches')
    .values({ user_id: input.userId, thread_id: input.threadId, level: 'watching', created_at: input.now })
    .onConflict((oc) => oc.columns(['user_id', 'thread_id']).doNothing())
    .execute()
}

export async function setForumWatch(db: Db, input: { userId: number; forumId: number; level: WatchChoice; now: Date }) {
  const level = input.level
  if (level === 'none') {
    await db.deleteFrom('forum_watches').where('user_id', '=', input.userId).where('forum_id', '=', input.forumId).execute()
    return
  }
  await db
    .insertInto('forum_watches')
    .values({ user_id: input.userId, forum_id: input.forumId, level, created_at: input.now })
    .onConflict((oc) => oc.columns(['user_id', 'forum_id']).doUpdateSet({ level }))
    .execute()
}

/**
 * The viewer's side of a thread page: their watch choice, how far they had read and whether any
 * notification about the thread is still unread.
 */
export async function findThreadViewer(db: Db, userId: number, threadId: number) {
  const { rows } = await sql<{ level: WatchChoice | null; last_read_position: number | null; unread: boolean }>`
    SELECT
      (SELECT level FROM thread_watches WHERE user_id = ${userId} AND thread_id = ${threadId}) AS level,
      (SELECT last_read_position FROM thread_reads WHERE user_id = ${userId} AND thread_id = ${threadId}) AS last_read_position,
      EXISTS (SELECT 1 FROM notifications WHERE user_id = ${userId} AND thread_id = ${threadId} AND read_at IS NULL) AS unread
  `.execute(db)
  const row = rows[0]!
  return { watchLevel: row.level ?? 'none', lastReadPosition: row.last_read_position ?? 0, unreadNotifications: row.unread }
}

/** Active accounts watching the thread. */
export async function listThreadWatchers(db: Db, threadId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('thread_watches')
    .innerJoin('users', 'users.id', 'thread_watches.user_id')
    .select('users.id')
    .where('thread_watches.thread_id', '=', threadId)
    .where('thread_watches.level', '=', 'watching')
    .where('users.active', '=', true)
    .execute()
  return rows.map((r) => r.id)
}

/** Active accounts watching the forum of a thread, unless they muted that very thread. */
export async function listForumWatchers(db: Db, forumId: number, threadId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('forum_watches')
    .innerJoin('users', 'users.id', 'forum_watches.user_id')
    .select('users.id')
    .where('forum_watches.forum_id', '=', forumId)
    .where('forum_watches.level', '=', 'watching')
    .where('users.active', '=', true)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('thread_watches')
            .select('thread_watches.user_id')
            .whereRef('thread_watches.user_id', '=', 'users.id')
            .where('thread_watches.thread_id', '=', threadId)
            .where('thread_watches.level', '=', 'muted'),
        ),
      ),
    )
    .execute()
  return rows.map((r) => r.id)
}

/** Active accounts with these handles who have not muted the thread. */
export async function listMentionable(db: Db, handles: string[], threadId: number): Promise<number[]> {
  if (handles.length === 0) return []
  const rows = await db
    .selectFrom('users')
    .select('users.id')
    .where('users.handle', 'in', handles)
    .where('users.active', '=', true)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('thread_watches')
            .select('thread_watches.user_id')
            .whereRef('thread_watches.user_id', '=', 'users.id')
            .where('thread_watches.thread_id', '=', threadId)
            .where('thread_watches.level', '=', 'muted'),
        ),
      ),
    )
    .execute()
  return rows.map((r) => r.id)
}

export async function findActiveUserIds(db: Db, userIds: number[]): Promise<number[]> {
  if (userIds.length === 0) return []
  const rows = await db.selectFrom('users').select('id').where('id', 'in', userIds).where('active', '=', true).execute()
  return rows.map((r) => r.id)
}

export type NewNotification = {
  userId: number
  kind: NotificationKind
  threadId: number
  postId: number | null
  actorId: number | null
  now: Date
}

/** Inserts notifications; one that exists already (notifications_once_idx) is left as it is. */
export async function insertNotifications(db: Db, rows: NewNotification[]) {
  if (rows.length === 0) return
  await db
    .insertInto('notifications')
    .values(
      rows.map((n) => ({
        user_id: n.userId,
        kind: n.kind,
        thread_id: n.threadId,
        post_id: n.postId,
        actor_id: n.actorId,
        created_at: n.now,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute()
}

/**
 * A notification that news of the same kind renews: unread again, newest again and due for mail
 * again — but only when someone else did it (the same adoption twice changes nothing).
 */
export async function upsertRenewingNotification(db: Db, n: NewNotification) {
  await sql`
    INSERT INTO notifications (user_id, kind, thread_id, post_id, actor_id, created_at)
    VALUES (${n.userId}, ${n.kind}, ${n.threadId}, ${n.postId}, ${n.actorId}, ${n.now})
    ON CONFLICT (user_id, kind, thread_id, (coalesce(post_id, 0))) DO UPDATE
      SET actor_id = excluded.actor_id, created_at = excluded.created_at, read_at = NULL, emailed_at = NULL
      WHERE notifications.actor_id IS DISTINCT FROM excluded.actor_id
  `.execute(db)
}

/** Keeps the highest position read; never moves back. */
export async function upsertThreadRead(db: Db, input: { userId: number; threadId: number; position: number; now: Date }) {
  await db
    .insertInto('thread_reads')
    .values({ user_id: input.userId, thread_id: input.threadId, last_read_position: input.position, updated_at: input.now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'thread_id']).doUpdateSet({
        last_read_position: sql`greatest(thread_reads.last_read_position, excluded.last_read_position)`,
        updated_at: input.now,
      }),
    )
    .execute()
}

/** Notifications about posts the person has now seen (and about the thread as a whole) become read. */
export async function markThreadNotificationsRead(db: Db, input: { userId: number; threadId: number; position: number; now: Date }) {
  await db
    .updateTable('notifications')
    .set({ read_at: input.now })
    .where('user_id', '=', input.userId)
    .where('thread_id', '=', input.threadId)
    .where('read_at', 'is', null)
    .where((eb) =>
      eb.or([
        eb('post_id', 'is', null),
        eb(
          'post_id',
          'in',
          eb.selectFrom('posts').select('posts.id').where('posts.thread_id', '=', input.threadId).where('posts.position', '<=', input.position),
        ),
      ]),
    )
    .execute()
}

/** Unread notifications, counted up to `cap` so the header stays cheap however many pile up. */
export function unreadNotificationsOf(userId: Expression<number | null>, cap = UNREAD_CAP) {
  return sql<number>`(SELECT count(*)::integer FROM (SELECT 1 FROM notifications WHERE user_id = ${userId} AND read_at IS NULL LIMIT ${cap}) AS unread)`
}

/** The header shows "99+" beyond this. */
export const UNREAD_CAP = 100

export async function countUnreadNotifications(db: Db, userId: number): Promise<number> {
  const row = await db.selectNoFrom(unreadNotificationsOf(sql.val(userId)).as('n')).executeTakeFirstOrThrow()
  return Number(row.n)
}

/** Notifications with what a list of them shows: thread, forum, post position, actor and their municipality. */
export function notificationsWithContext(db: Db) {
  return db
    .selectFrom('notifications')
    .innerJoin('threads', 'threads.id', 'notifications.thread_id')
    .innerJoin('forums', 'forums.id', 'threads.forum_id')
    .leftJoin('posts', 'posts.id', 'notifications.post_id')
    .leftJoin('users as actor', 'actor.id', 'notifications.actor_id')
    .leftJoin('municipalities as actor_municipality', 'actor_municipality.id', 'actor.municipality_id')
    .select([
      'notifications.id',
      'notifications.kind',
      'notifications.thread_id',
      'notifications.post_id',
      'notifications.created_at',
      'notifications.read_at',
      'threads.title as thread_title',
      'threads.author_id as thread_author_id',
      'forums.name_de as forum_name_de',
      'forums.name_en as forum_name_en',
      'posts.position as post_position',
      'actor.name as actor_name',
      'actor_municipality.name as actor_municipality_name',
    ])
}

/** One page of a person's notifications, newest first (keyset on id: stays fast however many). */
export async function listNotifications(db: Db, userId: number, page: { before?: number; limit: number }) {
  let query = notificationsWithContext(db).where('notifications.user_id', '=', userId)
  if (page.before) query = query.where('notifications.id', '<', page.before)
  return query.orderBy('notifications.id', 'desc').limit(page.limit).execute()
}

export async function markAllNotificationsRead(db: Db, userId: number, now: Date) {
  const result = await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
