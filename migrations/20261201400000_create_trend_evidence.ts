import { type Kysely, sql } from 'kysely'

// Evidence for the staff dashboard's trends: for each day, word stem and municipality, how many posts
// used the stem (a municipality adds at most one municipality-day per stem and day, whatever it posts).
// Filled incrementally from posts beyond trend_index_state.last_post_id; trend_surface remembers the
// written forms of a stem, so a trend is labelled with words people wrote, not stems.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE TABLE trend_evidence (
      day date NOT NULL,
      stem text NOT NULL,
      municipality_id integer NOT NULL REFERENCES municipalities(id) ON DELETE CASCADE,
      posts integer NOT NULL,
      PRIMARY KEY (stem, day, municipality_id)
    )`,
    `CREATE INDEX trend_evidence_day_idx ON trend_evidence (day)`,
    `CREATE TABLE trend_surface (
      stem text NOT NULL,
      word text NOT NULL,
      uses integer NOT NULL,
      PRIMARY KEY (stem, word)
    )`,
    `CREATE TABLE trend_index_state (
      id integer PRIMARY KEY CHECK (id = 1),
      last_post_id integer NOT NULL,
      updated_at timestamptz NOT NULL
    )`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [`DROP TABLE trend_index_state`, `DROP TABLE trend_surface`, `DROP TABLE trend_evidence`]) {
    await sql.raw(statement).execute(db)
  }
}
