import { type Kysely, sql } from 'kysely'

// Frozen: never edit a migration that has landed; add a new one.
// Starting texts for the three legal pages; admins complete them under /admin/pages. Every spot that
// needs the operator's own facts says "[bitte ergänzen]". Markdown headings start at "##" (the page
// title is the only <h1>).

const datenschutz = `Diese Erklärung informiert Sie nach Art. 13 der Datenschutz-Grundverordnung (DSGVO) darüber, welche personenbezogenen Daten das Kommunalforum verarbeitet, zu welchen Zwecken und welche Rechte Sie haben.

## 1. Verantwortliche Stelle

[Name des Verbands, bitte ergänzen]
[Straße und Hausnummer, bitte ergänzen]
[Postleitzahl und Ort, bitte ergänzen]
E-Mail: [bitte ergänzen]
Telefon: [bitte ergänzen]

**Datenschutzbeauftragte Person:** [Name und Kontakt, bitte ergänzen]

## 2. Zweck der Verarbeitung

Das Kommunalforum ist ein geschlossenes Diskussionsforum für die Verwaltungen der Mitgliedskommunen des Verbands. Es dient

- dem fachlichen Austausch der Kommunalverwaltungen untereinander (Fragen, Antworten, gute Praxis),
- der Geschäftsstelle des Verbands dazu, früh zu erkennen, welche Themen die Mitgliedskommunen beschäftigen, um deren Interessen zu vertreten,
- dem sicheren Betrieb des Forums (Anmeldung, Schutz vor Missbrauch, Nachvollziehbarkeit von Verwaltungsaktionen).

Eine Registrierung ist nicht möglich: Konten entstehen nur durch Einladung.

## 3. Rechtsgrundlagen

- **Art. 6 Abs. 1 lit. e DSGVO** (Wahrnehmung einer Aufgabe im öffentlichen Interesse) in Verbindung mit [Satzung des Verbands bzw. landesrechtliche Grundlage, bitte ergänzen]: Betrieb des Forums für den Erfahrungsaustausch der Mitgliedskommunen.
- **Art. 6 Abs. 1 lit. b DSGVO** (Nutzungsverhältnis): Bereitstellung Ihres Kontos, Ihrer Beiträge und der von Ihnen gewählten E-Mail-Benachrichtigungen.
- **Art. 6 Abs. 1 lit. c DSGVO** (rechtliche Verpflichtung): Protokollierung, soweit gesetzliche Vorgaben zur Datensicherheit (Art. 32 DSGVO) oder Aufbewahrungspflichten dies verlangen.

## 4. Welche Daten wir verarbeiten

**Kontodaten:** Name, dienstliche E-Mail-Adresse, Funktion, Kommune, Rolle, Spracheinstellung, ein nicht umkehrbarer Hashwert Ihres Passworts, bei aktivierter Zwei-Faktor-Anmeldung deren Schlüssel, Zeitpunkt der Einladung und der letzten Anmeldung.

**Beiträge:** Themen, Antworten, Anhänge, Reaktionen, beobachtete Themen und Ihre Einstellungen für Benachrichtigungen. Beiträge sind für alle angemeldeten Mitglieder des Forums sichtbar.

**Sitzungscookie:** Nach der Anmeldung setzt das Forum ein Cookie, das Ihre Sitzung kennzeichnet, und schützt Formulare mit einem Sicherheitsmerkmal. Beides ist technisch unbedingt erforderlich (§ 25 Abs. 2 Nr. 2 TDDDG). Es gibt keine Tracking-, Analyse- oder Werbe-Cookies und keine Reichweitenmessung.

**IP-Adressen:** Zu jeder Sitzung und bei fehlgeschlagenen Anmeldeversuchen wird die IP-Adresse gespeichert, um Missbrauch (etwa das Erraten von Passwörtern) abzuwehren. Sie wird nach **7 Tagen** gelöscht.

**Protokoll:** Aktionen der Geschäftsstelle und der Administration (z. B. Einladungen, Änderungen von Rollen, Moderation, Exporte) werden mit Zeitpunkt und handelnder Person protokolliert.

## 5. Empfänger

Ihre Daten werden nicht an Dritte weitergegeben und nicht in Länder außerhalb der EU übermittelt. Das Forum lädt keine Inhalte von fremden Servern (keine externen Schriftarten, Skripte oder Karten).

Betrieb und Hosting: [eigener Betrieb oder Auftragsverarbeiter nach Art. 28 DSGVO, bitte ergänzen]

## 6. Speicherdauer

- Kontodaten: solange Ihr Konto besteht. Wird es gelöscht, werden Ihre personenbezogenen Daten entfernt; Ihre Beiträge bleiben als Beiträge eines „Ehemaligen Mitglieds“ ohne Namen erhalten, sofern Sie nicht auch deren Löschung verlangen.
- Sitzungen: enden nach 30 Minuten ohne Aktivität, spätestens nach 12 Stunden, und mit der Abmeldung.
- IP-Adressen: 7 Tage.
- Einladungen: Der Einladungslink ist 14 Tage gültig.

## 7. Ihre Rechte

Sie haben das Recht auf

- Auskunft über Ihre Daten (Art. 15 DSGVO) – einen Export Ihrer Daten können Sie unter „Mein Konto“ selbst herunterladen,
- Berichtigung (Art. 16 DSGVO),
- Löschung (Art. 17 DSGVO),
- Einschränkung der Verarbeitung (Art. 18 DSGVO),
- Datenübertragbarkeit (Art. 20 DSGVO),
- Widerspruch gegen die Verarbeitung aus Gründen, die sich aus Ihrer besonderen Situation ergeben (Art. 21 DSGVO).

Wenden Sie sich dazu an die oben genannte verantwortliche Stelle.

Eine automatisierte Entscheidungsfindung einschließlich Profiling (Art. 22 DSGVO) findet nicht statt.

## 8. Beschwerderecht

Sie können sich bei einer Aufsichtsbehörde beschweren, wenn Sie meinen, dass die Verarbeitung Ihrer Daten gegen die DSGVO verstößt (Art. 77 DSGVO). Zuständig ist:

Die Landesbeauftragte für den Datenschutz Niedersachsen
Prinzenstraße 5
30159 Hannover
https://www.lfd.niedersachsen.de
`

