import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'

export async function listForums(db: Kysely<Database>) {
  return db.selectFrom('forums').selectAll().orderBy('position').execute()
}
