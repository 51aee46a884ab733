import { type Kysely, sql } from 'kysely'

// A handle per person for @mentions ("@erika.muster"): unique, lower-case, derived from the name.
// A trigger fills it, so every way an account is created (invitation, import, setup, demo) gets one
// without knowing about it; a changed name (erasure: "Ehemaliges Mitglied") gets a new handle, so the
// old name does not survive in it.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `ALTER TABLE users ADD COLUMN handle text`,
    `CREATE FUNCTION user_handle_base(name text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
      SELECT coalesce(nullif(left(trim(BOTH '.' FROM regexp_replace(
        translate(
          replace(replace(replace(replace(lower(name), 'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'),
          'áàâãåāéèêëēíìîïóòôõøúùûçćčñńšśžźłğ', 'aaaaaaeeeeeiiiiooooouuuccccnnsszzlg'),
        '[^a-z0-9]+', '.', 'g')), 40), ''), 'mitglied')
    $$`,
    // Serialised per base name, so two accounts named alike created at once get different numbers.
    `CREATE FUNCTION next_user_handle(name text, self integer) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
      DECLARE
        base text := trim(BOTH '.' FROM user_handle_base(name));
        candidate text := base;
        n integer := 1;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('user_handle:' || base));
        WHILE EXISTS (SELECT 1 FROM users WHERE handle = candidate AND id IS DISTINCT FROM self) LOOP
          n := n + 1;
          candidate := base || n;
        END LOOP;
        RETURN candidate;
      END
    $$`,
    `CREATE FUNCTION users_assign_handle() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.handle IS NULL THEN NEW.handle := next_user_handle(NEW.name, NEW.id); END IF;
        ELSIF NEW.name IS DISTINCT FROM OLD.name AND NEW.handle IS NOT DISTINCT FROM OLD.handle THEN
          NEW.handle := next_user_handle(NEW.name, NEW.id);
        END IF;
        RETURN NEW;
      END
    $$`,
    // One UPDATE per row: each sees the handles given before it.
    `DO $$
      DECLARE r record;
      BEGIN
        FOR r IN SELECT id, name FROM users ORDER BY id LOOP
          UPDATE users SET handle = next_user_handle(r.name, r.id) WHERE id = r.id;
        END LOOP;
      END
    $$`,
    `ALTER TABLE users ALTER COLUMN handle SET NOT NULL`,
    `CREATE UNIQUE INDEX users_handle_key ON users (handle)`,
    `CREATE TRIGGER users_assign_handle BEFORE INSERT OR UPDATE OF name, handle ON users
      FOR EACH ROW EXECUTE FUNCTION users_assign_handle()`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `DROP TRIGGER users_assign_handle ON users`,
    `DROP FUNCTION users_assign_handle()`,
    `DROP FUNCTION next_user_handle(text, integer)`,
    `DROP FUNCTION user_handle_base(text)`,
    `ALTER TABLE users DROP COLUMN handle`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
