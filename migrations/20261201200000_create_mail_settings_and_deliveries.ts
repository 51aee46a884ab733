import { type Kysely, sql } from 'kysely'

/**
 * Mail: per-person settings (immediate notifications, digest), one-click unsubscribe tokens (only their
 * SHA-256), and one delivery row per person and period (digest) or batch (notifications), claimed before
 * anything is sent, so a mail goes out once whatever crashes or how many instances run.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE TABLE mail_settings (
      user_id integer PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
      notify_reply boolean NOT NULL DEFAULT true,
      notify_mention boolean NOT NULL DEFAULT true,
      notify_solution boolean NOT NULL DEFAULT true,
      notify_adopted boolean NOT NULL DEFAULT true,
      digest text NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'off')),
      digest_hour integer NOT NULL DEFAULT 7 CHECK (digest_hour BETWEEN 0 AND 23),
      updated_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE unsubscribe_tokens (
      token_hash text PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      list text NOT NULL CHECK (list IN ('digest', 'notifications')),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE TABLE digest_deliveries (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('digest', 'notifications')),
      period_key text NOT NULL,
      status text NOT NULL CHECK (status IN ('claimed', 'sent', 'failed', 'skipped_empty')),
      since timestamptz NOT NULL,
      until timestamptz NOT NULL,
      message_id text NOT NULL,
      attempts integer NOT NULL DEFAULT 0,
      lease_until timestamptz,
      next_attempt_at timestamptz,
      last_error text,
      item_count integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      UNIQUE (user_id, period_key)
    )`,
    `CREATE INDEX digest_deliveries_created_idx ON digest_deliveries (created_at DESC)`,
    `CREATE INDEX digest_deliveries_open_idx ON digest_deliveries (status) WHERE status IN ('claimed', 'failed')`,
    // Which batch mail a notification went out in; set when the batch is claimed.
    `ALTER TABLE notifications ADD COLUMN mail_delivery_id integer REFERENCES digest_deliveries(id) ON DELETE SET NULL`,
    `CREATE INDEX notifications_unmailed_idx ON notifications (created_at) WHERE emailed_at IS NULL AND mail_delivery_id IS NULL`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`ALTER TABLE notifications DROP COLUMN mail_delivery_id`).execute(db)
  await sql.raw(`DROP TABLE digest_deliveries, unsubscribe_tokens, mail_settings`).execute(db)
}
