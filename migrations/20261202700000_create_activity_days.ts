import { type Kysely, sql } from 'kysely'

/**
 * Activity per UTC day, municipality and forum for the staff dashboard (radar, district view), kept by the
 * database itself in the same transaction as every change: a post written, edited in place, deleted,
 * hidden or restored, a thread moved, deleted or restored, a "betrifft uns auch" set or removed.
 *
 * Counts, all of posts not deleted:
 *   all_posts       any thread (the radar's participation)
 *   posts           threads not deleted (the radar's activity per forum)
 *   visible_posts   threads not deleted, post not hidden (the district view)
 *   visible_threads of those, opening posts (threads opened)
 *   marks           "betrifft uns auch" marks set that day (thread_concerns)
 *
 * A change recomputes the (day, municipality) pairs it touches from posts and thread_concerns, under a
 * transaction-scoped advisory lock per pair (taken in order), so concurrent writers cannot lose counts and
 * a cascade (a thread deleted with its posts) needs no special case. Posts without municipality count
 * under municipality_id NULL.
 */
const RECOMPUTE = `
  CREATE FUNCTION activity_days_recompute(days date[], municipalities integer[]) RETURNS void LANGUAGE plpgsql AS $$
  BEGIN
    IF days IS NULL OR cardinality(days) = 0 THEN RETURN; END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('activity_days:' || k.day || ':' || coalesce(k.m::text, '-'), 0))
      FROM (SELECT DISTINCT u.day, u.m FROM unnest(days, municipalities) AS u(day, m) ORDER BY 1, 2) k;
    DELETE FROM activity_days a USING (SELECT DISTINCT u.day, u.m FROM unnest(days, municipalities) AS u(day, m)) k
      WHERE a.day = k.day AND a.municipality_id IS NOT DISTINCT FROM k.m;
    INSERT INTO activity_days (day, municipality_id, forum_id, all_posts, posts, visible_posts, visible_threads, marks)
    SELECT x.day, x.municipality_id, x.forum_id, sum(x.all_posts), sum(x.posts), sum(x.visible_posts), sum(x.visible_threads), sum(x.marks)
    FROM (SELECT DISTINCT u.day, u.m FROM unnest(days, municipalities) AS u(day, m)) k
    CROSS JOIN LATERAL (
      SELECT k.day, p.municipality_id, t.forum_id, 1 AS all_posts,
             (t.deleted_at IS NULL)::integer AS posts,
             (t.deleted_at IS NULL AND p.hidden_at IS NULL)::integer AS visible_posts,
             (t.deleted_at IS NULL AND p.hidden_at IS NULL AND p.position = 1)::integer AS visible_threads,
             0 AS marks
      FROM posts p JOIN threads t ON t.id = p.thread_id
      WHERE p.deleted_at IS NULL
        AND p.created_at >= k.day::timestamp AT TIME ZONE 'UTC' AND p.created_at < (k.day + 1)::timestamp AT TIME ZONE 'UTC'
        AND (p.municipality_id = k.m OR (k.m IS NULL AND p.municipality_id IS NULL))
      UNION ALL
      SELECT k.day, c.municipality_id, t.forum_id, 0, 0, 0, 0, 1
      FROM thread_concerns c JOIN threads t ON t.id = c.thread_id
      WHERE c.municipality_id = k.m
        AND c.created_at >= k.day::timestamp AT TIME ZONE 'UTC' AND c.created_at < (k.day + 1)::timestamp AT TIME ZONE 'UTC'
    ) x
    GROUP BY x.day, x.municipality_id, x.forum_id;
  END
  $$
`

const day = (column: string) => `(${column} AT TIME ZONE 'UTC')::date`

/** One statement trigger function per table and event: it collects the touched (day, municipality) pairs. */
const TRIGGERS: { name: string; table: string; event: string; transition: string; keys: string }[] = [
  { name: 'activity_days_posts_insert', table: 'posts', event: 'INSERT', transition: 'NEW TABLE AS new_rows',
    keys: `SELECT ${day('created_at')}, municipality_id FROM new_rows` },
  { name: 'activity_days_posts_delete', table: 'posts', event: 'DELETE', transition: 'OLD TABLE AS old_rows',
    keys: `SELECT ${day('created_at')}, municipality_id FROM old_rows` },
  // Only changes that move a count: an edited body or a search vector recomputes nothing.
  { name: 'activity_days_posts_update', table: 'posts', event: 'UPDATE', transition: 'OLD TABLE AS old_rows NEW TABLE AS new_rows',
    keys: `SELECT d, m FROM old_rows o JOIN new_rows n ON n.id = o.id
             CROSS JOIN LATERAL (VALUES (${day('o.created_at')}, o.municipality_id), (${day('n.created_at')}, n.municipality_id)) v(d, m)
           WHERE o.deleted_at IS DISTINCT FROM n.deleted_at OR o.hidden_at IS DISTINCT FROM n.hidden_at
              OR o.created_at IS DISTINCT FROM n.created_at OR o.municipality_id IS DISTINCT FROM n.municipality_id
              OR o.thread_id IS DISTINCT FROM n.thread_id OR o.position IS DISTINCT FROM n.position` },
  // A thread moved to another forum, deleted or restored: its posts and marks. (Deleting a thread row
  // cascades to its posts and marks, whose own triggers recompute.)
  { name: 'activity_days_threads_update', table: 'threads', event: 'UPDATE', transition: 'OLD TABLE AS old_rows NEW TABLE AS new_rows',
    keys: `SELECT ${day('p.created_at')}, p.municipality_id FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN posts p ON p.thread_id = n.id
           WHERE o.forum_id IS DISTINCT FROM n.forum_id OR o.deleted_at IS DISTINCT FROM n.deleted_at
           UNION ALL
           SELECT ${day('c.created_at')}, c.municipality_id FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN thread_concerns c ON c.thread_id = n.id
           WHERE o.forum_id IS DISTINCT FROM n.forum_id` },
  { name: 'activity_days_concerns_insert', table: 'thread_concerns', event: 'INSERT', transition: 'NEW TABLE AS new_rows',
    keys: `SELECT ${day('created_at')}, municipality_id FROM new_rows` },
  { name: 'activity_days_concerns_delete', table: 'thread_concerns', event: 'DELETE', transition: 'OLD TABLE AS old_rows',
    keys: `SELECT ${day('created_at')}, municipality_id FROM old_rows` },
  { name: 'activity_days_concerns_update', table: 'thread_concerns', event: 'UPDATE', transition: 'OLD TABLE AS old_rows NEW TABLE AS new_rows',
    keys: `SELECT ${day('created_at')}, municipality_id FROM old_rows UNION ALL SELECT ${day('created_at')}, municipality_id FROM new_rows` },
]

