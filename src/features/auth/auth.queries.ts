import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'

type Db = Kysely<Database> | Transaction<Database>

export async function findThrottle(db: Db, keys: string[]) {
  if (keys.length === 0) return []
  return db.selectFrom('login_throttle').selectAll().where('key', 'in', keys).execute()
}

export async function recordFailure(db: Db, keys: string[], now: Date, resetAfterMs: number) {
  const stale = new Date(now.getTime() - resetAfterMs)
  for (const key of keys) {
    await db
      .insertInto('login_throttle')
      .values({ key, failures: 1, last_failure_at: now })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql`CASE WHEN login_throttle.last_failure_at < ${stale} THEN 1 ELSE login_throttle.failures + 1 END`,
          last_failure_at: now,
        }),
      )
      .execute()
  }
}

export async function clearThrottle(db: Db, key: string) {
  await db.deleteFrom('login_throttle').where('key', '=', key).execute()
}
