import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { NewDelivery } from '../mail/mail.queries.ts'
import { TREND_VIEWERS } from './trends.access.ts'

type Db = Kysely<Database> | Transaction<Database>

/** Every watched term, oldest first, with the name of who added it (an erased account is anonymised). */
export async function listWatchTerms(db: Db) {
  return db
    .selectFrom('trend_watch_terms')
    .leftJoin('users', 'users.id', 'trend_watch_terms.created_by')
    .select([
      'trend_watch_terms.id',
      'trend_watch_terms.term',
      'trend_watch_terms.stems',
      'trend_watch_terms.created_at',
      'trend_watch_terms.rising_since',
      'trend_watch_terms.quiet_since',
      'trend_watch_terms.last_alert_at',
      'users.name as created_by_name',
      'users.erased_at as created_by_erased_at',
    ])
    .orderBy('trend_watch_terms.id')
    .execute()
}

/** Adds a term; undefined when one with the same stems is watched already. */
export async function insertWatchTerm(db: Db, row: { term: string; stems: string[]; userId: number; now: Date }) {
  return db
    .insertInto('trend_watch_terms')
    .values({ term: row.term, stems: row.stems, stem_key: stemKey(row.stems), created_by: row.userId, created_at: row.now })
    .onConflict((oc) => oc.column('stem_key').doNothing())
    .returning(['id', 'term'])
    .executeTakeFirst()
}

export async function watchTermExists(db: Db, stems: string[]) {
  const row = await db.selectFrom('trend_watch_terms').select('id').where('stem_key', '=', stemKey(stems)).executeTakeFirst()
  return row !== undefined
}

export async function deleteWatchTerm(db: Db, id: number) {
  return db.deleteFrom('trend_watch_terms').where('id', '=', id).returning(['id', 'term']).executeTakeFirst()
}

function stemKey(stems: string[]): string {
  return [...new Set(stems)].sort().join(' ')
}

/**
 * Who gets watchlist alerts: active staff and admins (erased accounts are inactive) who have not
 * switched them off (no mail_settings row means on).
 */
function alertRecipients(db: Db) {
  return db
    .selectFrom('users')
    .leftJoin('mail_settings', 'mail_settings.user_id', 'users.id')
    .select(['users.id', 'users.email', 'users.name', 'users.locale'])
    .where('users.active', '=', true)
    .where('users.erased_at', 'is', null)
    .where('users.role', 'in', TREND_VIEWERS)
    .where((eb) => eb.or([eb('mail_settings.watchlist_alerts', 'is', null), eb('mail_settings.watchlist_alerts', '=', true)]))
}

export async function listAlertRecipients(db: Db) {
  return alertRecipients(db).orderBy('users.id').execute()
}

/** One recipient, if they still get alerts (a retried delivery may find them deactivated or unsubscribed since). */
export async function findAlertRecipient(db: Db, userId: number) {
  return alertRecipients(db).where('users.id', '=', userId).executeTakeFirst()
}

export type NewAlert = { term: string; label: string; stem: string; municipalities: number; districts: number }

/**
 * Starts a rise, once: marks the term rising (only if it is not yet), records the alert and claims
 * one delivery per recipient, all in one transaction. Whoever flips `rising_since` owns the rise; a
 * second round, instance or retry finds the term rising and claims nothing.
 */
export async function startRise(
  db: Kysely<Database>,
  termId: number,
  alert: NewAlert,
  deliveries: (alertId: number) => NewDelivery[],
  now: Date,
  leaseUntil: Date,
) {
  return db.transaction().execute(async (trx) => {
    const flipped = await trx
      .updateTable('trend_watch_terms')
      .set({ rising_since: now, quiet_since: null, last_alert_at: now })
      .where('id', '=', termId)
      .where('rising_since', 'is', null)
      .returning('id')
      .executeTakeFirst()
    if (!flipped) return { started: false, deliveries: [] }
    const { id } = await trx
      .insertInto('trend_watch_alerts')
      .values({ term_id: termId, rise_started_at: now, ...alert })
      .returning('id')
      .executeTakeFirstOrThrow()
    const rows = deliveries(id)
    if (rows.length === 0) return { started: true, deliveries: [] }
    const claimed = await trx
      .insertInto('digest_deliveries')
      .values(rows.map((r) => ({ ...r, status: 'claimed' as const, attempts: 1, lease_until: leaseUntil, created_at: now })))
      .onConflict((oc) => oc.columns(['user_id', 'period_key']).doNothing())
      .returningAll()
      .execute()
    return { started: true, deliveries: claimed }
  })
}

/** The term is still (or again) part of a trend: a pause in its rise is forgotten. */
export async function clearQuiet(db: Db, termId: number) {
  await db.updateTable('trend_watch_terms').set({ quiet_since: null }).where('id', '=', termId).execute()
}

/** The term left the trends while rising: remember since when. */
export async function markQuiet(db: Db, termId: number, now: Date) {
  await db.updateTable('trend_watch_terms').set({ quiet_since: now }).where('id', '=', termId).where('quiet_since', 'is', null).execute()
}

/** The rise is over: the next time the term trends is a new rise, with a new alert. */
export async function endRise(db: Db, termId: number) {
  await db.updateTable('trend_watch_terms').set({ rising_since: null, quiet_since: null }).where('id', '=', termId).execute()
}

export async function findAlert(db: Db, id: number) {
  return db.selectFrom('trend_watch_alerts').selectAll().where('id', '=', id).executeTakeFirst()
}