const FILL = `
  INSERT INTO activity_days (day, municipality_id, forum_id, all_posts, posts, visible_posts, visible_threads, marks)
  SELECT x.day, x.municipality_id, x.forum_id, sum(x.all_posts), sum(x.posts), sum(x.visible_posts), sum(x.visible_threads), sum(x.marks)
  FROM (
    SELECT ${day('p.created_at')} AS day, p.municipality_id, t.forum_id, 1 AS all_posts,
           (t.deleted_at IS NULL)::integer AS posts,
           (t.deleted_at IS NULL AND p.hidden_at IS NULL)::integer AS visible_posts,
           (t.deleted_at IS NULL AND p.hidden_at IS NULL AND p.position = 1)::integer AS visible_threads,
           0 AS marks
    FROM posts p JOIN threads t ON t.id = p.thread_id
    WHERE p.deleted_at IS NULL
    UNION ALL
    SELECT ${day('c.created_at')}, c.municipality_id, t.forum_id, 0, 0, 0, 0, 1
    FROM thread_concerns c JOIN threads t ON t.id = c.thread_id
  ) x
  GROUP BY x.day, x.municipality_id, x.forum_id
`

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE activity_days (
      day date NOT NULL,
      municipality_id integer REFERENCES municipalities(id) ON DELETE CASCADE,
      forum_id integer NOT NULL REFERENCES forums(id) ON DELETE CASCADE,
      all_posts integer NOT NULL DEFAULT 0,
      posts integer NOT NULL DEFAULT 0,
      visible_posts integer NOT NULL DEFAULT 0,
      visible_threads integer NOT NULL DEFAULT 0,
      marks integer NOT NULL DEFAULT 0,
      CONSTRAINT activity_days_key UNIQUE NULLS NOT DISTINCT (day, municipality_id, forum_id)
    )
  `.execute(db)
  // The district view reads a district's municipalities over a range of days.
  await sql`CREATE INDEX activity_days_municipality_day_idx ON activity_days (municipality_id, day)`.execute(db)
  await sql.raw(RECOMPUTE).execute(db)
  for (const trigger of TRIGGERS) {
    await sql.raw(`
      CREATE FUNCTION ${trigger.name}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM activity_days_recompute(array_agg(k.d), array_agg(k.m)) FROM (${trigger.keys}) AS k(d, m);
        RETURN NULL;
      END
      $$`).execute(db)
    await sql.raw(`CREATE TRIGGER ${trigger.name} AFTER ${trigger.event} ON ${trigger.table} REFERENCING ${trigger.transition}
      FOR EACH STATEMENT EXECUTE FUNCTION ${trigger.name}()`).execute(db)
  }
  // TRUNCATE (tests, a re-import) rebuilds the whole table: what is left is little.
  await sql.raw(`
    CREATE FUNCTION activity_days_rebuild() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM activity_days;
      ${FILL};
      RETURN NULL;
    END
    $$`).execute(db)
  for (const table of ['posts', 'threads', 'thread_concerns']) {
    await sql.raw(`CREATE TRIGGER activity_days_${table}_truncate AFTER TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION activity_days_rebuild()`).execute(db)
  }
  await sql.raw(FILL).execute(db)
  await sql`ANALYZE activity_days`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['posts', 'threads', 'thread_concerns']) {
    await sql.raw(`DROP TRIGGER IF EXISTS activity_days_${table}_truncate ON ${table}`).execute(db)
  }
  await sql`DROP FUNCTION IF EXISTS activity_days_rebuild()`.execute(db)
  for (const trigger of TRIGGERS) {
    await sql.raw(`DROP TRIGGER IF EXISTS ${trigger.name} ON ${trigger.table}`).execute(db)
    await sql.raw(`DROP FUNCTION IF EXISTS ${trigger.name}()`).execute(db)
  }
  await sql`DROP FUNCTION IF EXISTS activity_days_recompute(date[], integer[])`.execute(db)
  await sql`DROP TABLE IF EXISTS activity_days`.execute(db)
}
