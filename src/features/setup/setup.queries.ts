import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale } from '../users/users.table.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The setting `key` holds a token with this hash that has not expired yet (value: { hash, expiresAt }). */
function isUnexpiredToken(key: string, hash: string, now: Date) {
  return (eb: ExpressionBuilder<Database, 'app_settings'>) =>
    eb.and([
      eb('key', '=', key),
      eb(sql<string>`value->>'hash'`, '=', hash),
      eb(sql<Date>`(value->>'expiresAt')::timestamptz`, '>', now),
    ])
}

export async function hasSetupToken(db: Db, key: string, hash: string, now: Date): Promise<boolean> {
  const row = await db.selectFrom('app_settings').select('key').where(isUnexpiredToken(key, hash, now)).executeTakeFirst()
  return row !== undefined
}

/** Deletes the one-time token only if it matches and is unexpired: of parallel requests exactly one wins. */
export async function consumeSetupToken(db: Db, key: string, hash: string, now: Date): Promise<boolean> {
  const row = await db.deleteFrom('app_settings').where(isUnexpiredToken(key, hash, now)).returning('key').executeTakeFirst()
  return row !== undefined
}

export async function insertAdmin(
  db: Db,
  admin: { name: string; email: string; passwordHash: string; locale: Locale; now: Date },
): Promise<number> {
  const row = await db
    .insertInto('users')
    .values({
      name: admin.name,
      email: admin.email,
      password_hash: admin.passwordHash,
      role: 'admin',
      municipality_id: null,
      locale: admin.locale,
      created_at: admin.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

export async function insertAdminInvitation(
  db: Db,
  invitation: { tokenHash: string; email: string; name: string; now: Date; expiresAt: Date },
): Promise<number> {
  const row = await db
    .insertInto('invitations')
    .values({
      token_hash: invitation.tokenHash,
      email: invitation.email,
      name: invitation.name,
      role: 'admin',
      municipality_id: null,
      invited_by: null,
      created_at: invitation.now,
      sent_at: invitation.now,
      expires_at: invitation.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}