const impressum = `Angaben gemäß § 5 Digitale-Dienste-Gesetz (DDG)

## Anbieter

[Name des Verbands, bitte ergänzen]
[Rechtsform, z. B. eingetragener Verein, bitte ergänzen]
[Straße und Hausnummer, bitte ergänzen]
[Postleitzahl und Ort, bitte ergänzen]

## Vertretung

Vertreten durch: [Präsidentin oder Präsident bzw. Geschäftsführung, bitte ergänzen]

## Kontakt

Telefon: [bitte ergänzen]
E-Mail: [bitte ergänzen]

## Register

Registergericht: [bitte ergänzen]
Registernummer: [bitte ergänzen]

Umsatzsteuer-Identifikationsnummer nach § 27a Umsatzsteuergesetz: [bitte ergänzen oder diese Zeile löschen]

## Verantwortlich für den Inhalt

Verantwortlich nach § 18 Abs. 2 Medienstaatsvertrag (MStV): [Name und Anschrift, bitte ergänzen]

## Beiträge der Mitglieder

Die Beiträge im Forum verfassen die Mitglieder selbst; sie geben deren Sicht wieder und nicht notwendigerweise die des Verbands. Hinweise auf rechtswidrige Inhalte nehmen wir unter der oben genannten E-Mail-Adresse entgegen.
`

