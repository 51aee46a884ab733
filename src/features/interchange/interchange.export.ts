import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import {
  municipalitiesAfter,
  repliesAfter,
  takenExternalIds,
  threadsAfter,
  usersAfter,
} from './interchange.queries.ts'
import type { RecordType } from './interchange.schemas.ts'

export type ExportSummary = Record<RecordType, number>

/**
 * Writes the whole forum in the interchange format: municipalities, users, threads, replies, each
 * record one line (without the newline) passed to `write`. Reads keyset batches inside one
 * repeatable-read transaction, so the file is a consistent snapshot and memory stays bounded (only
 * the exported ids of municipalities, users and threads are kept, for the references).
 * Left out: password hashes, 2FA secrets, deleted threads, deleted or hidden replies.
 */
export async function exportInterchange(
  db: Kysely<Database>,
  write: (line: string) => void | Promise<void>,
  options: { batchSize?: number } = {},
): Promise<ExportSummary> {
  const limit = options.batchSize ?? 1000
  const summary: ExportSummary = { municipality: 0, user: 0, thread: 0, post: 0 }
  const emit = async (record: Record<string, unknown>) => {
    await write(JSON.stringify(record))
    summary[record.type as RecordType]++
  }
  await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const municipalityIds = new Map<number, string>()
      for (let after = 0; ; ) {
        const rows = await municipalitiesAfter(trx, after, limit)
        if (rows.length === 0) break
        const ids = await exportIds(trx, 'municipalities', 'm', rows)
        for (const m of rows) {
          municipalityIds.set(m.id, ids.get(m.id)!)
          await emit({
            type: 'municipality',
            id: ids.get(m.id),
            name: m.name,
            kind: m.kind,
            district: m.district,
            ...(m.ags ? { ags: m.ags } : {}),
          })
        }
        after = rows.at(-1)!.id
      }

      const userIds = new Map<number, string>()
      for (let after = 0; ; ) {
        const rows = await usersAfter(trx, after, limit)
        if (rows.length === 0) break
        const ids = await exportIds(trx, 'users', 'u', rows)
        for (const u of rows) {
          userIds.set(u.id, ids.get(u.id)!)
          await emit({
            type: 'user',
            id: ids.get(u.id),
            ...(u.municipality_id !== null ? { municipality: municipalityIds.get(u.municipality_id) } : {}),
            name: u.name,
            email: u.email,
            role: u.role,
          })
        }
        after = rows.at(-1)!.id
      }

      const threadIds = new Map<number, string>()
      for (let after = 0; ; ) {
        const rows = await threadsAfter(trx, after, limit)
        if (rows.length === 0) break
        const ids = await exportIds(trx, 'threads', 't', rows)
        for (const t of rows) {
          threadIds.set(t.id, ids.get(t.id)!)
          await emit({
            type: 'thread',
            id: ids.get(t.id),
            forum: t.forum,
            author: userIds.get(t.author_id),
            title: t.title,
            body: t.body,
            kind: t.kind,
            created_at: isoTime(t.created_at),
            ...(t.bp_situation !== null ? { situation: t.bp_situation } : {}),
            ...(t.bp_approach !== null ? { approach: t.bp_approach } : {}),
            ...(t.bp_effort !== null ? { effort: t.bp_effort } : {}),
            ...(t.bp_contact !== null ? { contact: t.bp_contact } : {}),
          })
        }
        after = rows.at(-1)!.id
      }

      for (let after = { threadId: 0, position: 0 }; ; ) {
        const rows = await repliesAfter(trx, after, limit)
        if (rows.length === 0) break
        const ids = await exportIds(trx, 'posts', 'p', rows)
        for (const p of rows) {
          await emit({
            type: 'post',
            id: ids.get(p.id),
            thread: threadIds.get(p.thread_id),
            author: userIds.get(p.author_id),
            body: p.body,
            created_at: isoTime(p.created_at),
            ...(p.is_solution ? { solution: true } : {}),
          })
        }
        const last = rows.at(-1)!
        after = { threadId: last.thread_id, position: last.position }
      }
    })
  return summary
}

/** UTC, without milliseconds when they are zero: 2016-01-12T09:00:00Z. */
function isoTime(value: Date | string): string {
  return new Date(value).toISOString().replace('.000Z', 'Z')
}

/**
 * The exported id of each row: its external id, else a stable generated one ("m12"). A generated id
 * that an imported row already uses as its external id gets a suffix, so references stay unique.
 */
async function exportIds(
  db: Kysely<Database>,
  table: 'municipalities' | 'users' | 'threads' | 'posts',
  prefix: string,
  rows: { id: number; external_id: string | null }[],
): Promise<Map<number, string>> {
  const generated = (id: number, attempt: number) => (attempt === 0 ? `${prefix}${id}` : `${prefix}${id}-${attempt}`)
  const ids = new Map<number, string>()
  let pending = rows.filter((r) => r.external_id === null).map((r) => r.id)
  for (const r of rows) if (r.external_id !== null) ids.set(r.id, r.external_id)
  for (let attempt = 0; pending.length > 0; attempt++) {
    const taken = await takenExternalIds(db, table, pending.map((id) => generated(id, attempt)))
    for (const id of pending) if (!taken.has(generated(id, attempt))) ids.set(id, generated(id, attempt))
    pending = pending.filter((id) => !ids.has(id))
  }
  return ids
}
