import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Role } from '../users/users.table.ts'
import type { ThreadKind } from '../threads/threads.table.ts'

type Db = Kysely<Database>

// ---------------------------------------------------------------------------------------------
// Import: every function works on a whole batch, so 1M lines cost a few thousand statements.
// ---------------------------------------------------------------------------------------------

export async function forumIdsBySlug(db: Db): Promise<Map<string, number>> {
  const rows = await db.selectFrom('forums').select(['id', 'slug']).execute()
  return new Map(rows.map((r) => [r.slug, r.id]))
}

export async function municipalitiesByExternalId(db: Db, externalIds: string[]) {
  if (externalIds.length === 0) return []
  return db
    .selectFrom('municipalities')
    .select(['id', 'external_id'])
    .where('external_id', 'in', externalIds)
    .$narrowType<{ external_id: string }>()
    .execute()
}

export type NewMunicipality = { external_id: string; name: string; kind: string; district: string; ags: string | null }

/** Inserts what does not collide with an existing row (external id, name and district, AGS); returns what was inserted. */
export async function insertMunicipalities(db: Db, rows: NewMunicipality[], now: Date) {
  if (rows.length === 0) return []
  return db
    .insertInto('municipalities')
    .values(rows.map((r) => ({ ...r, created_at: now })))
    .onConflict((oc) => oc.doNothing())
    .returning(['id', 'external_id'])
    .$narrowType<{ external_id: string }>()
    .execute()
}

/** The row a new municipality collided with, if not by its external id: same name and district, or same AGS. */
export async function municipalityCollision(db: Db, m: NewMunicipality) {
  return db
    .selectFrom('municipalities')
    .select(['id', 'external_id', 'name', 'district'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb(sql`lower(name)`, '=', m.name.toLowerCase()),
          eb(sql`lower(district)`, '=', m.district.toLowerCase()),
        ]),
        ...(m.ags ? [eb('ags', '=', m.ags)] : []),
      ]),
    )
    .orderBy('id')
    .executeTakeFirst()
}

export async function setMunicipalityExternalId(db: Db, id: number, externalId: string) {
  await db.updateTable('municipalities').set({ external_id: externalId }).where('id', '=', id).where('external_id', 'is', null).execute()
}

export async function usersByExternalId(db: Db, externalIds: string[]) {
  if (externalIds.length === 0) return []
  return db
    .selectFrom('users')
    .select(['id', 'external_id', 'municipality_id'])
    .where('external_id', 'in', externalIds)
    .$narrowType<{ external_id: string }>()
    .execute()
}

export type NewUser = { external_id: string; municipality_id: number | null; name: string; email: string; role: Role }

/** Imported people have no password and no invitation: they sign in after an invitation or a password reset. */
export async function insertUsers(db: Db, rows: NewUser[], now: Date) {
  if (rows.length === 0) return []
  return db
    .insertInto('users')
    .values(rows.map((r) => ({ ...r, password_hash: null, created_at: now })))
    .onConflict((oc) => oc.doNothing())
    .returning(['id', 'external_id', 'municipality_id'])
    .$narrowType<{ external_id: string }>()
    .execute()
}

