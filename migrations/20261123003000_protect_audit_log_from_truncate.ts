import { type Kysely, sql } from 'kysely'

// Row triggers do not fire on TRUNCATE: without this one the append-only audit log could be emptied.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
      FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
  `.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER audit_log_no_truncate ON audit_log`.execute(db)
}
