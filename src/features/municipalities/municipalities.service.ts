import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { FieldErrors } from '../../lib/forms.ts'
import { audit } from '../audit/audit.queries.ts'
import { deleteMunicipalitySessions } from '../sessions/sessions.queries.ts'
import { deactivateUsersOfMunicipality } from '../users/users.queries.ts'
import {
  findMunicipality,
  findMunicipalityConflicts,
  insertMunicipality,
  isUniqueViolation,
  setMunicipalityActive,
  updateMunicipality,
} from './municipalities.queries.ts'
import type { MunicipalityInput } from './municipalities.schemas.ts'

type Actor = { id: number; municipality_id: number | null }
type Saved = { ok: true; id: number } | { ok: false; errors: FieldErrors }

/** Creates a municipality, or says which fields clash with an existing one. */
export async function createMunicipality(db: Kysely<Database>, actor: Actor, input: MunicipalityInput, now: Date): Promise<Saved> {
  return saveUnique(db, input, undefined, async (trx) => {
    const { id } = await insertMunicipality(trx, input, now)
    await audit(trx, { actorId: actor.id, action: 'municipality.created', targetType: 'municipality', targetId: id, municipalityId: id, now })
    return id
  })
}

export async function editMunicipality(
  db: Kysely<Database>,
  actor: Actor,
  id: number,
  input: MunicipalityInput,
  now: Date,
): Promise<Saved> {
  return saveUnique(db, input, id, async (trx) => {
    const before = await findMunicipality(trx, id)
    await updateMunicipality(trx, id, input)
    // Which fields changed, not their values: names live in the row, the log keeps ids.
    const changed = (['name', 'kind', 'district', 'ags'] as const).filter((field) => before?.[field] !== input[field])
    await audit(trx, {
      actorId: actor.id,
      action: 'municipality.updated',
      targetType: 'municipality',
      targetId: id,
      municipalityId: id,
      details: { changed },
      now,
    })
    return id
  })
}

async function saveUnique(
  db: Kysely<Database>,
  input: MunicipalityInput,
  exceptId: number | undefined,
  save: (trx: Kysely<Database>) => Promise<number>,
): Promise<Saved> {
  const conflicts = await findMunicipalityConflicts(db, input, exceptId)
  if (Object.keys(conflicts).length > 0) return { ok: false, errors: conflicts }
  try {
    return { ok: true, id: await db.transaction().execute(save) }
  } catch (error) {
    // Someone saved the same name or AGS between our check and our write.
    if (isUniqueViolation(error)) return { ok: false, errors: await findMunicipalityConflicts(db, input, exceptId) }
    throw error
  }
}

export type StateOutcome = 'done' | 'unchanged' | 'municipalities.refused.own'

/**
 * Deactivates a municipality together with all its accounts and ends their sessions, in one
 * transaction: nobody of that municipality stays signed in.
 */
export async function deactivateMunicipality(db: Kysely<Database>, actor: Actor, id: number, now: Date): Promise<StateOutcome> {
  // An admin attached to a municipality would lock themselves out.
  if (actor.municipality_id === id) return 'municipalities.refused.own'
  return db.transaction().execute(async (trx) => {
    const userIds = await deactivateUsersOfMunicipality(trx, id, now)
    const changed = await setMunicipalityActive(trx, id, false, now)
    if (!changed && userIds.length === 0) return 'unchanged'
    await deleteMunicipalitySessions(trx, id)
    await audit(trx, {
      actorId: actor.id,
      action: 'municipality.deactivated',
      targetType: 'municipality',
      targetId: id,
      municipalityId: id,
      details: { deactivated_user_ids: userIds },
      now,
    })
    return 'done'
  })
}

/** Reactivates the municipality only: its accounts are reactivated one by one. */
export async function reactivateMunicipality(db: Kysely<Database>, actor: Actor, id: number, now: Date): Promise<StateOutcome> {
  return db.transaction().execute(async (trx) => {
    const changed = await setMunicipalityActive(trx, id, true, now)
    if (!changed) return 'unchanged'
    await audit(trx, { actorId: actor.id, action: 'municipality.reactivated', targetType: 'municipality', targetId: id, municipalityId: id, now })
    return 'done'
  })
}
