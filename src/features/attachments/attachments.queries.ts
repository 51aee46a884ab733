import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'

type Db = Kysely<Database> | Transaction<Database>

export type NewAttachment = {
  post_id: number
  uploaded_by: number
  original_name: string
  stored_name: string
  content_type: string
  size_bytes: number
  created_at: Date
}

export async function insertAttachments(db: Db, rows: NewAttachment[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('attachments').values(rows).execute()
}

export async function listAttachmentsOfPosts(db: Db, postIds: number[]) {
  if (postIds.length === 0) return []
  return db
    .selectFrom('attachments')
    .select(['id', 'post_id', 'original_name', 'size_bytes', 'content_type'])
    .where('post_id', 'in', postIds)
    .orderBy('id')
    .execute()
}

/**
 * Deletes these attachments of one post (ids of other posts' attachments do nothing) and returns their
 * stored names: remove the files once the transaction has committed, so a rollback loses no file.
 */
export async function deleteAttachmentsOfPost(db: Db, postId: number, ids: number[]): Promise<string[]> {
  if (ids.length === 0) return []
  const rows = await db
    .deleteFrom('attachments')
    .where('post_id', '=', postId)
    .where('id', 'in', ids)
    .returning('stored_name')
    .execute()
  return rows.map((r) => r.stored_name)
}

/**
 * An attachment with what decides who may download it: the post's and thread's state.
 * Attachments not (yet) linked to a post are never served.
 */
export async function findAttachmentForDownload(db: Db, id: number) {
  return db
    .selectFrom('attachments')
    .innerJoin('posts', 'posts.id', 'attachments.post_id')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .select([
      'attachments.id',
      'attachments.original_name',
      'attachments.stored_name',
      'attachments.content_type',
      'attachments.size_bytes',
      'posts.deleted_at as post_deleted_at',
      'posts.hidden_at as post_hidden_at',
      'threads.deleted_at as thread_deleted_at',
    ])
    .where('attachments.id', '=', id)
    .executeTakeFirst()
}
