import type { Kysely } from 'kysely'

/** Threads started since a moment (the start page's "new since your last visit"), without reading them all. */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('threads_created_idx').on('threads').column('created_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('threads_created_idx').execute()
}
