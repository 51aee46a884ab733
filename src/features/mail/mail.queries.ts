import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale } from '../users/users.table.ts'
import type { DeliveryKind, DeliveryStatus, DigestFrequency, MailingList } from './mail.table.ts'

type Db = Kysely<Database> | Transaction<Database>

export type MailSettings = {
  notify_reply: boolean
  notify_mention: boolean
  notify_solution: boolean
  notify_adopted: boolean
  digest: DigestFrequency
  digest_hour: number
  watchlist_alerts: boolean
}

/** What the settings form saves: watchlist alerts only for those who may see the trends (else kept as they are). */
export type MailSettingsChange = Omit<MailSettings, 'watchlist_alerts'> & Partial<Pick<MailSettings, 'watchlist_alerts'>>

export const defaultMailSettings: MailSettings = {
  notify_reply: true,
  notify_mention: true,
  notify_solution: true,
  notify_adopted: true,
  digest: 'weekly',
  digest_hour: 7,
  watchlist_alerts: true,
}

export async function findMailSettings(db: Db, userId: number): Promise<MailSettings> {
  const row = await db
    .selectFrom('mail_settings')
    .select(['notify_reply', 'notify_mention', 'notify_solution', 'notify_adopted', 'digest', 'digest_hour', 'watchlist_alerts'])
    .where('user_id', '=', userId)
    .executeTakeFirst()
  return row ?? { ...defaultMailSettings }
}

export async function saveMailSettings(db: Db, userId: number, settings: MailSettingsChange, now: Date) {
  await db
    .insertInto('mail_settings')
    .values({ user_id: userId, ...settings, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...settings, updated_at: now }))
    .execute()
}

export async function setUserLocale(db: Db, userId: number, locale: Locale) {
  await db.updateTable('users').set({ locale }).where('id', '=', userId).execute()
}

const unsubscribed = {
  digest: { digest: 'off' },
  notifications: { notify_reply: false, notify_mention: false, notify_solution: false, notify_adopted: false },
  watchlist: { watchlist_alerts: false },
} as const satisfies Record<MailingList, Partial<MailSettings>>

/** One-click unsubscribe: the digest stops, or every immediate notification mail does, or the watchlist alerts. Idempotent. */
export async function unsubscribe(db: Db, userId: number, list: MailingList, now: Date) {
  const change = unsubscribed[list]
  await db
    .insertInto('mail_settings')
    .values({ user_id: userId, ...change, updated_at: now })
    .onConflict((oc) => oc.column('user_id').doUpdateSet({ ...change, updated_at: now }))
    .execute()
}

export async function insertUnsubscribeTokens(db: Db, rows: { token_hash: string; user_id: number; list: MailingList; created_at: Date }[]) {
  if (rows.length === 0) return
  await db.insertInto('unsubscribe_tokens').values(rows).execute()
}

