import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale, Role } from './users.table.ts'

type Db = Kysely<Database> | Transaction<Database>

/** What every request knows about the signed-in user. */
export type CurrentUser = {
  id: number
  email: string
  name: string
  position: string | null
  role: Role
  locale: Locale
  municipality_id: number | null
  municipality_name: string | null
  totp_enabled: boolean
}

export async function findCurrentUser(db: Db, userId: number): Promise<CurrentUser | undefined> {
  const row = await db
    .selectFrom('users')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .select([
      'users.id',
      'users.email',
      'users.name',
      'users.position',
      'users.role',
      'users.locale',
      'users.municipality_id',
      'municipalities.name as municipality_name',
      'users.totp_enabled_at',
    ])
    .where('users.id', '=', userId)
    .where('users.active', '=', true)
    .executeTakeFirst()
  if (!row) return undefined
  const { totp_enabled_at, ...user } = row
  return { ...user, totp_enabled: totp_enabled_at !== null }
}

export async function findUserByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .selectAll('users')
    .select('municipalities.name as municipality_name')
    .where((eb) => eb(eb.fn('lower', ['users.email']), '=', email.toLowerCase()))
    .executeTakeFirst()
}

export async function findUserById(db: Db, id: number) {
  return db
    .selectFrom('users')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .selectAll('users')
    .select(['municipalities.name as municipality_name', 'municipalities.district as municipality_district'])
    .where('users.id', '=', id)
    .executeTakeFirst()
}

export async function setUserLocale(db: Db, userId: number, locale: Locale) {
  await db.updateTable('users').set({ locale }).where('id', '=', userId).execute()
}

export async function setPasswordHash(db: Db, userId: number, passwordHash: string) {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute()
}

export async function recordLogin(db: Db, userId: number, now: Date) {
  await db.updateTable('users').set({ last_login_at: now }).where('id', '=', userId).execute()
}

export async function countAdmins(db: Db) {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('role', '=', 'admin')
    .where('active', '=', true)
    .executeTakeFirstOrThrow()
  return Number(row.n)
}
