import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale } from '../users/users.table.ts'

type Db = Kysely<Database> | Transaction<Database>

export async function findThrottle(db: Db, keys: string[]) {
  if (keys.length === 0) return []
  return db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute()
}

export async function recordFailure(db: Db, keys: string[], now: Date, resetAfterMs: number) {
  const stale = new Date(now.getTime() - resetAfterMs)
  for (const key of keys) {
    await db
      .insertInto('login_throttle')
      .values({ key, failures: 1, last_failure_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`CASE WHEN login_throttle.last_failure_at < ${stale} THEN 1 ELSE login_throttle.failures + 1 END`,
          last_failure_at: now,
        }),
      )
      .execute()
  }
}

export async function clearThrottle(db: Db, key: string) {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute()
}

// --- password reset -------------------------------------------------------------------------------

/** Stores a new reset token; older unused tokens of the user stop working at the same moment. */
export async function createPasswordReset(db: Db, row: { userId: number; tokenHash: string; now: Date; expiresAt: Date }) {
  await voidPasswordResets(db, row.userId, row.now)
  await db
    .insertInto('password_resets')
    .values({ user_id: row.userId, token_hash: row.tokenHash, created_at: row.now, expires_at: row.expiresAt, used_at: null })
    .execute()
}

export async function voidPasswordResets(db: Db, userId: number, now: Date) {
  await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .execute()
}

export async function countResetsSince(db: Db, userId: number, since: Date): Promise<number> {
  const row = await db
    .selectFrom('password_resets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** The account behind a usable reset token (unused, unexpired, active account); reads only. */
export async function findUsableReset(db: Db, tokenHash: string, now: Date) {
  return db
    .selectFrom('password_resets')
    .innerJoin('users', 'users.id', 'password_resets.user_id')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .select(['users.id as user_id', 'users.email', 'users.name', 'municipalities.name as municipality_name'])
    .where('password_resets.token_hash', '=', tokenHash)
    .where('password_resets.used_at', 'is', null)
    .where('password_resets.expires_at', '>', now)
    .where('users.active', '=', true)
    .executeTakeFirst()
}

/** Uses up a token atomically: of two concurrent submissions only one gets the user id back. */
export async function consumePasswordReset(db: Db, tokenHash: string, now: Date): Promise<number | undefined> {
  const row = await db
    .updateTable('password_resets')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning('user_id')
    .executeTakeFirst()
  return row?.user_id
}

// --- two-factor sign-in ---------------------------------------------------------------------------

export async function findTotpState(db: Db, userId: number) {
  return db
    .selectFrom('users')
    .select(['totp_secret', 'totp_enabled_at', 'totp_last_step'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow()
}

/** A secret waiting for its first code; never replaces the secret of an enabled second factor. */
export async function setPendingTotpSecret(db: Db, userId: number, secret: string) {
  await db
    .updateTable('users')
    .set({ totp_secret: secret, totp_last_step: null })
    .where('id', '=', userId)
    .where('totp_enabled_at', 'is', null)
    .execute()
}

export async function enableTotp(db: Db, userId: number, secret: string, step: number, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({ totp_enabled_at: now, totp_last_step: step })
    .where('id', '=', userId)
    .where('totp_secret', '=', secret)
    .where('totp_enabled_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/** Accepts a code's time step once: a later step only, so an observed code cannot be replayed. */
export async function claimTotpStep(db: Db, userId: number, step: number): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export async function disableTotp(db: Db, userId: number) {
  await db
    .updateTable('users')
    .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
    .where('id', '=', userId)
    .execute()
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute()
}

export async function replaceRecoveryCodes(db: Db, userId: number, codeHashes: string[]) {
  await db.deleteFrom('recovery_codes').where('user_id', '=', userId).execute()
  await db
    .insertInto('recovery_codes')
    .values(codeHashes.map((code_hash) => ({ user_id: userId, code_hash, used_at: null })))
    .execute()
}

export async function useRecoveryCode(db: Db, userId: number, codeHash: string, now: Date): Promise<boolean> {
  const row = await db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

export async function countUnusedRecoveryCodes(db: Db, userId: number): Promise<number> {
  const row = await db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

// --- own account ----------------------------------------------------------------------------------

export async function updateProfile(db: Db, userId: number, profile: { name: string; position: string | null; locale: Locale }) {
  await db.updateTable('users').set(profile).where('id', '=', userId).execute()
}
