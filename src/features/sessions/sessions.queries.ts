import { type Kysely, sql } from 'kysely'
import { compiledOnce, type Slots } from '../../db/compiled.ts'
import type { Database } from '../../db/database.ts'
import { unreadNotificationsOf } from '../notifications/notifications.queries.ts'
import { currentUserColumns, toCurrentUser } from '../users/users.queries.ts'

/**
 * A live session's data and, in the same round trip, what every signed-in page needs next: the person
 * it names (only while their account is active) and how many unread notifications they have.
 */
const sessionWithUser = compiledOnce((db: Kysely<Database>, slot: Slots<{ sid: string; now: Date }>) =>
  db
    .selectFrom('sessions')
    .leftJoin('users', (join) => join.onRef('users.id', '=', 'sessions.user_id').on('users.active', '=', true))
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .select(['sessions.data', ...currentUserColumns])
    .select((eb) => unreadNotificationsOf(eb.ref('users.id')).as('unread_notifications'))
    .where('sessions.sid', '=', slot('sid'))
    .where('sessions.expires_at', '>', slot('now')),
)

export async function findSession(db: Kysely<Database>, sid: string, now: Date) {
  const [row] = await sessionWithUser(db, { sid, now })
  if (!row) return undefined
  const { data, unread_notifications, ...user } = row
  return {
    data,
    user: user.id === null ? null : toCurrentUser(user as Parameters<typeof toCurrentUser>[0]),
    unreadNotifications: user.id === null ? null : Number(unread_notifications),
  }
}

export async function saveSession(
  db: Kysely<Database>,
  row: { sid: string; userId: number | null; data: unknown; expiresAt: Date; now: Date; ip: string | null; userAgent: string | null },
) {
  const data = JSON.stringify(row.data)
  await db
    .insertInto('sessions')
    .values({
      sid: row.sid,
      user_id: row.userId,
      data,
      created_at: row.now,
      updated_at: row.now,
      expires_at: row.expiresAt,
      ip: row.ip,
      user_agent: row.userAgent,
    })
    .onConflict((oc) =>
      oc.column('sid').doUpdateSet({ user_id: row.userId, data, updated_at: row.now, expires_at: row.expiresAt }),
    )
    .execute()
}

/** Updates a session that was loaded from the store; a row deleted meanwhile (sign-out elsewhere) stays deleted. */
export async function updateSession(
  db: Kysely<Database>,
  row: { sid: string; userId: number | null; data: unknown; expiresAt: Date; now: Date },
) {
  await db
    .updateTable('sessions')
    .set({ user_id: row.userId, data: JSON.stringify(row.data), updated_at: row.now, expires_at: row.expiresAt })
    .where('sid', '=', row.sid)
    .execute()
}

export async function deleteSession(db: Kysely<Database>, sid: string) {
  await db.deleteFrom('sessions').where('sid', '=', sid).execute()
}

/** Ends every session of a user: deactivation, password reset, role change, erasure. */
export async function deleteUserSessions(db: Kysely<Database>, userId: number, exceptSid?: string) {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId)
  if (exceptSid) q = q.where('sid', '<>', exceptSid)
  await q.execute()
}

export async function deleteMunicipalitySessions(db: Kysely<Database>, municipalityId: number) {
  await db
    .deleteFrom('sessions')
    .where('user_id', 'in', db.selectFrom('users').select('id').where('municipality_id', '=', municipalityId))
    .execute()
}

export async function deleteExpiredSessions(db: Kysely<Database>, now: Date) {
  await db.deleteFrom('sessions').where('expires_at', '<=', now).execute()
}

export async function deleteExpiredRateLimits(db: Kysely<Database>, now: Date) {
  await db.deleteFrom('rate_limits').where('reset_at', '<=', now).execute()
}

/** Fixed-window counter for @fastify/rate-limit, shared by every app instance. */
export async function hitRateLimit(db: Kysely<Database>, key: string, windowMs: number, now: Date) {
  const resetAt = new Date(now.getTime() + windowMs)
  const row = await db
    .insertInto('rate_limits')
    .values({ key, hits: 1, reset_at: resetAt })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        hits: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN 1 ELSE rate_limits.hits + 1 END`,
        reset_at: sql`CASE WHEN rate_limits.reset_at <= ${now} THEN ${resetAt} ELSE rate_limits.reset_at END`,
      }),
    )
    .returning(['hits', 'reset_at'])
    .executeTakeFirstOrThrow()
  return { hits: row.hits, resetAt: row.reset_at }
}

export async function getSetting<T>(db: Kysely<Database>, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('app_settings').select('value').where('key', '=', key).executeTakeFirst()
  return row?.value as T | undefined
}

export async function putSetting(db: Kysely<Database>, key: string, value: unknown, now: Date) {
  const json = JSON.stringify(value)
  await db
    .insertInto('app_settings')
    .values({ key, value: json, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: json, updated_at: now }))
    .execute()
}

export async function deleteSetting(db: Kysely<Database>, key: string) {
  await db.deleteFrom('app_settings').where('key', '=', key).execute()
}
