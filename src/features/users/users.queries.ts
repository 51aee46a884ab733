import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { containsPattern } from '../../lib/search.ts'
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

/** The columns of CurrentUser, for a query that joins users and municipalities (findSession, findCurrentUser). */
export const currentUserColumns = [
  'users.id',
  'users.email',
  'users.name',
  'users.position',
  'users.role',
  'users.locale',
  'users.municipality_id',
  'municipalities.name as municipality_name',
  'users.totp_enabled_at',
] as const

export function toCurrentUser(row: Omit<CurrentUser, 'totp_enabled'> & { totp_enabled_at: Date | null }): CurrentUser {
  const { totp_enabled_at, ...user } = row
  return { ...user, totp_enabled: totp_enabled_at !== null }
}

export async function findCurrentUser(db: Db, userId: number): Promise<CurrentUser | undefined> {
  const row = await db
    .selectFrom('users')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .select(currentUserColumns)
    .where('users.id', '=', userId)
    .where('users.active', '=', true)
    .executeTakeFirst()
  return row ? toCurrentUser(row) : undefined
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

// ---- Administration: user lists, role changes, (de)activation ----

const listColumns = [
  'users.id',
  'users.name',
  'users.email',
  'users.position',
  'users.role',
  'users.active',
  'users.last_login_at',
  'users.municipality_id',
  'users.erased_at',
] as const

export type UserListFilter = {
  q?: string
  role?: Role
  municipalityId?: number
  status: 'all' | 'active' | 'inactive'
}

/** One page of all accounts, by name, with the total for the pager. */
export async function listUsers(db: Db, filter: UserListFilter, page: { limit: number; offset: number }) {
  let query = db.selectFrom('users').leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
  if (filter.q) {
    const pattern = containsPattern(filter.q)
    query = query.where((eb) => eb.or([eb('users.name', 'ilike', pattern), eb('users.email', 'ilike', pattern)]))
  }
  if (filter.role) query = query.where('users.role', '=', filter.role)
  if (filter.municipalityId) query = query.where('users.municipality_id', '=', filter.municipalityId)
  if (filter.status !== 'all') query = query.where('users.active', '=', filter.status === 'active')
  const [rows, total] = await Promise.all([
    query
      .select([...listColumns, 'municipalities.name as municipality_name'])
      .orderBy('users.name')
      .orderBy('users.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

/** Roles a municipality contact manages: never staff or admin accounts, even if attached to the municipality. */
const municipalRoles: Role[] = ['member', 'municipality_admin']

/**
 * The accounts of one municipality, for its detail page; with `municipalOnly` the colleagues a
 * municipality contact sees.
 */
export async function listUsersOfMunicipality(db: Db, municipalityId: number, { municipalOnly = false } = {}) {
  let query = db.selectFrom('users').select(listColumns).where('users.municipality_id', '=', municipalityId)
  if (municipalOnly) query = query.where('users.role', 'in', municipalRoles)
  return query
    .orderBy('users.active', 'desc')
    .orderBy('users.name')
    .orderBy('users.id')
    .execute()
}

/**
 * Locks one account for a change of role or state. With `municipalityId` only a member or contact of
 * that municipality is found: a municipality contact can never reach anyone else.
 */
export async function lockUser(db: Db, id: number, municipalityId?: number) {
  let query = db
    .selectFrom('users')
    .select(['id', 'role', 'active', 'municipality_id'])
    .where('id', '=', id)
    // an erased account (Art. 17) is never changed again, nor brought back
    .where('erased_at', 'is', null)
  if (municipalityId !== undefined) {
    query = query.where('municipality_id', '=', municipalityId).where('role', 'in', municipalRoles)
  }
  return query.forUpdate().executeTakeFirst()
}

/** Counts the active admins, locking them so two admins cannot demote each other at the same time. */
export async function lockActiveAdmins(db: Db): Promise<number> {
  const rows = await db
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'admin')
    .where('active', '=', true)
    .orderBy('id')
    .forUpdate()
    .execute()
  return rows.length
}

export async function setUserActive(db: Db, id: number, active: boolean, now: Date) {
  await db
    .updateTable('users')
    .set({ active, deactivated_at: active ? null : now })
    .where('id', '=', id)
    .execute()
}

export async function setUserRole(db: Db, id: number, role: Role, municipalityId: number | null) {
  await db.updateTable('users').set({ role, municipality_id: municipalityId }).where('id', '=', id).execute()
}

/**
 * Deactivates every active account of a municipality; returns their ids. All its accounts are locked
 * first (accounts before the municipality, as everywhere), so one being reactivated at this moment is
 * either seen as active here or sees the municipality deactivated.
 */
export async function deactivateUsersOfMunicipality(db: Db, municipalityId: number, now: Date) {
  await db.selectFrom('users').select('id').where('municipality_id', '=', municipalityId).orderBy('id').forUpdate().execute()
  const rows = await db
    .updateTable('users')
    .set({ active: false, deactivated_at: now })
    .where('municipality_id', '=', municipalityId)
    .where('active', '=', true)
    .returning('id')
    .execute()
  return rows.map((r) => r.id)
}
