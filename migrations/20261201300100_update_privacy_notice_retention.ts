import { type Kysely, sql } from 'kysely'

// The privacy notice's default text learns the storage periods the retention job enforces and where
// members export their data or close their account. Only a text no admin has edited yet is changed.

const replacements: [string, string][] = [
  [
    '- Einladungen: Der Einladungslink ist 14 Tage gültig.\n',
    `- Einladungen: Der Einladungslink ist 14 Tage gültig. Nicht angenommene Einladungen werden 30 Tage nach Ablauf oder Rücknahme gelöscht.
- Links zum Zurücksetzen des Passworts: bis zu ihrem Ablauf (höchstens wenige Stunden) oder ihrer Verwendung; dann werden sie gelöscht.
- Datenauskünfte (Exporte Ihrer Daten): 7 Tage, dann werden sie gelöscht.
- Protokoll der Verwaltungsaktionen: [Aufbewahrungsfrist, bitte ergänzen]. Es enthält nur Kennnummern, keine Namen oder E-Mail-Adressen; nach der Löschung eines Kontos verweist es nur noch auf das anonymisierte Konto.
- Server-Protokolle (Logdateien): enthalten keine IP-Adressen, Passwörter oder Sitzungskennungen; [Aufbewahrungsdauer beim Betrieb, bitte ergänzen].
`,
  ],
  [
    '– einen Export Ihrer Daten können Sie unter „Mein Konto“ selbst herunterladen,',
    '– eine Auskunft über Ihre Daten können Sie unter „Mein Konto“ → „Meine Daten“ selbst anfordern und herunterladen,',
  ],
  [
    '- Löschung (Art. 17 DSGVO),',
    '- Löschung (Art. 17 DSGVO) – Ihr Konto können Sie unter „Mein Konto“ → „Meine Daten“ selbst schließen,',
  ],
]

async function apply(db: Kysely<any>, pairs: [string, string][]) {
  for (const [from, to] of pairs) {
    await sql`UPDATE site_pages SET body = replace(body, ${from}, ${to})
      WHERE slug = 'datenschutz' AND updated_by IS NULL`.execute(db)
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  await apply(db, replacements)
}

export async function down(db: Kysely<any>): Promise<void> {
  await apply(
    db,
    replacements.map(([from, to]) => [to, from]),
  )
}
