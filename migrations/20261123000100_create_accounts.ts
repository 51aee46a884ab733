import { type Kysely, sql } from 'kysely'

// Frozen: never edit a migration that has landed; add a new one.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `
      CREATE TABLE municipalities (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            external_id text UNIQUE,
            name text NOT NULL,
            kind text NOT NULL,
            district text NOT NULL,
            ags char(8) UNIQUE CHECK (ags ~ '^[0-9]{8}$'),
            active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            deactivated_at timestamptz
          )`,
    `
      CREATE UNIQUE INDEX municipalities_name_district_key ON municipalities (lower(name), lower(district))`,
    `
      CREATE TABLE users (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            external_id text UNIQUE,
            municipality_id integer REFERENCES municipalities(id),
            email text NOT NULL,
            name text NOT NULL,
            position text,
            role text NOT NULL DEFAULT 'member'
              CHECK (role IN ('member', 'municipality_admin', 'staff', 'admin')),
            password_hash text,
            locale text NOT NULL DEFAULT 'de' CHECK (locale IN ('de', 'en')),
            active boolean NOT NULL DEFAULT true,
            totp_secret text,
            totp_enabled_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now(),
            last_login_at timestamptz,
            deactivated_at timestamptz,
            -- members and municipality admins belong to a municipality; staff and admins to the association
            CHECK (role IN ('staff', 'admin') OR municipality_id IS NOT NULL)
          )`,
    `
      CREATE UNIQUE INDEX users_email_key ON users (lower(email))`,
    `
      CREATE INDEX users_municipality_idx ON users (municipality_id)`,
    `
      CREATE TABLE recovery_codes (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            code_hash text NOT NULL,
            used_at timestamptz
          )`,
    `
      CREATE INDEX recovery_codes_user_idx ON recovery_codes (user_id)`,
    `
      CREATE TABLE invitations (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            token_hash text NOT NULL UNIQUE,
            email text NOT NULL,
            name text,
            role text NOT NULL CHECK (role IN ('member', 'municipality_admin', 'staff', 'admin')),
            municipality_id integer REFERENCES municipalities(id),
            invited_by integer REFERENCES users(id) ON DELETE SET NULL,
            locale text NOT NULL DEFAULT 'de' CHECK (locale IN ('de', 'en')),
            created_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            used_at timestamptz,
            user_id integer REFERENCES users(id) ON DELETE SET NULL,
            revoked_at timestamptz,
            CHECK (role IN ('staff', 'admin') OR municipality_id IS NOT NULL)
          )`,
    `
      CREATE INDEX invitations_municipality_idx ON invitations (municipality_id, created_at DESC)`,
    `
      CREATE INDEX invitations_email_idx ON invitations (lower(email))`,
    `
      CREATE TABLE password_resets (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash text NOT NULL UNIQUE,
            created_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            used_at timestamptz
          )`,
    `
      CREATE INDEX password_resets_user_idx ON password_resets (user_id)`,
    `
      CREATE TABLE sessions (
            sid text PRIMARY KEY,
            user_id integer REFERENCES users(id) ON DELETE CASCADE,
            data jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            expires_at timestamptz NOT NULL,
            ip text,
            user_agent text
          )`,
    `
      CREATE INDEX sessions_user_idx ON sessions (user_id)`,
    `
      CREATE INDEX sessions_expires_idx ON sessions (expires_at)`,
    `
      CREATE TABLE audit_log (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            at timestamptz NOT NULL DEFAULT now(),
            actor_id integer REFERENCES users(id),
            action text NOT NULL,
            target_type text,
            target_id integer,
            municipality_id integer REFERENCES municipalities(id),
            details jsonb NOT NULL DEFAULT '{}'::jsonb
          )`,
    `
      CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)`,
    `
      -- The audit log is append-only: history must not be rewritten, not even by the app.
          CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN
            RAISE EXCEPTION 'audit_log is append-only';
          END;
          $$`,
    `
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`,
    `
      CREATE TABLE login_throttle (
            key text PRIMARY KEY,
            failures integer NOT NULL,
            last_failure_at timestamptz NOT NULL
          )`,
    `
      CREATE TABLE rate_limits (
            key text PRIMARY KEY,
            hits integer NOT NULL,
            reset_at timestamptz NOT NULL
          )`,
    `
      CREATE TABLE app_settings (
            key text PRIMARY KEY,
            value jsonb NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now()
          )`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `
      DROP TABLE app_settings, rate_limits, login_throttle, audit_log, sessions, password_resets,
            invitations, recovery_codes, users, municipalities`,
    `
      DROP FUNCTION audit_log_append_only()`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
