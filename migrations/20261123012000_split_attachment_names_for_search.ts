import { type Kysely, sql } from 'kysely'

// The text search parser reads "Spendenquittung-Vorlage.pdf" as one host name and
// "Mustervertrag_Dolmetscher_2016.docx" as one file path: nobody would find them by a word.
// Dots, underscores, hyphens and the like become spaces before the name is indexed.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `DROP INDEX attachments_search_idx`,
    `ALTER TABLE attachments DROP COLUMN search`,
    `ALTER TABLE attachments ADD COLUMN search tsvector GENERATED ALWAYS AS
      (to_tsvector('german', regexp_replace(original_name, '[._\\-/\\\\+~()\\[\\]]+', ' ', 'g'))) STORED`,
    `CREATE INDEX attachments_search_idx ON attachments USING gin (search)`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `DROP INDEX attachments_search_idx`,
    `ALTER TABLE attachments DROP COLUMN search`,
    `ALTER TABLE attachments ADD COLUMN search tsvector GENERATED ALWAYS AS (to_tsvector('german', original_name)) STORED`,
    `CREATE INDEX attachments_search_idx ON attachments USING gin (search)`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
