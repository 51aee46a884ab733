import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { ExportEntry } from './privacy.definition.ts'

type Db = Kysely<Database> | Transaction<Database>

/** The condition "this row belongs to the user" of one definition entry, as SQL. */
function belongsTo(entry: ExportEntry, userId: number) {
  const parts = entry.userColumns.map((c) => sql`${sql.ref(c)} = ${userId}`)
  if (entry.also) parts.push(sql`(${entry.also(userId)})`)
  return sql.join(parts, sql` OR `)
}

/** Every row of one table that belongs to the user (table and column names come from the definition only). */
export async function rowsOfUser(db: Db, entry: ExportEntry, userId: number): Promise<Record<string, unknown>[]> {
  const result = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(entry.table)} WHERE ${belongsTo(entry, userId)} ORDER BY 1`.execute(db)
  return result.rows
}

/** Deletes every row of one table that belongs to the user. */
export async function deleteRowsOfUser(db: Db, entry: ExportEntry, userId: number) {
  await sql`DELETE FROM ${sql.table(entry.table)} WHERE ${belongsTo(entry, userId)}`.execute(db)
}

// --- exports -------------------------------------------------------------------------------------------

export async function insertExport(db: Db, row: { id: string; userId: number; requestedBy: number; now: Date; expiresAt: Date }) {
  await db
    .insertInto('data_exports')
    .values({ id: row.id, user_id: row.userId, requested_by: row.requestedBy, created_at: row.now, expires_at: row.expiresAt })
    .execute()
}

/** Takes a pending export for preparation; undefined when another runner has it already. */
export async function claimExport(db: Db, id: string) {
  return db
    .updateTable('data_exports')
    .set({ status: 'preparing' })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning(['id', 'user_id'])
    .executeTakeFirst()
}

export async function pendingExportIds(db: Db, limit: number) {
  const rows = await db.selectFrom('data_exports').select('id').where('status', '=', 'pending').orderBy('created_at').limit(limit).execute()
  return rows.map((r) => r.id)
}

/** Exports left half-prepared by a runner that died: back to pending. */
export async function releaseStaleExports(db: Db, olderThan: Date) {
  await db.updateTable('data_exports').set({ status: 'pending' }).where('status', '=', 'preparing').where('created_at', '<', olderThan).execute()
}

export async function completeExport(db: Db, id: string, content: string, now: Date) {
  await db.updateTable('data_exports').set({ status: 'ready', content, ready_at: now }).where('id', '=', id).execute()
}

export async function failExport(db: Db, id: string) {
  await db.updateTable('data_exports').set({ status: 'failed' }).where('id', '=', id).execute()
}

/** The exports someone asked for (their own and, for admins, those made for members), newest first. */
export async function listExportsRequestedBy(db: Db, requestedBy: number, now: Date) {
  return db
    .selectFrom('data_exports as e')
    .innerJoin('users as u', 'u.id', 'e.user_id')
    .select(['e.id', 'e.user_id', 'e.status', 'e.created_at', 'e.ready_at', 'e.expires_at', 'u.name as user_name'])
    .where('e.requested_by', '=', requestedBy)
    .where('e.expires_at', '>', now)
    .orderBy('e.created_at', 'desc')
    .execute()
}

/** An export, only for the person who asked for it and only until it expires. */
export async function findExportFor(db: Db, id: string, requestedBy: number, now: Date) {
  return db
    .selectFrom('data_exports')
    .select(['id', 'user_id', 'status', 'content', 'created_at', 'ready_at', 'expires_at'])
    .where('id', '=', id)
    .where('requested_by', '=', requestedBy)
    .where('expires_at', '>', now)
    .executeTakeFirst()
}

export async function deleteExpiredExports(db: Db, now: Date) {
  await db.deleteFrom('data_exports').where('expires_at', '<=', now).execute()
}

// --- erasure -------------------------------------------------------------------------------------------

export async function lockUserForErasure(db: Db, id: number) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'handle', 'role', 'active', 'municipality_id', 'erased_at', 'password_hash', 'totp_secret', 'totp_enabled_at'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst()
}

/** Texts of others that may name the person: an @mention of their handle or a quote header with their name. */
export async function othersTextsMentioning(db: Db, userId: number, needles: string[]) {
  const like = (column: 'p.body' | 'r.body') => needles.map((n) => sql<boolean>`strpos(lower(${sql.ref(column)}), ${n.toLowerCase()}) > 0`)
  const posts = await db
    .selectFrom('posts as p')
    .select(['p.id', 'p.body'])
    .where('p.author_id', '<>', userId)
    .where((eb) => eb.or(like('p.body')))
    .execute()
  const revisions = await db
    .selectFrom('post_revisions as r')
    .innerJoin('posts as p', 'p.id', 'r.post_id')
    .select(['r.id', 'r.body'])
    .where('p.author_id', '<>', userId)
    .where((eb) => eb.or(like('r.body')))
    .execute()
  return { posts, revisions }
}

export async function setPostBody(db: Db, id: number, body: string) {
  await db.updateTable('posts').set({ body }).where('id', '=', id).execute()
}

export async function setRevisionBody(db: Db, id: number, body: string) {
  await db.updateTable('post_revisions').set({ body }).where('id', '=', id).execute()
}

/** Removes the person's texts: bodies emptied and marked deleted, their edit history and files gone. */
export async function deletePostsOf(db: Db, userId: number, now: Date) {
  const files = await db
    .deleteFrom('attachments')
    .where('post_id', 'in', db.selectFrom('posts').select('id').where('author_id', '=', userId))
    .returning('stored_name')
    .execute()
  await db
    .deleteFrom('post_revisions')
    .where('post_id', 'in', db.selectFrom('posts').select('id').where('author_id', '=', userId))
    .execute()
  await db
    .updateTable('posts')
    .set({ body: '', deleted_at: sql`coalesce(deleted_at, ${now})`, deleted_by: sql`coalesce(deleted_by, ${userId})` })
    .where('author_id', '=', userId)
    .execute()
  // Threads they opened: the structured best-practice parts are their text too. A thread that others
  // answered stays readable (its title and their replies); one nobody else answered disappears.
  await db
    .updateTable('threads')
    .set({ bp_situation: null, bp_approach: null, bp_effort: null })
    .where('author_id', '=', userId)
    .execute()
  await db
    .updateTable('threads')
    .set({ deleted_at: sql`coalesce(deleted_at, ${now})`, title: '–' })
    .where('author_id', '=', userId)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('posts as o').select('o.id').whereRef('o.thread_id', '=', 'threads.id').where('o.author_id', '<>', userId))),
    )
    .execute()
  return files.map((f) => f.stored_name)
}

/** Contact details in best-practice threads are personal data whether or not the posts stay. */
export async function clearThreadContacts(db: Db, userId: number) {
  await db.updateTable('threads').set({ bp_contact: null }).where('author_id', '=', userId).execute()
}

export async function deleteInvitationsOf(db: Db, userId: number, email: string) {
  await db
    .deleteFrom('invitations')
    .where((eb) => eb.or([eb('user_id', '=', userId), eb(sql`lower(email)`, '=', email.toLowerCase())]))
    .execute()
}

export async function deleteNotificationsOf(db: Db, userId: number) {
  await db.deleteFrom('notifications').where('user_id', '=', userId).execute()
}

/** Their reports stay for the moderators, without who wrote them or why. */
export async function anonymiseReportsOf(db: Db, userId: number, reason: string) {
  await db.updateTable('reports').set({ reporter_id: null, reason }).where('reporter_id', '=', userId).execute()
}

/** "Betrifft uns auch" and adoptions belong to the municipality; who clicked is forgotten. */
export async function forgetMarksOf(db: Db, userId: number) {
  await db.updateTable('thread_concerns').set({ user_id: null }).where('user_id', '=', userId).execute()
  await db.updateTable('adoptions').set({ user_id: null }).where('user_id', '=', userId).execute()
}

export async function deleteThrottleKey(db: Db, key: string) {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute()
}

/** Overwrites every personal field of the account; the row stays so posts and the log keep an author. */
export async function anonymiseUser(db: Db, userId: number, now: Date, name: string) {
  await db
    .updateTable('users')
    .set({
      name,
      handle: `ehemalig.${userId}`,
      email: `geloescht-${userId}@geloescht.invalid`,
      external_id: null,
      position: null,
      password_hash: null,
      totp_secret: null,
      totp_enabled_at: null,
      totp_last_step: null,
      last_login_at: null,
      active: false,
      deactivated_at: sql`coalesce(deactivated_at, ${now})`,
      erased_at: now,
    })
    .where('id', '=', userId)
    .execute()
}

// --- retention -----------------------------------------------------------------------------------------

/** IP addresses of sessions older than the cutoff are removed, from the column and from the session data. */
export async function forgetSessionIps(db: Db, cutoff: Date) {
  const result = await sql`
    UPDATE sessions SET ip = NULL, data = data - 'ip'
    WHERE created_at < ${cutoff} AND (ip IS NOT NULL OR data ? 'ip')`.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/** Login throttle rows: per-IP rows after the IP retention, every row once it no longer counts. */
export async function deleteOldThrottleRows(db: Db, ipCutoff: Date, forgetCutoff: Date) {
  await db
    .deleteFrom('login_throttle')
    .where((eb) =>
      eb.or([eb.and([eb('key', 'like', 'ip:%'), eb('last_failure_at', '<', ipCutoff)]), eb('last_failure_at', '<', forgetCutoff)]),
    )
    .execute()
}

/** Invitations that can no longer be used (expired or revoked) are deleted after a grace period. */
export async function deleteDeadInvitations(db: Db, cutoff: Date) {
  await db
    .deleteFrom('invitations')
    .where('used_at', 'is', null)
    .where((eb) => eb.or([eb('expires_at', '<', cutoff), eb('revoked_at', '<', cutoff)]))
    .execute()
}

export async function deleteDeadPasswordResets(db: Db, now: Date) {
  await db
    .deleteFrom('password_resets')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('used_at', 'is not', null)]))
    .execute()
}

export async function findJobState(db: Db, name: string) {
  return db.selectFrom('scheduled_jobs').select(['name', 'last_finished_at', 'last_error', 'runs']).where('name', '=', name).executeTakeFirst()
}

// --- colleagues who left -------------------------------------------------------------------------------

export async function erasedColleagues(db: Db, municipalityId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'erased_at'])
    .where('municipality_id', '=', municipalityId)
    .where('erased_at', 'is not', null)
    .orderBy('erased_at', 'desc')
    .execute()
}
