import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'

export async function ensureJobRows(db: Kysely<Database>, names: string[]) {
  if (names.length === 0) return
  await db
    .insertInto('scheduled_jobs')
    .values(names.map((name) => ({ name })))
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
}

/**
 * Claims a job when it is due and nobody holds its lease: one atomic UPDATE, so of several instances
 * ticking at once exactly one gets the row back.
 */
export async function claimDueJob(db: Kysely<Database>, name: string, now: Date, dueBefore: Date, leaseUntil: Date) {
  return db
    .updateTable('scheduled_jobs')
    .set({ lease_until: leaseUntil, last_started_at: now })
    .where('name', '=', name)
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
    .where((eb) => eb.or([eb('last_started_at', 'is', null), eb('last_started_at', '<=', dueBefore)]))
    .returning(['name'])
    .executeTakeFirst()
}

/**
 * Makes a job due at once: the next scheduler tick of any instance claims it (after a round that is
 * running now ends, which may not have seen what prompted the request).
 */
export async function requestJobRun(db: Kysely<Database>, name: string) {
  await db.updateTable('scheduled_jobs').set({ last_started_at: null }).where('name', '=', name).execute()
}

export async function finishJob(db: Kysely<Database>, name: string, finishedAt: Date, error: string | null) {
  await db
    .updateTable('scheduled_jobs')
    .set((eb) => ({ lease_until: null, last_finished_at: finishedAt, last_error: error, runs: eb('runs', '+', 1) }))
    .where('name', '=', name)
    .execute()
}

export async function listJobs(db: Kysely<Database>) {
  return db.selectFrom('scheduled_jobs').selectAll().orderBy('name').execute()
}
