import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { containsPattern } from '../../lib/search.ts'

type Db = Kysely<Database> | Transaction<Database>

export type PeopleFilter = { q?: string; handle?: string; municipality?: string; district?: string; position?: string }

/**
 * One page of the member directory, by name. Only active accounts (deactivated and erased ones
 * are never listed) of active municipalities, plus the association's staff.
 */
export async function listPeople(db: Db, filter: PeopleFilter, page: { limit: number; offset: number }) {
  let query = db
    .selectFrom('users')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .where('users.active', '=', true)
    .where((eb) => eb.or([eb('users.municipality_id', 'is', null), eb('municipalities.active', '=', true)]))
  if (filter.q) query = query.where('users.name', 'ilike', containsPattern(filter.q))
  if (filter.handle) query = query.where('users.handle', '=', filter.handle.toLowerCase())
  if (filter.position) query = query.where('users.position', 'ilike', containsPattern(filter.position))
  if (filter.municipality) query = query.where('municipalities.name', 'ilike', containsPattern(filter.municipality))
  if (filter.district) query = query.where('municipalities.district', '=', filter.district)
  const [rows, total] = await Promise.all([
    query
      .select([
        'users.id',
        'users.name',
        'users.handle',
        'users.email',
        'users.position',
        'users.role',
        'users.municipality_id',
        'municipalities.name as municipality_name',
        'municipalities.district',
      ])
      .orderBy('users.name')
      .orderBy('users.id')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(total.n) }
}

/**
 * Which of these handles belong to someone the directory lists (active, of an active municipality or
 * the association): only those mentions become links. One query for any number of handles.
 */
export async function listListedHandles(db: Db, handles: string[]): Promise<string[]> {
  if (handles.length === 0) return []
  const rows = await db
    .selectFrom('users')
    .leftJoin('municipalities', 'municipalities.id', 'users.municipality_id')
    .select('users.handle')
    .where('users.handle', 'in', handles)
    .where('users.active', '=', true)
    .where((eb) => eb.or([eb('users.municipality_id', 'is', null), eb('municipalities.active', '=', true)]))
    .execute()
  return rows.map((r) => r.handle)
}

/** The districts that have active municipalities, for the directory's filter. */
export async function listActiveDistricts(db: Db) {
  const rows = await db
    .selectFrom('municipalities')
    .select('district')
    .distinct()
    .where('active', '=', true)
    .orderBy('district')
    .execute()
  return rows.map((r) => r.district)
}

export async function findMunicipalityProfile(db: Db, id: number) {
  return db
    .selectFrom('municipalities')
    .select(['id', 'name', 'kind', 'district', 'ags', 'active'])
    .where('id', '=', id)
    .executeTakeFirst()
}

export async function listActiveMembersOf(db: Db, municipalityId: number) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'handle', 'email', 'position', 'role'])
    .where('municipality_id', '=', municipalityId)
    .where('active', '=', true)
    .orderBy('name')
    .orderBy('id')
    .execute()
}

/** The threads a municipality opened, newest first (threads_municipality_idx). */
export async function listLatestThreadsOf(db: Db, municipalityId: number, limit: number) {
  return db
    .selectFrom('threads')
    .innerJoin('forums', 'forums.id', 'threads.forum_id')
    .select([
      'threads.id',
      'threads.title',
      'threads.created_at',
      'forums.slug as forum_slug',
      'forums.name_de as forum_name_de',
      'forums.name_en as forum_name_en',
    ])
    .where('threads.municipality_id', '=', municipalityId)
    .where('threads.deleted_at', 'is', null)
    .orderBy('threads.created_at', 'desc')
    .orderBy('threads.id', 'desc')
    .limit(limit)
    .execute()
}
