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

/**
 * One page of the log, newest first. Keyset pagination (`before` an id) stays fast however long the
 * log grows. Names are joined in here: the log itself keeps only ids.
 */
export async function listAuditEntries(db: Db, filter: { action?: string; before?: number; limit: number }) {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('users as actor', 'actor.id', 'audit_log.actor_id')
    .leftJoin('users as target_user', (join) =>
      join.onRef('target_user.id', '=', 'audit_log.target_id').on('audit_log.target_type', '=', 'user'),
    )
    .leftJoin('municipalities as target_municipality', (join) =>
      join.onRef('target_municipality.id', '=', 'audit_log.target_id').on('audit_log.target_type', '=', 'municipality'),
    )
    .leftJoin('invitations as target_invitation', (join) =>
      join.onRef('target_invitation.id', '=', 'audit_log.target_id').on('audit_log.target_type', '=', 'invitation'),
    )
    .leftJoin('municipalities as municipality', 'municipality.id', 'audit_log.municipality_id')
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.actor_id',
      'audit_log.action',
      'audit_log.target_type',
      'audit_log.target_id',
      'audit_log.municipality_id',
      'audit_log.details',
      'actor.name as actor_name',
      'target_user.name as target_user_name',
      'target_municipality.name as target_municipality_name',
      'target_invitation.email as target_invitation_email',
      'municipality.name as municipality_name',
    ])
  if (filter.action) query = query.where('audit_log.action', '=', filter.action)
  if (filter.before) query = query.where('audit_log.id', '<', filter.before)
  return query.orderBy('audit_log.id', 'desc').limit(filter.limit).execute()
}

/** The actions that occur in the log, for the filter. */
export async function listAuditActions(db: Db) {
  const rows = await db.selectFrom('audit_log').select('action').distinct().orderBy('action').execute()
  return rows.map((r) => r.action)
}
