import { type Kysely, sql } from 'kysely'

// Frozen: never edit a migration that has landed; add a new one.
// The time step of the last accepted TOTP code: a code is accepted only for a later step, so an
// observed code cannot be replayed within its ±30 s window.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN totp_last_step bigint`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users DROP COLUMN totp_last_step`.execute(db)
}
