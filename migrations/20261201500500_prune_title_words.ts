import { type Kysely, sql } from 'kysely'

/**
 * A word leaves title_words once no title holds it any more: an edited title or an erased account
 * (Art. 17) must not leave its words behind in the dictionary of similar-thread corrections.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE FUNCTION title_words_prune() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM title_words tw
      WHERE tw.word IN (SELECT DISTINCT w FROM regexp_split_to_table(lower(OLD.title), '[^[:alnum:]]+') w WHERE length(w) >= 4)
        AND NOT EXISTS (SELECT 1 FROM threads t WHERE t.title ILIKE '%' || tw.word || '%');
      RETURN NULL;
    END
    $$
  `.execute(db)
  await sql`CREATE TRIGGER title_words_prune_update AFTER UPDATE OF title ON threads
    FOR EACH ROW WHEN (OLD.title IS DISTINCT FROM NEW.title) EXECUTE FUNCTION title_words_prune()`.execute(db)
  await sql`CREATE TRIGGER title_words_prune_delete AFTER DELETE ON threads
    FOR EACH ROW EXECUTE FUNCTION title_words_prune()`.execute(db)
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER title_words_prune_delete ON threads`.execute(db)
  await sql`DROP TRIGGER title_words_prune_update ON threads`.execute(db)
  await sql`DROP FUNCTION title_words_prune()`.execute(db)
}
