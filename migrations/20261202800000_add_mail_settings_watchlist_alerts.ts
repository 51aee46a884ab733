import { type Kysely, sql } from 'kysely'

/**
 * Watchlist alerts become a mailing list of their own: a per-person switch (on by default, as the
 * alerts were so far) and one-click unsubscribe tokens for it.
 */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `ALTER TABLE mail_settings ADD COLUMN watchlist_alerts boolean NOT NULL DEFAULT true`,
    `ALTER TABLE unsubscribe_tokens DROP CONSTRAINT unsubscribe_tokens_list_check`,
    `ALTER TABLE unsubscribe_tokens ADD CONSTRAINT unsubscribe_tokens_list_check CHECK (list IN ('digest', 'notifications', 'watchlist'))`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `DELETE FROM unsubscribe_tokens WHERE list = 'watchlist'`,
    `ALTER TABLE unsubscribe_tokens DROP CONSTRAINT unsubscribe_tokens_list_check`,
    `ALTER TABLE unsubscribe_tokens ADD CONSTRAINT unsubscribe_tokens_list_check CHECK (list IN ('digest', 'notifications'))`,
    `ALTER TABLE mail_settings DROP COLUMN watchlist_alerts`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
