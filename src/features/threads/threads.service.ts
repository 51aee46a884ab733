import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { notFound } from '../../lib/errors.ts'
import type { UploadedFile } from '../../plugins/security.ts'
import { deleteAttachmentsOfPost } from '../attachments/attachments.queries.ts'
import { removeStoredFiles, storeUploads } from '../attachments/attachments.service.ts'
import { audit } from '../audit/audit.queries.ts'
import { notifyNewPost } from '../notifications/notifications.service.ts'
import { type Actor, isStaff } from './threads.access.ts'
import { addReply, type BestPracticeParts, createThread, editPost, findOpeningPost, findPost, findThread, findThreadPage, type ThreadPage, type ThreadRow } from './threads.queries.ts'
import type { ThreadKind } from './threads.table.ts'

/**
 * A thread the actor may open. A thread whose opening post was deleted is gone for everyone but staff;
 * one whose opening post was hidden stays readable, so members see that and why it was hidden.
 */
export async function visibleThread(db: Kysely<Database>, actor: Actor, id: number): Promise<ThreadRow> {
  return ensureVisible(db, actor, await findThread(db, id))
}

/** The thread page (findThreadPage) of a thread the actor may open, by the rule of visibleThread. */
export async function visibleThreadPage(db: Kysely<Database>, actor: Actor, input: Parameters<typeof findThreadPage>[1]): Promise<ThreadPage> {
  const page = await findThreadPage(db, input)
  await ensureVisible(db, actor, page?.thread)
  return page!
}

async function ensureVisible(db: Kysely<Database>, actor: Actor, thread: ThreadRow | undefined): Promise<ThreadRow> {
  if (!thread) throw notFound()
  if (thread.deleted_at && !isStaff(actor)) {
    const opening = await findOpeningPost(db, thread.id)
    if (!opening || opening.deleted_at || !opening.hidden_at) throw notFound()
  }
  return thread
}

export async function visiblePost(db: Kysely<Database>, actor: Actor, id: number) {
  const post = await findPost(db, id)
  if (!post) throw notFound()
  const thread = await visibleThread(db, actor, post.thread_id)
  return { post, thread }
}

/** Only best practices keep the structured parts; other kinds store none. */
export function bestPracticeParts(kind: ThreadKind, form: object): BestPracticeParts | null {
  if (kind !== 'best_practice') return null
  const input = form as Partial<BestPracticeParts>
  return {
    bp_situation: input.bp_situation ?? null,
    bp_approach: input.bp_approach ?? null,
    bp_effort: input.bp_effort ?? null,
    bp_contact: input.bp_contact ?? null,
  }
}

type Author = { id: number; municipality_id: number | null }

/** A thread with its opening post and attachments, all or nothing; watchers and mentioned people hear of it. */
export async function publishThread(
  db: Kysely<Database>,
  dataDir: string,
  input: {
    forumId: number
    author: Author
    kind: ThreadKind
    title: string
    body: string
    bestPractice: BestPracticeParts | null
    files: UploadedFile[]
    now: Date
  },
) {
  return db.transaction().execute(async (trx) => {
    const created = await createThread(trx, {
      forumId: input.forumId,
      authorId: input.author.id,
      municipalityId: input.author.municipality_id,
      kind: input.kind,
      title: input.title,
      body: input.body,
      bestPractice: input.bestPractice ?? { bp_situation: null, bp_approach: null, bp_effort: null, bp_contact: null },
      now: input.now,
    })
    if (input.files.length > 0) {
      await storeUploads(trx, dataDir, { files: input.files, postId: created.postId, userId: input.author.id, now: input.now })
    }
    await notifyNewPost(trx, {
      threadId: created.threadId,
      postId: created.postId,
      authorId: input.author.id,
      body: input.body,
      isOpening: true,
      now: input.now,
    })
    return created
  })
}

export async function publishReply(
  db: Kysely<Database>,
  dataDir: string,
  input: { threadId: number; author: Author; body: string; files: UploadedFile[]; now: Date },
) {
  return db.transaction().execute(async (trx) => {
    const reply = await addReply(trx, {
      threadId: input.threadId,
      authorId: input.author.id,
      municipalityId: input.author.municipality_id,
      body: input.body,
      now: input.now,
    })
    if (input.files.length > 0) {
      await storeUploads(trx, dataDir, { files: input.files, postId: reply.postId, userId: input.author.id, now: input.now })
    }
    await notifyNewPost(trx, {
      threadId: input.threadId,
      postId: reply.postId,
      authorId: input.author.id,
      body: input.body,
      isOpening: false,
      now: input.now,
    })
    return reply
  })
}

/**
 * An edit: the new text (the old one goes into the history), attachments taken off and added, all or
 * nothing. Staff changing someone else's post is a moderation action and goes into the audit log.
 * Removed files leave the disk only after the commit.
 */
export async function saveEdit(
  db: Kysely<Database>,
  dataDir: string,
  input: {
    post: { id: number; thread_id: number; author_id: number }
    editor: Author
    body: string
    thread?: { title: string; bestPractice: BestPracticeParts | null }
    removeIds: number[]
    files: UploadedFile[]
    now: Date
  },
) {
  const { post, editor, now } = input
  const removed = await db.transaction().execute(async (trx) => {
    await editPost(trx, { postId: post.id, threadId: post.thread_id, editorId: editor.id, body: input.body, now, thread: input.thread })
    const storedNames = await deleteAttachmentsOfPost(trx, post.id, input.removeIds)
    await storeUploads(trx, dataDir, { files: input.files, postId: post.id, userId: editor.id, now })
    if (post.author_id !== editor.id) {
      const details = { thread_id: post.thread_id, attachments_removed: storedNames.length, attachments_added: input.files.length }
      await audit(trx, { actorId: editor.id, action: 'post.edited', targetType: 'post', targetId: post.id, details, now })
    }
    return storedNames
  })
  await removeStoredFiles(dataDir, removed)
}