const barrierefreiheit = `Der [Name des Verbands, bitte ergänzen] ist bemüht, das Kommunalforum barrierefrei zugänglich zu machen. Maßgeblich sind die Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und die Web Content Accessibility Guidelines (WCAG) 2.1 auf Konformitätsstufe AA.

Diese Erklärung gilt für das Kommunalforum unter [Adresse des Forums, bitte ergänzen].

## Stand der Vereinbarkeit

Das Kommunalforum ist **teilweise barrierefrei**. Die Seiten und Formulare des Forums werden bei jeder Änderung automatisiert gegen die Anforderungen der WCAG 2.1 AA geprüft; es gibt jedoch die folgenden bekannten Einschränkungen.

## Nicht barrierefreie Inhalte

- **Beiträge der Mitglieder:** Texte, Überschriften und Tabellen in Beiträgen gestalten die Mitglieder selbst. Sie können zum Beispiel Überschriften in falscher Reihenfolge oder Linktexte ohne Aussage enthalten.
- **Anhänge:** Hochgeladene Dateien (etwa PDF-Dokumente oder eingescannte Unterlagen) stammen von den Mitgliedern und sind oft nicht barrierefrei.
- **Leichte Sprache und Gebärdensprache:** Erläuterungen in Leichter Sprache und in Deutscher Gebärdensprache gibt es noch nicht.
- **Manuelle Prüfung:** Eine vollständige Prüfung durch eine unabhängige Prüfstelle steht noch aus.

## Erstellung dieser Erklärung

Diese Erklärung wurde am 23. November 2026 erstellt. Sie beruht auf einer Selbstbewertung (automatisierte Prüfungen und Prüfung mit Tastatur und Bildschirmlupe).

Zuletzt überprüft am: [Datum, bitte ergänzen]

## Barrieren melden: Kontakt zu den Feedback-Ansprechpartnern

Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Oder benötigen Sie Inhalte in einer für Sie zugänglichen Form? Dann wenden Sie sich bitte an:

[Name oder Stelle, bitte ergänzen]
E-Mail: [bitte ergänzen]
Telefon: [bitte ergänzen]

Wir antworten Ihnen in der Regel innerhalb von zwei Wochen.

## Schlichtungsverfahren

Wenn Sie auf Ihre Meldung keine oder keine zufriedenstellende Antwort erhalten haben, können Sie sich an die Landesbeauftragte für Menschen mit Behinderungen Niedersachsen wenden. Sie unterstützt Sie dabei, eine außergerichtliche Lösung zu finden (Durchsetzungs- und Schlichtungsverfahren nach dem Niedersächsischen Behindertengleichstellungsgesetz). Das Verfahren ist kostenfrei; Sie brauchen keinen Rechtsbeistand.

Landesbeauftragte für Menschen mit Behinderungen Niedersachsen
[Anschrift und Kontaktdaten bitte prüfen und ergänzen]

Betrifft Ihr Anliegen eine öffentliche Stelle des Bundes, ist die Schlichtungsstelle nach § 16 Behindertengleichstellungsgesetz (BGG) zuständig:

Schlichtungsstelle nach dem Behindertengleichstellungsgesetz
bei dem Beauftragten der Bundesregierung für die Belange von Menschen mit Behinderungen
Mauerstraße 53
10117 Berlin
https://www.schlichtungsstelle-bgg.de
`

const pages = [
  { slug: 'datenschutz', title: 'Datenschutzerklärung', body: datenschutz },
  { slug: 'impressum', title: 'Impressum', body: impressum },
  { slug: 'barrierefreiheit', title: 'Erklärung zur Barrierefreiheit', body: barrierefreiheit },
]

export async function up(db: Kysely<any>): Promise<void> {
  for (const page of pages) {
    await sql`INSERT INTO site_pages (slug, title, body) VALUES (${page.slug}, ${page.title}, ${page.body})
      ON CONFLICT (slug) DO NOTHING`.execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  // Only the untouched defaults go; a page an admin has edited stays.
  await sql`DELETE FROM site_pages WHERE updated_by IS NULL`.execute(db)
}
