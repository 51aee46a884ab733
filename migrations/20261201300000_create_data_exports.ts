import { type Kysely, sql } from 'kysely'

// Privacy (DSGVO): when an account was erased (Art. 17), and the data exports (Art. 15/20) prepared
// for download. An export lives a few days, then the retention job deletes it.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `ALTER TABLE users ADD COLUMN erased_at timestamptz`,
    `CREATE TABLE data_exports (
      -- random, so a download URL cannot be guessed; access is checked against requested_by as well
      id text PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      requested_by integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'preparing', 'ready', 'failed')),
      content text,
      created_at timestamptz NOT NULL DEFAULT now(),
      ready_at timestamptz,
      expires_at timestamptz NOT NULL
    )`,
    `CREATE INDEX data_exports_requested_by_idx ON data_exports (requested_by, created_at DESC)`,
    `CREATE INDEX data_exports_user_idx ON data_exports (user_id)`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`DROP TABLE data_exports`).execute(db)
  await sql.raw(`ALTER TABLE users DROP COLUMN erased_at`).execute(db)
}
