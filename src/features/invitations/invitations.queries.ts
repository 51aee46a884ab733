import { type ExpressionBuilder, type Kysely, type Transaction, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale, Role } from '../users/users.table.ts'
import type { InvitationState } from './invitations.access.ts'

type Db = Kysely<Database> | Transaction<Database>

/** `scope` is the municipality a caller may see (null: all, for admins); it always ends up in the WHERE. */
export type Scope = number | null

export async function listActiveMunicipalities(db: Db) {
  return db
    .selectFrom('municipalities')
    .select(['id', 'name', 'district'])
    .where('active', '=', true)
    .orderBy('name')
    .orderBy('district')
    .execute()
}

export async function findActiveMunicipality(db: Db, id: number) {
  return db
    .selectFrom('municipalities')
    .select(['id', 'name', 'district'])
    .where('id', '=', id)
    .where('active', '=', true)
    .executeTakeFirst()
}

function whereState(eb: ExpressionBuilder<Database, 'invitations'>, state: InvitationState, now: Date) {
  switch (state) {
    case 'revoked':
      return eb('invitations.revoked_at', 'is not', null)
    case 'accepted':
      return eb.and([eb('invitations.used_at', 'is not', null), eb('invitations.revoked_at', 'is', null)])
    case 'expired':
      return eb.and([
        eb('invitations.used_at', 'is', null),
        eb('invitations.revoked_at', 'is', null),
        eb('invitations.expires_at', '<=', now),
      ])
    case 'pending':
      return eb.and([
        eb('invitations.used_at', 'is', null),
        eb('invitations.revoked_at', 'is', null),
        eb('invitations.expires_at', '>', now),
      ])
  }
}

export const PAGE_SIZE = 50

export async function listInvitations(
  db: Db,
  filter: { scope: Scope; municipalityId: number | null; state: InvitationState | null; page: number; now: Date },
) {
  let query = db
    .selectFrom('invitations')
    .leftJoin('municipalities', 'municipalities.id', 'invitations.municipality_id')
    .leftJoin('users as inviter', 'inviter.id', 'invitations.invited_by')
    .select([
      'invitations.id',
      'invitations.email',
      'invitations.name',
      'invitations.role',
      'invitations.municipality_id',
      'invitations.sent_at',
      'invitations.expires_at',
      'invitations.used_at',
      'invitations.revoked_at',
      'municipalities.name as municipality_name',
      'inviter.name as inviter_name',
    ])
  if (filter.scope !== null) query = query.where('invitations.municipality_id', '=', filter.scope)
  if (filter.municipalityId !== null) query = query.where('invitations.municipality_id', '=', filter.municipalityId)
  const state = filter.state
  if (state) query = query.where((eb) => whereState(eb, state, filter.now))
  // One row more than a page tells whether there is a next page.
  const rows = await query
    .orderBy('invitations.sent_at', 'desc')
    .orderBy('invitations.id', 'desc')
    .limit(PAGE_SIZE + 1)
    .offset((filter.page - 1) * PAGE_SIZE)
    .execute()
  return { rows: rows.slice(0, PAGE_SIZE), hasMore: rows.length > PAGE_SIZE }
}

/** One invitation, only if it lies within the caller's scope: anything else is "not found". */
export async function findInvitationInScope(db: Db, id: number, scope: Scope) {
  let query = db
    .selectFrom('invitations')
    .leftJoin('municipalities', 'municipalities.id', 'invitations.municipality_id')
    .selectAll('invitations')
    .select('municipalities.name as municipality_name')
    .where('invitations.id', '=', id)
  if (scope !== null) query = query.where('invitations.municipality_id', '=', scope)
  return query.executeTakeFirst()
}