export async function findUnsubscribeToken(db: Db, tokenHash: string) {
  return db
    .selectFrom('unsubscribe_tokens')
    .innerJoin('users', 'users.id', 'unsubscribe_tokens.user_id')
    .select(['unsubscribe_tokens.user_id', 'unsubscribe_tokens.list', 'users.locale'])
    .where('unsubscribe_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

const recipientColumns = [
  'users.id',
  'users.email',
  'users.name',
  'users.locale',
  'users.municipality_id',
  'municipalities.district',
] as const

/** Active people whose digest is on (no settings row means the weekly default), with what they chose. */
export async function listDigestRecipients(db: Db, userIds?: number[]) {
  let query = db
    .selectFrom('users')
    .leftJoin('mail_settings', 'mail_settings.user_id', 'users.id')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .select([
      ...recipientColumns,
      sql<DigestFrequency>`coalesce(mail_settings.digest, 'weekly')`.as('digest'),
      sql<number>`coalesce(mail_settings.digest_hour, 7)`.as('digest_hour'),
    ])
    .where('users.active', '=', true)
    .where((eb) => eb.or([eb('mail_settings.digest', 'is', null), eb('mail_settings.digest', '<>', 'off')]))
  if (userIds) {
    if (userIds.length === 0) return []
    query = query.where('users.id', 'in', userIds)
  }
  return query.orderBy('users.id').execute()
}

export type DigestRecipient = Awaited<ReturnType<typeof listDigestRecipients>>[number]

/** Any person (active), for a test digest. */
export async function findRecipient(db: Db, userId: number) {
  return db
    .selectFrom('users')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .select(recipientColumns)
    .where('users.id', '=', userId)
    .executeTakeFirst()
}

/** Per person: the period keys they already have a row for, and where their last digest ended. */
export async function findDigestHistory(db: Db, userIds: number[], periodKeys: string[]) {
  if (userIds.length === 0) return { existing: new Set<string>(), lastUntil: new Map<number, Date>() }
  const [existing, last] = await Promise.all([
    db
      .selectFrom('digest_deliveries')
      .select(['user_id', 'period_key'])
      .where('kind', '=', 'digest')
      .where('user_id', 'in', userIds)
      .where('period_key', 'in', periodKeys)
      .execute(),
    db
      .selectFrom('digest_deliveries')
      .select(['user_id', (eb) => eb.fn.max('until').as('until')])
      .where('kind', '=', 'digest')
      .where('user_id', 'in', userIds)
      .groupBy('user_id')
      .execute(),
  ])
  return {
    existing: new Set(existing.map((r) => `${r.user_id} ${r.period_key}`)),
    lastUntil: new Map(last.map((r) => [r.user_id, new Date(r.until as unknown as string | Date)])),
  }
}

export type NewDelivery = {
  user_id: number
  kind: DeliveryKind
  period_key: string
  since: Date
  until: Date
  message_id: string
}

/** Claims fresh deliveries: a row that exists already (another instance, an earlier round) is not ours. */
export async function claimNewDeliveries(db: Db, rows: NewDelivery[], now: Date, leaseUntil: Date) {
  if (rows.length === 0) return []
  return db
    .insertInto('digest_deliveries')
    .values(rows.map((r) => ({ ...r, status: 'claimed' as const, attempts: 1, lease_until: leaseUntil, created_at: now })))
    .onConflict((oc) => oc.columns(['user_id', 'period_key']).doNothing())
    .returningAll()
    .execute()
}

/**
 * Takes over deliveries whose claimer died (lease over) and failed ones due for another attempt.
 * SKIP LOCKED: two instances reclaiming at once never take the same row.
 */
export async function reclaimDeliveries(db: Db, kind: DeliveryKind, now: Date, leaseUntil: Date, limit: number) {
  return db
    .updateTable('digest_deliveries')
    .set((eb) => ({ status: 'claimed', lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
    .where(
      'id',
      'in',
      db
        .selectFrom('digest_deliveries')
        .select('id')
        .where('kind', '=', kind)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'claimed'), eb('lease_until', '<', now)]),
            eb.and([eb('status', '=', 'failed'), eb('next_attempt_at', '<=', now)]),
          ]),
        )
        .orderBy('id')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute()
}

export type Delivery = Awaited<ReturnType<typeof claimNewDeliveries>>[number]

/** Records the outcome; only the claim holder's row in state `claimed` changes. */
export async function finishDelivery(
  db: Db,
  id: number,
  outcome: { status: DeliveryStatus; now: Date; itemCount?: number; error?: string; nextAttemptAt?: Date | null },
) {
  await db
    .updateTable('digest_deliveries')
    .set({
      status: outcome.status,
      lease_until: null,
      sent_at: outcome.status === 'sent' ? outcome.now : null,
      item_count: outcome.itemCount ?? null,
      last_error: outcome.error ?? null,
      next_attempt_at: outcome.nextAttemptAt ?? null,
    })
    .where('id', '=', id)
    .where('status', '=', 'claimed')
    .execute()
}

/** For the admin page: deliveries since a moment, newest first, with whom they went to. */
export async function listRecentDeliveries(db: Db, since: Date, limit: number) {
  return db
    .selectFrom('digest_deliveries')
    .innerJoin('users', 'users.id', 'digest_deliveries.user_id')
    .select([
      'digest_deliveries.id',
      'digest_deliveries.kind',
      'digest_deliveries.period_key',
      'digest_deliveries.status',
      'digest_deliveries.attempts',
      'digest_deliveries.last_error',
      'digest_deliveries.next_attempt_at',
      'digest_deliveries.item_count',
      'digest_deliveries.created_at',
      'digest_deliveries.sent_at',
      'users.name',
      'users.email',
    ])
    .where('digest_deliveries.created_at', '>=', since)
    .orderBy('digest_deliveries.id', 'desc')
    .limit(limit)
    .execute()
}

export async function countRecentDeliveries(db: Db, since: Date) {
  const rows = await db
    .selectFrom('digest_deliveries')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('created_at', '>=', since)
    .groupBy('status')
    .execute()
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)])) as Partial<Record<DeliveryStatus, number>>
}
