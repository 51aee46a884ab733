import { type Kysely, sql } from 'kysely'

// The district view counts visible posts per municipality over weeks (1M posts: some 50,000 in eight
// weeks, spread all over the table). Read from the index alone, without fetching the posts' rows.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE INDEX posts_visible_municipality_created_idx ON posts (municipality_id, created_at) INCLUDE (thread_id, position)
      WHERE deleted_at IS NULL AND hidden_at IS NULL`,
    // Deleted threads are few: posts in them are left out by an anti-join against this small index.
    `CREATE INDEX threads_deleted_idx ON threads (id) WHERE deleted_at IS NOT NULL`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS threads_deleted_idx`.execute(db)
  await sql`DROP INDEX IF EXISTS posts_visible_municipality_created_idx`.execute(db)
}
