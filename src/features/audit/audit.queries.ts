import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'

type Db = Kysely<Database> | Transaction<Database>

export type AuditEntry = {
  actorId: number | null
  action: string
  targetType?: string
  targetId?: number
  municipalityId?: number | null
  /** Ids, roles and states only: names and emails are joined in when the log is shown. */
  details?: Record<string, unknown>
  now: Date
}

/** Appends to the audit log (the table refuses updates and deletes). */
export async function audit(db: Db, entry: AuditEntry) {
  await db
    .insertInto('audit_log')
    .values({
      at: entry.now,
      actor_id: entry.actorId,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      municipality_id: entry.municipalityId ?? null,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute()
}
