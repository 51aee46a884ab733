import { type Kysely, sql } from 'kysely'

// The three forums are fixed: created here, never through the UI. Their slugs are public interface.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `
      CREATE TABLE forums (
            id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            slug text NOT NULL UNIQUE,
            name_de text NOT NULL,
            name_en text NOT NULL,
            description_de text NOT NULL,
            description_en text NOT NULL,
            position integer NOT NULL
          )`,
    `
      INSERT INTO forums (slug, name_de, name_en, description_de, description_en, position) VALUES
            ('aufnahme-unterbringung-versorgung', 'Aufnahme, Unterbringung und Versorgung', 'Reception, housing and supply',
             'Erstaufnahme, Wohnraum, Sozialleistungen, Gesundheitsversorgung.',
             'Initial reception, housing, social benefits, health care.', 1),
            ('integration', 'Integration', 'Integration',
             'Sprache, Kita und Schule, Arbeit, Dolmetschen, Ehrenamtliche Lotsen.',
             'Language, childcare and school, work, interpreting, volunteer guides.', 2),
            ('buergerschaftliches-engagement', 'Bürgerschaftliches Engagement', 'Civic engagement',
             'Ehrenamt, Vereine, Patenschaften, Koordination von Hilfe.',
             'Volunteering, associations, mentoring, coordinating help.', 3)`,
    `
      CREATE TABLE site_pages (
            slug text PRIMARY KEY CHECK (slug IN ('datenschutz', 'impressum', 'barrierefreiheit')),
            title text NOT NULL,
            body text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            updated_by integer REFERENCES users(id) ON DELETE SET NULL
          )`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `
      DROP TABLE site_pages, forums`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}
