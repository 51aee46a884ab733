import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { audit } from '../audit/audit.queries.ts'
import { lockMunicipalityShared } from '../municipalities/municipalities.queries.ts'
import { deleteUserSessions } from '../sessions/sessions.queries.ts'
import { type Refusal, refusalToChange } from './users.access.ts'
import { lockActiveAdmins, lockUser, setUserActive, setUserRole } from './users.queries.ts'
import type { Role } from './users.table.ts'

/**
 * Changes to accounts made by admins (any account) and municipality contacts (their colleagues).
 * Each runs in one transaction with its audit entry. Lock order, everywhere: active admins, then the
 * account, then its municipality; so concurrent changes wait for each other instead of deadlocking.
 */

export type ChangeOutcome =
  | 'done'
  | 'unchanged'
  | 'notFound'
  | Refusal
  | 'users.refused.municipalityInactive'
  | 'users.refused.municipalityMissing'

type Change = {
  actorId: number
  userId: number
  now: Date
  /** A municipality contact's scope: only accounts of this municipality are found. */
  municipalityId?: number
}

/** Deactivates an account and ends all its sessions at once. */
export async function deactivateUser(db: Kysely<Database>, change: Change): Promise<ChangeOutcome> {
  return db.transaction().execute(async (trx) => {
    const activeAdmins = await lockActiveAdmins(trx)
    const target = await lockUser(trx, change.userId, change.municipalityId)
    if (!target) return 'notFound'
    const refusal = refusalToChange(change.actorId, target, { deactivate: true }, activeAdmins)
    if (refusal) return refusal
    if (!target.active) return 'unchanged'
    await setUserActive(trx, target.id, false, change.now)
    await deleteUserSessions(trx, target.id)
    await audit(trx, {
      actorId: change.actorId,
      action: 'user.deactivated',
      targetType: 'user',
      targetId: target.id,
      municipalityId: target.municipality_id,
      details: { role: target.role },
      now: change.now,
    })
    return 'done'
  })
}

/** Reactivates one account; refused while its municipality is deactivated. */
export async function reactivateUser(db: Kysely<Database>, change: Change): Promise<ChangeOutcome> {
  return db.transaction().execute(async (trx) => {
    const target = await lockUser(trx, change.userId, change.municipalityId)
    if (!target) return 'notFound'
    if (target.active) return 'unchanged'
    if (target.municipality_id !== null) {
      const municipality = await lockMunicipalityShared(trx, target.municipality_id)
      if (!municipality?.active) return 'users.refused.municipalityInactive'
    }
    await setUserActive(trx, target.id, true, change.now)
    await audit(trx, {
      actorId: change.actorId,
      action: 'user.reactivated',
      targetType: 'user',
      targetId: target.id,
      municipalityId: target.municipality_id,
      details: { role: target.role },
      now: change.now,
    })
    return 'done'
  })
}

/**
 * Gives an account another role (and municipality). Its sessions end, so the next sign-in starts a
 * new session under the new role.
 */
export async function changeRole(
  db: Kysely<Database>,
  change: Change & { role: Role; newMunicipalityId: number | null },
): Promise<ChangeOutcome> {
  const { role, newMunicipalityId } = change
  return db.transaction().execute(async (trx) => {
    const activeAdmins = await lockActiveAdmins(trx)
    const target = await lockUser(trx, change.userId)
    if (!target) return 'notFound'
    const refusal = refusalToChange(change.actorId, target, { newRole: role }, activeAdmins)
    if (refusal) return refusal
    if (target.role === role && target.municipality_id === newMunicipalityId) return 'unchanged'
    if (newMunicipalityId !== null && newMunicipalityId !== target.municipality_id) {
      const municipality = await lockMunicipalityShared(trx, newMunicipalityId)
      if (!municipality) return 'users.refused.municipalityMissing'
      if (!municipality.active && target.active) return 'users.refused.municipalityInactive'
    }
    await setUserRole(trx, target.id, role, newMunicipalityId)
    await deleteUserSessions(trx, target.id)
    await audit(trx, {
      actorId: change.actorId,
      action: target.role === role ? 'user.municipality_changed' : 'user.role_changed',
      targetType: 'user',
      targetId: target.id,
      municipalityId: newMunicipalityId ?? target.municipality_id,
      details: {
        from: target.role,
        to: role,
        ...(newMunicipalityId !== target.municipality_id
          ? { from_municipality_id: target.municipality_id, to_municipality_id: newMunicipalityId }
          : {}),
      },
      now: change.now,
    })
    return 'done'
  })
}
