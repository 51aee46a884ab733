import { type Kysely, sql } from 'kysely'

/**
 * Finer statistics of the post texts' words, so the planner knows a rare word from a common one: with the
 * default it guesses thousands of posts for any word it has not sampled, and walks all posts backwards
 * looking for the newest matches of a word that 100 posts hold. Analyzed right away (some seconds on a million posts).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE posts ALTER COLUMN search SET STATISTICS 1000`.execute(db)
  await sql`ANALYZE posts`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE posts ALTER COLUMN search SET STATISTICS -1`.execute(db)
}
