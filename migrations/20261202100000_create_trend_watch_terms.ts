import { type Kysely, sql } from 'kysely'

/**
 * The staff's watchlist: terms (stemmed like the trend engine) to watch, each with its rise state,
 * and one alert row per rise. The alert mails go through digest_deliveries (kind 'watchlist', key
 * `watchlist:<alert id>`), claimed before sending like digests, so a rise is mailed once per person.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE TABLE trend_watch_terms (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      term text NOT NULL,
      stems text[] NOT NULL CHECK (cardinality(stems) > 0),
      stem_key text NOT NULL UNIQUE,
      created_by integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL,
      rising_since timestamptz,
      quiet_since timestamptz,
      last_alert_at timestamptz
    )`,
    `CREATE TABLE trend_watch_alerts (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      term_id integer NOT NULL REFERENCES trend_watch_terms(id) ON DELETE CASCADE,
      rise_started_at timestamptz NOT NULL,
      term text NOT NULL,
      label text NOT NULL,
      stem text NOT NULL,
      municipalities integer NOT NULL,
      districts integer NOT NULL,
      UNIQUE (term_id, rise_started_at)
    )`,
    `ALTER TABLE digest_deliveries DROP CONSTRAINT digest_deliveries_kind_check`,
    `ALTER TABLE digest_deliveries ADD CONSTRAINT digest_deliveries_kind_check CHECK (kind IN ('digest', 'notifications', 'watchlist'))`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `DELETE FROM digest_deliveries WHERE kind = 'watchlist'`,
    `ALTER TABLE digest_deliveries DROP CONSTRAINT digest_deliveries_kind_check`,
    `ALTER TABLE digest_deliveries ADD CONSTRAINT digest_deliveries_kind_check CHECK (kind IN ('digest', 'notifications'))`,
    `DROP TABLE trend_watch_alerts`,
    `DROP TABLE trend_watch_terms`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
