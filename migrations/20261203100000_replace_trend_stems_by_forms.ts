import { type Kysely, sql } from 'kysely'

// Full recomputation aggregates every stem of every municipality-day (some 21 million on a million
// posts). Hashing and unnesting them as text took 26 s; as integers the same pass takes a fraction.
// trend_forms numbers each pair of stem and written form once; a municipality-day keeps forms[i] (its
// stem and its most used written form) in posts[i] posts, instead of the parallel arrays stems and words.
// The index's other tables keep their text: they are small and read by stem.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE TABLE trend_forms (
      id serial PRIMARY KEY,
      stem text NOT NULL,
      word text NOT NULL,
      UNIQUE (stem, word)
    )`,
    `INSERT INTO trend_forms (stem, word)
      SELECT DISTINCT u.stem, u.word FROM trend_municipality_days t, unnest(t.stems, t.words) AS u(stem, word) ORDER BY 1, 2`,
    `CREATE TABLE trend_municipality_forms (
      day integer NOT NULL,
      municipality_id integer NOT NULL,
      forms integer[] NOT NULL,
      posts integer[] NOT NULL,
      CONSTRAINT trend_municipality_forms_pkey PRIMARY KEY (day, municipality_id)
    )`,
    `INSERT INTO trend_municipality_forms (day, municipality_id, forms, posts)
      SELECT t.day, t.municipality_id,
        ARRAY(SELECT f.id FROM unnest(t.stems, t.words) WITH ORDINALITY AS u(stem, word, i)
              JOIN trend_forms f ON f.stem = u.stem AND f.word = u.word ORDER BY u.i),
        t.posts
      FROM trend_municipality_days t ORDER BY 1, 2`,
    `DROP TABLE trend_municipality_days`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE TABLE trend_municipality_days (
      day integer NOT NULL,
      municipality_id integer NOT NULL,
      stems text[] NOT NULL,
      words text[] NOT NULL,
      posts integer[] NOT NULL,
      PRIMARY KEY (day, municipality_id)
    )`,
    `INSERT INTO trend_municipality_days (day, municipality_id, stems, words, posts)
      SELECT t.day, t.municipality_id,
        ARRAY(SELECT f.stem FROM unnest(t.forms) WITH ORDINALITY AS u(id, i) JOIN trend_forms f ON f.id = u.id ORDER BY u.i),
        ARRAY(SELECT f.word FROM unnest(t.forms) WITH ORDINALITY AS u(id, i) JOIN trend_forms f ON f.id = u.id ORDER BY u.i),
        t.posts
      FROM trend_municipality_forms t`,
    `DROP TABLE trend_municipality_forms`,
    `DROP TABLE trend_forms`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