/** The invitation behind a link, with what the acceptance page and the mail show. */
export async function findInvitationByTokenHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('invitations')
    .leftJoin('municipalities', 'municipalities.id', 'invitations.municipality_id')
    .selectAll('invitations')
    .select('municipalities.name as municipality_name')
    .where('invitations.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

/** What the database already knows about these addresses: accounts and open invitations. */
export async function findExistingAccounts(db: Db, emails: string[]) {
  if (emails.length === 0) return []
  return db
    .selectFrom('users')
    .select(['id', 'email', 'municipality_id', 'active', 'password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), 'in', emails))
    .execute()
}

export async function findPendingInvitations(db: Db, emails: string[], now: Date) {
  if (emails.length === 0) return []
  return db
    .selectFrom('invitations')
    .select(['id', 'email', 'municipality_id'])
    .where((eb) => eb(eb.fn('lower', ['email']), 'in', emails))
    .where((eb) => whereState(eb, 'pending', now))
    .execute()
}

export type NewInvitation = {
  tokenHash: string
  email: string
  name: string | null
  role: Role
  municipalityId: number | null
  invitedBy: number
  locale: Locale
  now: Date
  expiresAt: Date
}

export async function insertInvitation(db: Db, inv: NewInvitation) {
  return db
    .insertInto('invitations')
    .values({
      token_hash: inv.tokenHash,
      email: inv.email,
      name: inv.name,
      role: inv.role,
      municipality_id: inv.municipalityId,
      invited_by: inv.invitedBy,
      locale: inv.locale,
      created_at: inv.now,
      sent_at: inv.now,
      expires_at: inv.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** A new token and expiry for an invitation not yet used or revoked; the old link stops working. */
export async function renewInvitation(
  db: Db,
  id: number,
  scope: Scope,
  values: { tokenHash: string; now: Date; expiresAt: Date },
) {
  let query = db
    .updateTable('invitations')
    .set({ token_hash: values.tokenHash, sent_at: values.now, expires_at: values.expiresAt })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
  if (scope !== null) query = query.where('municipality_id', '=', scope)
  return query.returningAll().executeTakeFirst()
}

export async function revokeInvitation(db: Db, id: number, scope: Scope, now: Date) {
  let query = db
    .updateTable('invitations')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
  if (scope !== null) query = query.where('municipality_id', '=', scope)
  return query.returning(['id', 'role', 'municipality_id']).executeTakeFirst()
}

/**
 * Claims an invitation: the single statement that makes a link single-use. Of two concurrent
 * redemptions only one gets a row back.
 */
export async function redeemInvitation(db: Db, tokenHash: string, now: Date) {
  return db
    .updateTable('invitations')
    .set({ used_at: now })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    // An invitation into a municipality that was deactivated since is void.
    .where((eb) =>
      eb.or([
        eb('municipality_id', 'is', null),
        eb('municipality_id', 'in', eb.selectFrom('municipalities').select('id').where('active', '=', true)),
      ]),
    )
    .returningAll()
    .executeTakeFirst()
}

export async function linkInvitationToUser(db: Db, invitationId: number, userId: number) {
  await db.updateTable('invitations').set({ user_id: userId }).where('id', '=', invitationId).execute()
}

export type InvitedAccount = {
  email: string
  name: string
  position: string | null
  role: Role
  municipalityId: number | null
  locale: Locale
  passwordHash: string
}

/**
 * An imported user (a row without password) becomes the invited account; nobody else's row is
 * touched. Returns the id, or undefined when there is no such row.
 */
export async function claimImportedUser(db: Db, account: InvitedAccount) {
  const row = await db
    .updateTable('users')
    .set({
      name: account.name,
      position: account.position,
      role: account.role,
      municipality_id: account.municipalityId,
      locale: account.locale,
      password_hash: account.passwordHash,
    })
    .where((eb) => eb(eb.fn('lower', ['email']), '=', account.email))
    .where('password_hash', 'is', null)
    .where('active', '=', true)
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

/** A new account; undefined when one with this address appeared in the meantime. */
export async function insertInvitedUser(db: Db, account: InvitedAccount, now: Date) {
  const row = await db
    .insertInto('users')
    .values({
      email: account.email,
      name: account.name,
      position: account.position,
      role: account.role,
      municipality_id: account.municipalityId,
      locale: account.locale,
      password_hash: account.passwordHash,
      created_at: now,
    })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning('id')
    .executeTakeFirst()
  return row?.id
}

/** The name an imported user already has, to prefill the acceptance form. */
export async function findImportedUserName(db: Db, email: string) {
  const row = await db
    .selectFrom('users')
    .select('name')
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email))
    .where('password_hash', 'is', null)
    .executeTakeFirst()
  return row?.name
}
