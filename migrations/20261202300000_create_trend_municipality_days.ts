import { type Kysely, sql } from 'kysely'

// The trend index in two levels, so that it stays current without re-reading all posts:
// - trend_municipality_days: per municipality and day the distinct word stems of its visible posts, how
//   many posts used each and its most used written form (stems[i] in posts[i] posts, written words[i]).
//   Re-derived from the posts' text, one municipality-day at a time, whenever something in it changes.
// - trend_stem_days: per day and stem, in how many municipalities (municipality-days) and posts it was
//   used. Kept in step with the level above by deltas; "full recomputation" aggregates it again from
//   trend_municipality_days in one statement, without stemming any text. trend_surface (the written
//   forms that label a trend) is kept in step the same way.
// trend_dirty lists the municipality-days to re-derive. Triggers on posts and threads fill it for every
// new, edited, moved, deleted or hidden post and for renamed, deleted or hidden threads, so no query
// that changes posts can forget it. trend_snapshot holds the trends as of the last index run: the
// dashboard's cold view reads it instead of computing.
// Days are whole UTC days since 1970-01-01. trend_evidence (one row per stem, day and municipality)
// gives way; every municipality-day with posts is marked, so the next index run builds the new index.
const DAY = `floor(extract(epoch FROM %s) / 86400)::integer`
const day = (column: string) => DAY.replace('%s', column)

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `DROP TABLE trend_evidence`,
    // Written forms are counted again, per municipality-day, by the first index run.
    `DELETE FROM trend_surface`,
    `CREATE TABLE trend_municipality_days (
      day integer NOT NULL,
      municipality_id integer NOT NULL,
      stems text[] NOT NULL,
      words text[] NOT NULL,
      posts integer[] NOT NULL,
      PRIMARY KEY (day, municipality_id)
    )`,
    `CREATE TABLE trend_stem_days (
      day integer NOT NULL,
      stem text NOT NULL,
      municipalities integer NOT NULL,
      posts integer NOT NULL,
      PRIMARY KEY (day, stem)
    )`,
    `CREATE TABLE trend_dirty (
      id bigserial PRIMARY KEY,
      municipality_id integer NOT NULL,
      day integer NOT NULL
    )`,
    `CREATE TABLE trend_snapshot (
      id integer PRIMARY KEY CHECK (id = 1),
      at timestamptz NOT NULL,
      result jsonb NOT NULL
    )`,
    // Statement-level triggers with transition tables: a bulk insert or update marks each
    // municipality-day once per statement, not once per row.
    `CREATE FUNCTION trend_mark_new_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO trend_dirty (municipality_id, day)
      SELECT DISTINCT n.municipality_id, ${day('n.created_at')} FROM new_rows n WHERE n.municipality_id IS NOT NULL;
      RETURN NULL;
    END $$`,
    `CREATE FUNCTION trend_mark_removed_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO trend_dirty (municipality_id, day)
      SELECT DISTINCT o.municipality_id, ${day('o.created_at')} FROM old_rows o WHERE o.municipality_id IS NOT NULL;
      RETURN NULL;
    END $$`,
    `CREATE FUNCTION trend_mark_changed_posts() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO trend_dirty (municipality_id, day)
      SELECT DISTINCT x.municipality_id, x.day FROM (
        SELECT o.municipality_id, ${day('o.created_at')} AS day, n.municipality_id AS m2, ${day('n.created_at')} AS day2
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        WHERE n.body IS DISTINCT FROM o.body OR n.deleted_at IS DISTINCT FROM o.deleted_at
          OR n.hidden_at IS DISTINCT FROM o.hidden_at OR n.municipality_id IS DISTINCT FROM o.municipality_id
          OR n.created_at IS DISTINCT FROM o.created_at OR n.thread_id IS DISTINCT FROM o.thread_id
          OR n.position IS DISTINCT FROM o.position
      ) c CROSS JOIN LATERAL (VALUES (c.municipality_id, c.day), (c.m2, c.day2)) AS x(municipality_id, day)
      WHERE x.municipality_id IS NOT NULL;
      RETURN NULL;
    END $$`,
    // A thread's title counts for its opening post; hiding or deleting it removes all its posts.
    `CREATE FUNCTION trend_mark_changed_threads() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO trend_dirty (municipality_id, day)
      SELECT DISTINCT p.municipality_id, ${day('p.created_at')}
      FROM old_rows o JOIN new_rows n ON n.id = o.id JOIN posts p ON p.thread_id = n.id
      WHERE p.municipality_id IS NOT NULL
        AND (n.deleted_at IS DISTINCT FROM o.deleted_at OR (p.position = 1 AND n.title IS DISTINCT FROM o.title));
      RETURN NULL;
    END $$`,
    `CREATE TRIGGER trend_mark_new_posts AFTER INSERT ON posts REFERENCING NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION trend_mark_new_posts()`,
    `CREATE TRIGGER trend_mark_removed_posts AFTER DELETE ON posts REFERENCING OLD TABLE AS old_rows
      FOR EACH STATEMENT EXECUTE FUNCTION trend_mark_removed_posts()`,
    `CREATE TRIGGER trend_mark_changed_posts AFTER UPDATE ON posts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION trend_mark_changed_posts()`,
    `CREATE TRIGGER trend_mark_changed_threads AFTER UPDATE ON threads REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
      FOR EACH STATEMENT EXECUTE FUNCTION trend_mark_changed_threads()`,
    // In order of days: a batch of the index run then touches few days' counts.
    `INSERT INTO trend_dirty (municipality_id, day)
      SELECT municipality_id, ${day('created_at')} FROM posts WHERE municipality_id IS NOT NULL GROUP BY 2, 1 ORDER BY 2, 1`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `DROP TRIGGER trend_mark_changed_threads ON threads`,
    `DROP TRIGGER trend_mark_changed_posts ON posts`,
    `DROP TRIGGER trend_mark_removed_posts ON posts`,
    `DROP TRIGGER trend_mark_new_posts ON posts`,
    `DROP FUNCTION trend_mark_changed_threads()`,
    `DROP FUNCTION trend_mark_changed_posts()`,
    `DROP FUNCTION trend_mark_removed_posts()`,
    `DROP FUNCTION trend_mark_new_posts()`,
    `DROP TABLE trend_snapshot`,
    `DROP TABLE trend_dirty`,
    `DROP TABLE trend_stem_days`,
    `DROP TABLE trend_municipality_days`,
    // The old index is rebuilt from all posts by the old code once the state is gone.
    `CREATE TABLE trend_evidence (
      day date NOT NULL,
      stem text NOT NULL,
      municipality_id integer NOT NULL REFERENCES municipalities(id) ON DELETE CASCADE,
      posts integer NOT NULL,
      PRIMARY KEY (stem, day, municipality_id)
    )`,
    `CREATE INDEX trend_evidence_day_idx ON trend_evidence (day)`,
    `DELETE FROM trend_surface`,
    `DELETE FROM trend_index_state`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