export async function userByEmail(db: Db, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'external_id', 'municipality_id'])
    .where(sql`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst()
}

export async function setUserExternalId(db: Db, id: number, externalId: string) {
  await db.updateTable('users').set({ external_id: externalId }).where('id', '=', id).where('external_id', 'is', null).execute()
}

export async function threadsByExternalId(db: Db, externalIds: string[]) {
  if (externalIds.length === 0) return []
  return db
    .selectFrom('threads')
    .select(['id', 'external_id'])
    .where('external_id', 'in', externalIds)
    .$narrowType<{ external_id: string }>()
    .execute()
}

export type NewThread = {
  external_id: string
  forum_id: number
  author_id: number
  municipality_id: number | null
  kind: ThreadKind
  title: string
  body: string
  created_at: Date
  bp_situation: string | null
  bp_approach: string | null
  bp_effort: string | null
  bp_contact: string | null
}

/** Inserts the threads that are new, each with its opening post (position 1); returns the new threads. */
export async function insertThreads(db: Db, rows: NewThread[]) {
  if (rows.length === 0) return []
  const inserted = await db
    .insertInto('threads')
    .values(rows.map(({ body: _body, ...t }) => ({ ...t, last_post_at: t.created_at, reply_count: 0 })))
    .onConflict((oc) => oc.column('external_id').doNothing())
    .returning(['id', 'external_id'])
    .$narrowType<{ external_id: string }>()
    .execute()
  const byExternalId = new Map(rows.map((r) => [r.external_id, r]))
  if (inserted.length > 0) {
    await db
      .insertInto('posts')
      .values(
        inserted.map((t) => {
          const row = byExternalId.get(t.external_id)!
          return {
            thread_id: t.id,
            position: 1,
            author_id: row.author_id,
            municipality_id: row.municipality_id,
            body: row.body,
            created_at: row.created_at,
          }
        }),
      )
      .execute()
  }
  return inserted
}

export async function existingPostExternalIds(db: Db, externalIds: string[]): Promise<Set<string>> {
  if (externalIds.length === 0) return new Set()
  const rows = await db.selectFrom('posts').select('external_id').where('external_id', 'in', externalIds).execute()
  return new Set(rows.map((r) => r.external_id!))
}

/** Locks the threads (as a reply does) and returns each one's highest post position. */
export async function lockThreadsForReplies(db: Db, threadIds: number[]): Promise<Map<number, number>> {
  if (threadIds.length === 0) return new Map()
  const rows = await db
    .selectFrom('threads')
    .select((eb) => [
      'id',
      eb
        .selectFrom('posts')
        .select((p) => p.fn.max('position').as('max'))
        .whereRef('posts.thread_id', '=', 'threads.id')
        .as('max_position'),
    ])
    .where('id', 'in', threadIds)
    .orderBy('id')
    .forUpdate()
    .execute()
  return new Map(rows.map((r) => [r.id, r.max_position ?? 0]))
}

export type NewReply = {
  external_id: string
  thread_id: number
  position: number
  author_id: number
  municipality_id: number | null
  body: string
  created_at: Date
}

export async function insertReplies(db: Db, rows: NewReply[]) {
  if (rows.length === 0) return []
  return db
    .insertInto('posts')
    .values(rows)
    .onConflict((oc) => oc.column('external_id').doNothing())
    .returning(['id', 'external_id', 'thread_id', 'created_at'])
    .$narrowType<{ external_id: string }>()
    .execute()
}

/** Adds replies to the threads' counters and moves their last activity forward, all threads in one statement. */
export async function countReplies(db: Db, changes: { id: number; added: number; last: Date }[]) {
  if (changes.length === 0) return
  const json = JSON.stringify(changes.map((c) => ({ id: c.id, added: c.added, last: c.last.toISOString() })))
  await sql`
    UPDATE threads AS t
       SET reply_count = t.reply_count + v.added,
           last_post_at = greatest(t.last_post_at, v.last)
      FROM jsonb_to_recordset(${json}::jsonb) AS v(id integer, added integer, last timestamptz)
     WHERE t.id = v.id`.execute(db)
}

export async function markSolutions(db: Db, solutions: { threadId: number; postId: number }[]) {
  for (const s of solutions) {
    await db.updateTable('threads').set({ solution_post_id: s.postId }).where('id', '=', s.threadId).execute()
  }
}

/** Fresh statistics after a bulk load, so the planner does not take a million rows for a handful. */
export async function analyzeForumTables(db: Db) {
  await sql`ANALYZE municipalities, users, threads, posts`.execute(db)
}

// ---------------------------------------------------------------------------------------------
// Export: keyset batches in one snapshot, so a 1M-post forum streams in bounded memory.
// ---------------------------------------------------------------------------------------------

export async function municipalitiesAfter(db: Db, afterId: number, limit: number) {
  return db
    .selectFrom('municipalities')
    .select(['id', 'external_id', 'name', 'kind', 'district', 'ags'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
}

export async function usersAfter(db: Db, afterId: number, limit: number) {
  return db
    .selectFrom('users')
    .select(['id', 'external_id', 'municipality_id', 'name', 'email', 'role'])
    .where('id', '>', afterId)
    .orderBy('id')
    .limit(limit)
    .execute()
}

/** Threads that are not deleted, with the Markdown of their opening post. */
export async function threadsAfter(db: Db, afterId: number, limit: number) {
  return db
    .selectFrom('threads')
    .innerJoin('forums', 'forums.id', 'threads.forum_id')
    .innerJoin('posts', (join) => join.onRef('posts.thread_id', '=', 'threads.id').on('posts.position', '=', 1))
    .select([
      'threads.id',
      'threads.external_id',
      'forums.slug as forum',
      'threads.author_id',
      'threads.title',
      'posts.body',
      'threads.kind',
      'threads.created_at',
      'threads.bp_situation',
      'threads.bp_approach',
      'threads.bp_effort',
      'threads.bp_contact',
    ])
    .where('threads.id', '>', afterId)
    .where('threads.deleted_at', 'is', null)
    .orderBy('threads.id')
    .limit(limit)
    .execute()
}

/** Replies (position > 1) that are neither deleted nor hidden, in thread and position order. */
export async function repliesAfter(db: Db, after: { threadId: number; position: number }, limit: number) {
  return db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .select([
      'posts.id',
      'posts.external_id',
      'posts.thread_id',
      'posts.position',
      'posts.author_id',
      'posts.body',
      'posts.created_at',
      (eb) => eb('threads.solution_post_id', '=', eb.ref('posts.id')).as('is_solution'),
    ])
    .where(sql<boolean>`(posts.thread_id, posts.position) > (${after.threadId}, ${after.position})`)
    // Redundant, but lets the planner start the thread side at the same place (nested loop, not a merge from the start).
    .where('threads.id', '>=', after.threadId)
    .where('posts.position', '>', 1)
    .where('posts.deleted_at', 'is', null)
    .where('posts.hidden_at', 'is', null)
    .where('threads.deleted_at', 'is', null)
    .orderBy('posts.thread_id')
    .orderBy('posts.position')
    .limit(limit)
    .execute()
}

type ExternalIdTable = 'municipalities' | 'users' | 'threads' | 'posts'

/** Which of these ids are already used as external ids in the table (so a generated id never collides). */
export async function takenExternalIds(db: Db, table: ExternalIdTable, candidates: string[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set()
  const rows = await db.selectFrom(table).select('external_id').where('external_id', 'in', candidates).execute()
  return new Set(rows.map((r) => r.external_id!))
}
