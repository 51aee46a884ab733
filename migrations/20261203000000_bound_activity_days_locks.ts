import { type Kysely, sql } from 'kysely'

/**
 * activity_days_recompute took one advisory lock per (day, municipality) pair it touched. A bulk write (the
 * import of a whole forum, the benchmark generator) touches tens of thousands of pairs in one transaction,
 * and Postgres's lock table (max_locks_per_transaction × connections, some 7,000 by default) ran out: the
 * statement failed with "out of shared memory". Now each pair maps to one of 512 lock buckets, taken in
 * order: a single post still locks one bucket, so unrelated writers rarely wait for each other, and no
 * transaction holds more than 512 of these locks, whatever it writes.
 */
const LOCK_CLASS = 7_101_001 // first key of the two-key advisory lock: "activity_days", apart from any other lock
const BUCKETS = 512

/** The function as 20261202700000_create_activity_days created it. */
const PER_PAIR = `
  CREATE OR REPLACE FUNCTION activity_days_recompute(days date[], municipalities integer[]) RETURNS void LANGUAGE plpgsql AS $$
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

const PER_PAIR_LOCKS = `    PERFORM pg_advisory_xact_lock(hashtextextended('activity_days:' || k.day || ':' || coalesce(k.m::text, '-'), 0))
      FROM (SELECT DISTINCT u.day, u.m FROM unnest(days, municipalities) AS u(day, m) ORDER BY 1, 2) k;`
const BUCKET_LOCKS = `    PERFORM pg_advisory_xact_lock(${LOCK_CLASS}, k.bucket)
      FROM (SELECT DISTINCT abs(hashtextextended(u.day || ':' || coalesce(u.m::text, '-'), 0) % ${BUCKETS})::integer AS bucket
            FROM unnest(days, municipalities) AS u(day, m) ORDER BY 1) k;`
/** The same function, but for the locks it takes. */
const BOUNDED = PER_PAIR.replace(PER_PAIR_LOCKS, BUCKET_LOCKS)

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(BOUNDED).execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(PER_PAIR).execute(db)
}
