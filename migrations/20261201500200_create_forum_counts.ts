import { type Kysely, sql } from 'kysely'

/**
 * Threads and posts per forum for the start page, kept by the database itself in the same transaction as
 * every change of a thread: created, replied to (reply_count), a reply removed or hidden, moved to another
 * forum, deleted or restored, imported in bulk. The same definition as counting: threads not deleted, and
 * their posts (reply_count + the opening post). Statement triggers with transition tables, so a bulk import
 * costs one update per forum; an update that changes no count locks nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('forum_counts')
    .addColumn('forum_id', 'integer', (c) => c.primaryKey().references('forums.id').onDelete('cascade'))
    .addColumn('threads', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('posts', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  await sql`
    CREATE FUNCTION forum_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'TRUNCATE' THEN
        UPDATE forum_counts SET threads = 0, posts = 0;
        RETURN NULL;
      END IF;
      -- forums in id order, so that concurrent changes of several forums cannot deadlock
      IF TG_OP = 'INSERT' THEN
        INSERT INTO forum_counts AS c (forum_id, threads, posts)
          SELECT forum_id, count(*), sum(reply_count + 1) FROM new_rows WHERE deleted_at IS NULL
          GROUP BY forum_id ORDER BY forum_id
        ON CONFLICT (forum_id) DO UPDATE SET threads = c.threads + excluded.threads, posts = c.posts + excluded.posts;
      ELSIF TG_OP = 'DELETE' THEN
        UPDATE forum_counts c SET threads = c.threads - d.threads, posts = c.posts - d.posts
        FROM (SELECT forum_id, count(*) AS threads, sum(reply_count + 1) AS posts FROM old_rows WHERE deleted_at IS NULL
              GROUP BY forum_id ORDER BY forum_id) d
        WHERE c.forum_id = d.forum_id;
      ELSE
        INSERT INTO forum_counts AS c (forum_id, threads, posts)
          SELECT forum_id, sum(threads), sum(posts) FROM (
            SELECT forum_id, 1 AS threads, reply_count + 1 AS posts FROM new_rows WHERE deleted_at IS NULL
            UNION ALL
            SELECT forum_id, -1, -(reply_count + 1) FROM old_rows WHERE deleted_at IS NULL
          ) d
          GROUP BY forum_id HAVING sum(threads) <> 0 OR sum(posts) <> 0 ORDER BY forum_id
        ON CONFLICT (forum_id) DO UPDATE SET threads = c.threads + excluded.threads, posts = c.posts + excluded.posts;
      END IF;
      RETURN NULL;
    END
    $$
  `.execute(db)
  await sql`CREATE TRIGGER forum_counts_insert AFTER INSERT ON threads REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION forum_counts_apply()`.execute(db)
  await sql`CREATE TRIGGER forum_counts_update AFTER UPDATE ON threads REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION forum_counts_apply()`.execute(db)
  await sql`CREATE TRIGGER forum_counts_delete AFTER DELETE ON threads REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION forum_counts_apply()`.execute(db)
  await sql`CREATE TRIGGER forum_counts_truncate AFTER TRUNCATE ON threads
    FOR EACH STATEMENT EXECUTE FUNCTION forum_counts_apply()`.execute(db)
  await sql`
    INSERT INTO forum_counts (forum_id, threads, posts)
    SELECT f.id, count(t.id), coalesce(sum(t.reply_count + 1), 0)
    FROM forums f LEFT JOIN threads t ON t.forum_id = f.id AND t.deleted_at IS NULL
    GROUP BY f.id
  `.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const name of ['insert', 'update', 'delete', 'truncate']) {
    await sql`DROP TRIGGER ${sql.raw(`forum_counts_${name}`)} ON threads`.execute(db)
  }
  await sql`DROP FUNCTION forum_counts_apply()`.execute(db)
  await db.schema.dropTable('forum_counts').execute()
}
