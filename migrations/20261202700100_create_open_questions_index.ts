import { type Kysely, sql } from 'kysely'

// The radar's unanswered questions: questions not deleted, opened in a window of days; with the author
// in the index, the anti-join against replies by others reads no thread rows.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX threads_open_questions_idx ON threads (created_at) INCLUDE (author_id) WHERE kind = 'question' AND deleted_at IS NULL`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS threads_open_questions_idx`.execute(db)
}
