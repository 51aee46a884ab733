import { randomBytes } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { addMs, DAY, HOUR } from '../../lib/clock.ts'
import { audit } from '../audit/audit.queries.ts'
import { exportDefinition } from './privacy.definition.ts'
import {
  claimExport,
  completeExport,
  failExport,
  insertExport,
  pendingExportIds,
  releaseStaleExports,
  rowsOfUser,
} from './privacy.queries.ts'

/** How long a prepared export can be downloaded; then the retention job deletes it. */
export const EXPORT_LIFETIME_MS = 7 * DAY

export type DataExport = {
  format: 'kommunalforum-datenauskunft'
  version: 1
  generated_at: string
  user_id: number
  tables: Record<string, Record<string, unknown>[]>
}

/** Collects every row that belongs to the user, table by table, as the definition says. */
export async function collectUserData(db: Kysely<Database>, userId: number, now: Date): Promise<DataExport> {
  const tables: Record<string, Record<string, unknown>[]> = {}
  for (const entry of exportDefinition) {
    const rows = await rowsOfUser(db, entry, userId)
    tables[entry.table] = rows.map((row) => {
      const shown = entry.transform ? entry.transform(row) : row
      return Object.fromEntries(Object.entries(shown).filter(([column]) => !entry.omit?.includes(column)))
    })
  }
  return { format: 'kommunalforum-datenauskunft', version: 1, generated_at: now.toISOString(), user_id: userId, tables }
}

/**
 * Asks for an export: a row now, the data later (prepareExport, from the request or the scheduler).
 * Audited, whoever asks.
 */
export async function requestExport(db: Kysely<Database>, request: { userId: number; requestedBy: number; municipalityId: number | null; now: Date }) {
  const id = randomBytes(18).toString('base64url')
  await db.transaction().execute(async (trx) => {
    await insertExport(trx, { id, userId: request.userId, requestedBy: request.requestedBy, now: request.now, expiresAt: addMs(request.now, EXPORT_LIFETIME_MS) })
    await audit(trx, {
      actorId: request.requestedBy,
      action: 'user.data_export_requested',
      targetType: 'user',
      targetId: request.userId,
      municipalityId: request.municipalityId,
      details: { by: request.requestedBy === request.userId ? 'self' : 'admin' },
      now: request.now,
    })
  })
  return id
}

/** Prepares one export if nobody else has taken it; true when this call did the work. */
export async function prepareExport(db: Kysely<Database>, id: string, now: Date): Promise<boolean> {
  const claimed = await claimExport(db, id)
  if (!claimed) return false
  try {
    const data = await collectUserData(db, claimed.user_id, now)
    await completeExport(db, id, JSON.stringify(data, null, 2), now)
  } catch (err) {
    await failExport(db, id)
    throw err
  }
  return true
}

/** The scheduler's part: every export still waiting (the request's own attempt may have died). */
export async function preparePendingExports(db: Kysely<Database>, now: Date) {
  await releaseStaleExports(db, addMs(now, -HOUR))
  for (const id of await pendingExportIds(db, 20)) await prepareExport(db, id, now)
}
