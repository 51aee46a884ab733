import { type Kysely, sql } from 'kysely'

// "Neu seit Ihrem letzten Besuch" on the start page reads, per visited forum, the threads active since
// that visit, newest first; it stops after what it shows (see newSinceLastVisit). The forum page's
// index puts pinned threads first, so it cannot serve a range of last_post_at within a forum.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX threads_forum_last_post_idx ON threads (forum_id, last_post_at)`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS threads_forum_last_post_idx`.execute(db)
}
