import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { containsPattern } from '../../lib/search.ts'
import type { MunicipalityInput } from './municipalities.schemas.ts'

type Db = Kysely<Database> | Transaction<Database>

/** All municipalities (there are about a thousand in a state), by district and name, with active accounts counted. */
export async function listMunicipalities(db: Db, search: string | undefined) {
  let query = db
    .selectFrom('municipalities')
    .select(['id', 'name', 'kind', 'district', 'ags', 'active'])
    .select((eb) =>
      eb
        .selectFrom('users')
        .select(eb.fn.countAll<number>().as('n'))
        .whereRef('users.municipality_id', '=', 'municipalities.id')
        .where('users.active', '=', true)
        .as('member_count'),
    )
  if (search) {
    const pattern = containsPattern(search)
    query = query.where((eb) => eb.or([eb('name', 'ilike', pattern), eb('district', 'ilike', pattern)]))
  }
  return query.orderBy('district').orderBy('name').orderBy('id').execute()
}

export async function findMunicipality(db: Db, id: number) {
  return db.selectFrom('municipalities').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Choices for selects: the municipality of an account, the user list filter. */
export async function listMunicipalityOptions(db: Db) {
  return db
    .selectFrom('municipalities')
    .select(['id', 'name', 'district', 'active'])
    .orderBy('name')
    .orderBy('district')
    .execute()
}

/** Existing districts, offered as suggestions so the same district is not spelled two ways. */
export async function listDistricts(db: Db) {
  const rows = await db.selectFrom('municipalities').select('district').distinct().orderBy('district').execute()
  return rows.map((r) => r.district)
}

/** Which fields clash with another municipality: the same name in the same district, or the same AGS. */
export async function findMunicipalityConflicts(db: Db, input: MunicipalityInput, exceptId?: number) {
  let query = db
    .selectFrom('municipalities')
    .select(['name', 'district', 'ags'])
    .where((eb) =>
      eb.or([
        eb.and([
          eb(eb.fn('lower', ['name']), '=', input.name.toLowerCase()),
          eb(eb.fn('lower', ['district']), '=', input.district.toLowerCase()),
        ]),
        ...(input.ags ? [eb('ags', '=', input.ags)] : []),
      ]),
    )
  if (exceptId !== undefined) query = query.where('id', '<>', exceptId)
  const rows = await query.execute()
  const errors: Record<string, string> = {}
  for (const row of rows) {
    if (input.ags && row.ags === input.ags) errors.ags = 'municipalities.agsTaken'
    if (row.name.toLowerCase() === input.name.toLowerCase() && row.district.toLowerCase() === input.district.toLowerCase()) {
      errors.name = 'municipalities.nameTaken'
    }
  }
  return errors
}

export async function insertMunicipality(db: Db, input: MunicipalityInput, now: Date) {
  return db
    .insertInto('municipalities')
    .values({ name: input.name, kind: input.kind, district: input.district, ags: input.ags, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow()
}

export async function updateMunicipality(db: Db, id: number, input: MunicipalityInput) {
  await db
    .updateTable('municipalities')
    .set({ name: input.name, kind: input.kind, district: input.district, ags: input.ags })
    .where('id', '=', id)
    .execute()
}

/** Flips the state; returns nothing when it already was so. */
export async function setMunicipalityActive(db: Db, id: number, active: boolean, now: Date) {
  return db
    .updateTable('municipalities')
    .set({ active, deactivated_at: active ? null : now })
    .where('id', '=', id)
    .where('active', '=', !active)
    .returning('id')
    .executeTakeFirst()
}

/** Holds a municipality's state while an account is attached to it or reactivated in it. */
export async function lockMunicipalityShared(db: Db, id: number) {
  return db.selectFrom('municipalities').select(['id', 'active']).where('id', '=', id).forShare().executeTakeFirst()
}

/** True when an insert or update failed on one of the unique keys (a race the pre-check lost). */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505'
}
