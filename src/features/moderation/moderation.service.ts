import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { audit } from '../audit/audit.queries.ts'
import {
  dismissReportRow,
  findForumIdBySlug,
  findOpenReport,
  findPostForModeration,
  findThreadForModeration,
  hidePostRow,
  resolveOpenReportsOfPost,
  setThreadForum,
  setThreadLocked,
  setThreadPinned,
  unhidePostRow,
} from './moderation.queries.ts'

// Every moderation action changes the forum and writes the audit log in one transaction; an action
// that changes nothing (pinning a pinned thread) is not logged.

export type Outcome = 'done' | 'unchanged' | 'notFound'

type ThreadAction = { actorId: number; threadId: number; now: Date }

export async function pinThread(db: Kysely<Database>, input: ThreadAction & { pinned: boolean }): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const thread = await findThreadForModeration(trx, input.threadId)
    if (!thread) return 'notFound'
    if (!(await setThreadPinned(trx, thread.id, input.pinned ? input.now : null))) return 'unchanged'
    await audit(trx, {
      actorId: input.actorId,
      action: input.pinned ? 'thread.pinned' : 'thread.unpinned',
      targetType: 'thread',
      targetId: thread.id,
      municipalityId: thread.municipality_id,
      now: input.now,
    })
    return 'done'
  })
}

export async function lockThread(db: Kysely<Database>, input: ThreadAction & { locked: boolean }): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const thread = await findThreadForModeration(trx, input.threadId)
    if (!thread) return 'notFound'
    if (!(await setThreadLocked(trx, thread.id, input.locked ? input.now : null))) return 'unchanged'
    await audit(trx, {
      actorId: input.actorId,
      action: input.locked ? 'thread.locked' : 'thread.unlocked',
      targetType: 'thread',
      targetId: thread.id,
      municipalityId: thread.municipality_id,
      now: input.now,
    })
    return 'done'
  })
}

export async function moveThread(
  db: Kysely<Database>,
  input: ThreadAction & { forumSlug: string },
): Promise<Outcome | 'unknownForum'> {
  return db.transaction().execute(async (trx) => {
    const thread = await findThreadForModeration(trx, input.threadId)
    if (!thread) return 'notFound'
    const forumId = await findForumIdBySlug(trx, input.forumSlug)
    if (forumId === undefined) return 'unknownForum'
    if (!(await setThreadForum(trx, thread.id, forumId))) return 'unchanged'
    await audit(trx, {
      actorId: input.actorId,
      action: 'thread.moved',
      targetType: 'thread',
      targetId: thread.id,
      municipalityId: thread.municipality_id,
      details: { from: thread.forum_slug, to: input.forumSlug },
      now: input.now,
    })
    return 'done'
  })
}

/**
 * Hides a post with a reason shown to everyone; its open reports count as handled. The reason stays
 * on the post, not in the append-only log (it is free text and may name people).
 */
export async function hidePost(
  db: Kysely<Database>,
  input: { actorId: number; postId: number; reason: string; now: Date },
): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const post = await findPostForModeration(trx, input.postId)
    if (!post) return 'notFound'
    if (!(await hidePostRow(trx, input))) return 'unchanged'
    const reportIds = await resolveOpenReportsOfPost(trx, { postId: post.id, resolution: 'hidden', actorId: input.actorId, now: input.now })
    await audit(trx, {
      actorId: input.actorId,
      action: 'post.hidden',
      targetType: 'post',
      targetId: post.id,
      municipalityId: post.municipality_id,
      details: { thread_id: post.thread_id, report_ids: reportIds },
      now: input.now,
    })
    return 'done'
  })
}

export async function unhidePost(db: Kysely<Database>, input: { actorId: number; postId: number; now: Date }): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const post = await findPostForModeration(trx, input.postId)
    if (!post) return 'notFound'
    if (!(await unhidePostRow(trx, post.id))) return 'unchanged'
    await audit(trx, {
      actorId: input.actorId,
      action: 'post.unhidden',
      targetType: 'post',
      targetId: post.id,
      municipalityId: post.municipality_id,
      details: { thread_id: post.thread_id },
      now: input.now,
    })
    return 'done'
  })
}

/** "ausblenden" in the queue: hides the reported post with the report's reason. */
export async function hideReportedPost(
  db: Kysely<Database>,
  input: { actorId: number; reportId: number; now: Date },
): Promise<Outcome> {
  const report = await findOpenReport(db, input.reportId)
  if (!report) return 'notFound'
  return hidePost(db, { actorId: input.actorId, postId: report.post_id, reason: report.reason, now: input.now })
}

/** "ablehnen" in the queue: the report is closed, the post stays. */
export async function dismissReport(db: Kysely<Database>, input: { actorId: number; reportId: number; now: Date }): Promise<Outcome> {
  return db.transaction().execute(async (trx) => {
    const report = await findOpenReport(trx, input.reportId)
    if (!report) return 'notFound'
    if (!(await dismissReportRow(trx, input))) return 'unchanged'
    await audit(trx, {
      actorId: input.actorId,
      action: 'report.dismissed',
      targetType: 'post',
      targetId: report.post_id,
      details: { report_id: report.id },
      now: input.now,
    })
    return 'done'
  })
}
