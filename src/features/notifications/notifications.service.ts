import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { mentionedHandles } from './mentions.ts'
import {
  findActiveUserIds,
  findPostAuthor,
  findThreadForWatching,
  findThreadViewer,
  insertNotifications,
  listForumWatchers,
  listMentionable,
  listThreadWatchers,
  markThreadNotificationsRead,
  type NewNotification,
  upsertRenewingNotification,
  upsertThreadRead,
  type WatchChoice,
  watchThreadUnlessChosen,
} from './notifications.queries.ts'

type Db = Kysely<Database> | Transaction<Database>

// One notification model serves the app and (later) email: a row per person, kind, thread and post.
// Called by the thread feature inside its transaction when posts, solutions and adoptions happen.

/**
 * A new post (opening or reply). Mentioned people get a mention (rather than also a reply);
 * watchers of the thread get a reply; for a new thread, watchers of its forum hear of it (a thread
 * mute beats a forum watch). The author watches the thread from now on, unless they muted it.
 */
export async function notifyNewPost(
  db: Db,
  input: { threadId: number; postId: number; authorId: number; body: string; isOpening: boolean; now: Date },
): Promise<void> {
  const thread = await findThreadForWatching(db, input.threadId)
  if (!thread) return
  const notOwn = (ids: number[]) => ids.filter((id) => id !== input.authorId)
  const mentioned = notOwn(await listMentionable(db, mentionedHandles(input.body), input.threadId))
  const watchers = notOwn(
    input.isOpening ? await listForumWatchers(db, thread.forum_id, input.threadId) : await listThreadWatchers(db, input.threadId),
  ).filter((id) => !mentioned.includes(id))
  const base = { threadId: input.threadId, postId: input.postId, actorId: input.authorId, now: input.now }
  await insertNotifications(db, [
    ...mentioned.map((userId): NewNotification => ({ ...base, userId, kind: 'mention' })),
    ...watchers.map((userId): NewNotification => ({ ...base, userId, kind: 'reply' })),
  ])
  await watchThreadUnlessChosen(db, { userId: input.authorId, threadId: input.threadId, now: input.now })
}

/** A reply was marked as the solution of a question: tells the asker (unless they marked it) and the reply's author. */
export async function notifySolution(db: Db, input: { threadId: number; postId: number; actorId: number; now: Date }): Promise<void> {
  const [thread, post] = await Promise.all([
    findThreadForWatching(db, input.threadId),
    findPostAuthor(db, input.postId),
  ])
  if (!thread || !post) return
  const recipients = await findActiveUserIds(
    db,
    [...new Set([thread.author_id, post.author_id])].filter((id) => id !== input.actorId),
  )
  await insertNotifications(
    db,
    recipients.map((userId) => ({ userId, kind: 'solution', threadId: input.threadId, postId: input.postId, actorId: input.actorId, now: input.now })),
  )
}

/**
 * A municipality adopted a best practice: tells the author. One notification per thread, renewed
 * (unread again) when someone else adopts it too.
 */
export async function notifyAdoption(db: Db, input: { threadId: number; actorId: number; now: Date }): Promise<void> {
  const thread = await findThreadForWatching(db, input.threadId)
  if (!thread || thread.author_id === input.actorId) return
  if ((await findActiveUserIds(db, [thread.author_id])).length === 0) return
  await upsertRenewingNotification(db, {
    userId: thread.author_id,
    kind: 'adopted',
    threadId: input.threadId,
    postId: null,
    actorId: input.actorId,
    now: input.now,
  })
}

/**
 * Remembers how far the user has read a thread (the highest position seen) and marks the
 * notifications about what they have now seen as read. Given what the page already knows of the viewer
 * (threadViewerState), it writes only what changes: seeing the same posts again writes nothing.
 */
export async function markThreadRead(
  db: Db,
  input: { userId: number; threadId: number; position: number; now: Date },
  known?: { lastReadPosition: number; unreadNotifications: boolean },
): Promise<void> {
  if (!known || input.position > known.lastReadPosition) await upsertThreadRead(db, input)
  if (!known || known.unreadNotifications) await markThreadNotificationsRead(db, input)
}

/** What the thread page shows for the viewer, and what markThreadRead needs to know: one query. */
export async function threadViewerState(
  db: Db,
  input: { userId: number; threadId: number },
): Promise<{ watchLevel: WatchChoice; lastReadPosition: number; unreadNotifications: boolean }> {
  return findThreadViewer(db, input.userId, input.threadId)
}
