import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { UploadedFile } from '../../plugins/security.ts'

type Db = Kysely<Database> | Transaction<Database>

// INTERFACE STUB (lead): helper F2 implements these; helper F1 calls them from the thread/reply forms.
export type AttachmentView = { id: number; name: string; sizeBytes: number; contentType: string }

/** Attachments of the given posts, by post id, for rendering under each post. */
export async function attachmentsForPosts(_db: Db, _postIds: number[]): Promise<Map<number, AttachmentView[]>> {
  return new Map()
}

/** The i18n key of the first problem with these uploads (count, size, type by content), or null. Empty inputs are ignored. */
export function uploadProblem(_files: UploadedFile[]): string | null {
  return null
}

/** Stores validated uploads under DATA_DIR/uploads with random names and links them to the post. */
export async function storeUploads(
  _db: Db,
  _dataDir: string,
  _input: { files: UploadedFile[]; postId: number; userId: number; now: Date },
): Promise<void> {}
