import { type Kysely, sql } from 'kysely'

/**
 * The words of opening posts alone (a tenth of all posts): similar threads look for a typed title in the
 * opening texts, and intersecting common words over every reply cost more than all the rest together.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX posts_opening_search_idx ON posts USING gin (search) WHERE position = 1`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX posts_opening_search_idx`.execute(db)
}
