import { type Kysely, sql } from 'kysely'

/**
 * Every word that has appeared in a thread title, with a trigram index: similar threads correct a typed
 * word against these few thousand words instead of comparing the whole typed title with every title
 * (which reads the long trigram lists of a hundred thousand titles). Kept by triggers on threads; a word
 * whose threads are gone stays, and then simply finds nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('title_words').addColumn('word', 'text', (c) => c.primaryKey()).execute()
  await sql`CREATE INDEX title_words_trgm_idx ON title_words USING gin (word gin_trgm_ops)`.execute(db)
  await sql`
    CREATE FUNCTION title_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_LEVEL = 'ROW' THEN
        INSERT INTO title_words (word)
          SELECT DISTINCT w FROM regexp_split_to_table(lower(NEW.title), '[^[:alnum:]]+') w WHERE length(w) >= 4
          ORDER BY w
        ON CONFLICT DO NOTHING;
      ELSE
        INSERT INTO title_words (word)
          SELECT DISTINCT w FROM new_rows, regexp_split_to_table(lower(new_rows.title), '[^[:alnum:]]+') w WHERE length(w) >= 4
          ORDER BY w
        ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END
    $$
  `.execute(db)
  await sql`CREATE TRIGGER title_words_insert AFTER INSERT ON threads REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION title_words_add()`.execute(db)
  await sql`CREATE TRIGGER title_words_update AFTER UPDATE OF title ON threads
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION title_words_add()`.execute(db)
  await sql`
    INSERT INTO title_words (word)
    SELECT DISTINCT w FROM threads, regexp_split_to_table(lower(title), '[^[:alnum:]]+') w WHERE length(w) >= 4
    ON CONFLICT DO NOTHING
  `.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER title_words_insert ON threads`.execute(db)
  await sql`DROP TRIGGER title_words_update ON threads`.execute(db)
  await sql`DROP FUNCTION title_words_add()`.execute(db)
  await db.schema.dropTable('title_words').execute()
}
