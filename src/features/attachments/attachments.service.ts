import { randomBytes } from 'node:crypto'
import { mkdir, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { badRequest } from '../../lib/errors.ts'
import { UPLOAD_LIMITS, type UploadedFile } from '../../plugins/security.ts'
import { insertAttachments, listAttachmentsOfPosts, type NewAttachment } from './attachments.queries.ts'
import { ALLOWED_TYPES, type DetectedType, detectType, sanitizeFileName } from './attachments.sniff.ts'

type Db = Kysely<Database> | Transaction<Database>

export type AttachmentView = {
  id: number
  name: string
  sizeBytes: number
  contentType: string
  /** Label key suffix for the type (attachments.kind.<kind>): pdf, image, word, excel, … */
  kind: string
}

/** Where uploads live: outside the web root, under DATA_DIR. */
export const uploadsDir = (dataDir: string) => join(dataDir, 'uploads')

/** Stored names are 32 random hex digits; anything else never reaches the file system. */
export const STORED_NAME = /^[0-9a-f]{32}$/

/** What is shown of one stored attachment. */
export function attachmentView(row: { id: number; original_name: string; size_bytes: number; content_type: string }): AttachmentView {
  return {
    id: row.id,
    name: row.original_name,
    sizeBytes: row.size_bytes,
    contentType: row.content_type,
    kind: ALLOWED_TYPES.get(row.content_type)?.kind ?? 'other',
  }
}

/** Attachments of the given posts, by post id, for rendering under each post. */
export async function attachmentsForPosts(db: Db, postIds: number[]): Promise<Map<number, AttachmentView[]>> {
  const byPost = new Map<number, AttachmentView[]>()
  for (const row of await listAttachmentsOfPosts(db, postIds)) {
    const view = attachmentView(row)
    const list = byPost.get(row.post_id!) ?? []
    list.push(view)
    byPost.set(row.post_id!, list)
  }
  return byPost
}

/** The files a user actually chose: a file input left empty arrives with an empty name. */
export function chosenFiles(files: UploadedFile | UploadedFile[] | undefined): UploadedFile[] {
  if (!files) return []
  return (Array.isArray(files) ? files : [files]).filter((f) => f && typeof f === 'object' && f.filename !== '')
}

/**
 * The i18n key of the first problem with these uploads (count, size, type by content), or null. Empty
 * inputs are ignored. `kept` counts the attachments the post keeps (when editing): together at most 5.
 */
export function uploadProblem(files: UploadedFile[], kept = 0): string | null {
  const chosen = chosenFiles(files)
  if (chosen.length + kept > UPLOAD_LIMITS.files) return kept > 0 ? 'attachments.tooManyOnPost' : 'attachments.tooMany'
  if (chosen.some((f) => f.data.length > UPLOAD_LIMITS.fileSize)) return 'attachments.tooLarge'
  if (chosen.some((f) => f.data.length === 0)) return 'attachments.empty'
  if (chosen.some((f) => detectType(f.data) === null)) return 'attachments.type'
  return null
}

/** Stores validated uploads under DATA_DIR/uploads with random names and links them to the post. */
export async function storeUploads(
  db: Db,
  dataDir: string,
  input: { files: UploadedFile[]; postId: number; userId: number; now: Date },
): Promise<void> {
  const chosen = chosenFiles(input.files)
  if (chosen.length === 0) return
  // Callers check uploadProblem first; this is the last line of defence, not the user's error message.
  if (uploadProblem(chosen)) throw badRequest()
  const dir = uploadsDir(dataDir)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const rows: NewAttachment[] = []
  try {
    for (const file of chosen) {
      const type = detectType(file.data) as DetectedType
      const storedName = randomBytes(16).toString('hex')
      await writeFile(join(dir, storedName), file.data, { mode: 0o600, flag: 'wx' })
      rows.push({
        post_id: input.postId,
        uploaded_by: input.userId,
        original_name: sanitizeFileName(file.filename, type, 'Datei'),
        stored_name: storedName,
        content_type: type.mime,
        size_bytes: file.data.length,
        created_at: input.now,
      })
    }
    await insertAttachments(db, rows)
  } catch (error) {
    await Promise.all(rows.map((r) => unlink(join(dir, r.stored_name)).catch(() => {})))
    throw error
  }
}

/** Deletes stored files; a file already gone is no error. Names other than our random ones are never touched. */
export async function removeStoredFiles(dataDir: string, storedNames: string[]): Promise<void> {
  const dir = uploadsDir(dataDir)
  await Promise.all(
    storedNames
      .filter((name) => STORED_NAME.test(name))
      .map((name) =>
        unlink(join(dir, name)).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error
        }),
      ),
  )
}
