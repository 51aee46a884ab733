import type { Insertable, Kysely } from 'kysely'
import type { Database } from '../src/db/database.ts'
import { importInterchange } from '../src/features/interchange/interchange.import.ts'
import type { MunicipalityMarksTable, PostReactionsTable, ThreadKind } from '../src/features/threads/threads.table.ts'

// Living forums for the demo: threads of every kind across the three forums, written as
// administration staff in Lower Saxony wrote in 2015/16, dated in the weeks before the seeding.
// The content goes in through the interchange import (the same path a migrated forum takes);
// adoptions, reactions and "betrifft uns auch" are not part of the format and are inserted after it.

const HOUR = 3_600_000
const DAY = 24 * HOUR

/** Real municipalities in their real districts; the first six are those of seeds/demo.ts. */
const municipalities = {
  wolfenbuettel: { name: 'Wolfenbüttel', kind: 'Stadt', district: 'Landkreis Wolfenbüttel', ags: '03158037' },
  cremlingen: { name: 'Cremlingen', kind: 'Gemeinde', district: 'Landkreis Wolfenbüttel', ags: '03158008' },
  peine: { name: 'Peine', kind: 'Stadt', district: 'Landkreis Peine', ags: '03157006' },
  bersenbrueck: { name: 'Samtgemeinde Bersenbrück', kind: 'Samtgemeinde', district: 'Landkreis Osnabrück', ags: null },
  uelzen: { name: 'Uelzen', kind: 'Stadt', district: 'Landkreis Uelzen', ags: '03360025' },
  wennigsen: { name: 'Wennigsen (Deister)', kind: 'Gemeinde', district: 'Region Hannover', ags: '03241019' },
  celle: { name: 'Celle', kind: 'Stadt', district: 'Landkreis Celle', ags: '03351006' },
  gifhorn: { name: 'Gifhorn', kind: 'Stadt', district: 'Landkreis Gifhorn', ags: '03151009' },
  lingen: { name: 'Lingen (Ems)', kind: 'Stadt', district: 'Landkreis Emsland', ags: '03454032' },
  stade: { name: 'Stade', kind: 'Stadt', district: 'Landkreis Stade', ags: '03359038' },
  hameln: { name: 'Hameln', kind: 'Stadt', district: 'Landkreis Hameln-Pyrmont', ags: '03252006' },
  garbsen: { name: 'Garbsen', kind: 'Stadt', district: 'Region Hannover', ags: '03241005' },
  edewecht: { name: 'Edewecht', kind: 'Gemeinde', district: 'Landkreis Ammerland', ags: null },
  sottrum: { name: 'Samtgemeinde Sottrum', kind: 'Samtgemeinde', district: 'Landkreis Rotenburg (Wümme)', ags: null },
} as const
type Town = keyof typeof municipalities

/**
 * Authors. The first three are accounts of seeds/demo.ts (matched by e-mail address); the others are
 * invented colleagues without a password: they appear as authors and cannot sign in.
 */
const people = {
  karin: { name: 'Karin Kontakt', email: 'kontakt@wolfenbuettel.demo.kommunalforum.de', town: 'wolfenbuettel', role: 'municipality_admin' },
  max: { name: 'Max Mitglied', email: 'mitglied@peine.demo.kommunalforum.de', town: 'peine', role: 'member' },
  stefan: { name: 'Stefan Stab', email: 'geschaeftsstelle@demo.kommunalforum.de', town: null, role: 'staff' },
  birgit: { name: 'Birgit Hoffmann', email: 'b.hoffmann@cremlingen.demo.kommunalforum.de', town: 'cremlingen', role: 'member' },
  thomas: { name: 'Thomas Kemper', email: 't.kemper@bersenbrueck.demo.kommunalforum.de', town: 'bersenbrueck', role: 'member' },
  sabine: { name: 'Sabine Lüders', email: 's.lueders@uelzen.demo.kommunalforum.de', town: 'uelzen', role: 'member' },
  christoph: { name: 'Christoph Meyer', email: 'c.meyer@wennigsen.demo.kommunalforum.de', town: 'wennigsen', role: 'member' },
  jana: { name: 'Dr. Jana Wolter', email: 'j.wolter@celle.demo.kommunalforum.de', town: 'celle', role: 'member' },
  holger: { name: 'Holger Brandes', email: 'h.brandes@gifhorn.demo.kommunalforum.de', town: 'gifhorn', role: 'member' },
  maria: { name: 'Maria Többen', email: 'm.toebben@lingen.demo.kommunalforum.de', town: 'lingen', role: 'member' },
  kai: { name: 'Kai Petersen', email: 'k.petersen@stade.demo.kommunalforum.de', town: 'stade', role: 'member' },
  elif: { name: 'Elif Aydın', email: 'e.aydin@hameln.demo.kommunalforum.de', town: 'hameln', role: 'member' },
  frank: { name: 'Frank Wiechmann', email: 'f.wiechmann@garbsen.demo.kommunalforum.de', town: 'garbsen', role: 'member' },
  anke: { name: 'Anke Oltmanns', email: 'a.oltmanns@edewecht.demo.kommunalforum.de', town: 'edewecht', role: 'member' },
  joerg: { name: 'Jörg Rosebrock', email: 'j.rosebrock@sottrum.demo.kommunalforum.de', town: 'sottrum', role: 'municipality_admin' },
} as const satisfies Record<string, { name: string; email: string; town: Town | null; role: string }>
type Person = keyof typeof people

type Reply = { by: Person; after: number; body: string; solution?: true; helpful?: Person[] }
type DemoThread = {
  forum: 'aufnahme-unterbringung-versorgung' | 'integration' | 'buergerschaftliches-engagement'
  kind: ThreadKind
  by: Person
  daysAgo: number
  title: string
  body: string
  bestPractice?: { situation: string; approach: string; effort: string; contact: string }
  replies: Reply[]
  /** People whose municipality marks the best practice as adopted. */
  adoptedBy?: Person[]
  /** People whose municipality says "betrifft uns auch". */
  concerns?: Person[]
  helpful?: Person[]
}

const A = 'aufnahme-unterbringung-versorgung'
const I = 'integration'
const E = 'buergerschaftliches-engagement'

const threads: DemoThread[] = [
  // ---- Aufnahme, Unterbringung und Versorgung --------------------------------------------------
  {
    forum: A,
    kind: 'question',
    by: 'holger',
    daysAgo: 41,
    title: 'Turnhalle als Notunterkunft: Wer trägt die Kosten für den Hallenboden?',
    body: 'Wir müssen ab nächster Woche die Sporthalle am Schulzentrum mit bis zu 80 Personen belegen. Der Schulträger befürchtet Schäden am Schwingboden.\n\nHat jemand Erfahrung, wie die Kosten einer späteren Sanierung abgerechnet wurden? Haben Sie vorher eine Beweissicherung gemacht?',
    replies: [
      {
        by: 'frank',
        after: 3,
        body: 'Unbedingt **vor** der Belegung eine Beweissicherung mit Fotos und einem Gutachter machen. Wir haben den Boden zusätzlich mit Hartfaserplatten und PVC abgedeckt (ca. 18 €/m²). Die Kosten haben wir als Unterbringungskosten gegenüber dem Landkreis geltend gemacht, das wurde anerkannt.',
        solution: true,
        helpful: ['holger', 'kai', 'anke'],
      },
      { by: 'jana', after: 20, body: 'Bei uns genauso. Wichtig: Die Lüftungsanlage war für Sportbetrieb ausgelegt, nicht für Übernachtung. Lassen Sie das vorher prüfen.', helpful: ['holger'] },
      { by: 'holger', after: 26, body: 'Vielen Dank, das mit der Abdeckung und der Beweissicherung machen wir so. Gutachter ist für Montag bestellt.' },
    ],
    concerns: ['kai', 'christoph'],
  },
  {
    forum: A,
    kind: 'question',
    by: 'max',
    daysAgo: 38,
    title: 'Elektronische Gesundheitskarte für Asylbewerber – schon Erfahrungen?',
    body: 'Bei uns stellt das Sozialamt immer noch jeden Krankenschein einzeln aus. Das bindet zwei Kolleginnen fast vollständig.\n\nHat schon jemand die Gesundheitskarte eingeführt oder plant das? Wie hoch sind die Verwaltungskosten der Krankenkasse?',
    replies: [
      {
        by: 'stefan',
        after: 5,
        body: 'Das Land hat mit mehreren Krankenkassen eine Rahmenvereinbarung geschlossen, der die Kommunen beitreten können. Die Geschäftsstelle sammelt gerade die Erfahrungen der ersten Kommunen. Eine Übersicht der Konditionen schicken wir Ihnen gern zu.',
        solution: true,
        helpful: ['max', 'sabine', 'elif', 'thomas'],
      },
      { by: 'sabine', after: 28, body: 'Wir prüfen das auch. Die Sorge im Rat ist, dass die Kosten unkontrolliert steigen. Gibt es dazu schon Zahlen?' },
      { by: 'elif', after: 50, body: 'In der Verwaltung hat die Karte bei uns spürbar entlastet. Die Leistungsausgaben sind nach dem ersten Quartal nicht gestiegen.', helpful: ['sabine', 'max'] },
    ],
    concerns: ['sabine', 'elif', 'thomas', 'anke'],
  },
  {
    forum: A,
    kind: 'best_practice',
    by: 'frank',
    daysAgo: 36,
    title: 'Modulbauweise statt Container: Wohnanlage für 48 Personen in fünf Monaten',
    body: 'Statt Container zu mieten, haben wir eine Wohnanlage in Holzmodulbauweise errichtet, die später als Sozialwohnungen genutzt wird.',
    bestPractice: {
      situation: 'Container waren kaum noch zu bekommen und teuer zu mieten. Eine dauerhafte Nutzung nach der Erstunterbringung war politisch gewünscht.',
      approach: 'Funktionale Ausschreibung für zwölf Wohneinheiten in Holzmodulbauweise, Bauantrag parallel zur Ausschreibung, Grundstück aus dem eigenen Bestand. Nach fünf Monaten bezugsfertig.',
      effort: 'Rund 2,1 Mio. € für zwölf Wohneinheiten; Förderung aus dem Wohnraumförderprogramm beantragt.',
      contact: 'Frank Wiechmann, Gebäudemanagement Stadt Garbsen',
    },
    replies: [
      { by: 'kai', after: 6, body: 'Wie haben Sie das mit der Baugenehmigung so schnell geschafft? Bei uns dauert allein die Prüfung drei Monate.' },
      { by: 'frank', after: 9, body: 'Wir haben die Sonderregelungen in § 246 BauGB genutzt und die Bauaufsicht von Anfang an in die Planung geholt. Gern schicke ich Ihnen die Ausschreibungsunterlagen.', helpful: ['kai', 'joerg'] },
    ],
    adoptedBy: ['holger', 'joerg'],
    helpful: ['kai', 'holger'],
  },
  {
    forum: A,
    kind: 'discussion',
    by: 'kai',
    daysAgo: 30,
    title: 'Wohnsitzauflage: Was bedeutet das für unsere Planung?',
    body: 'Mit der Wohnsitzauflage sollen anerkannte Flüchtlinge künftig an den Ort der Zuweisung gebunden sein. Für unsere Wohnraumplanung heißt das: Wir brauchen mehr Wohnungen, nicht weniger.\n\nWie bereiten Sie sich darauf vor?',
    replies: [
      { by: 'jana', after: 4, body: 'Wir rechnen damit, dass deutlich weniger Menschen in die Großstädte abwandern. Wir haben deshalb die Anmietung von Wohnungen verlängert, statt sie zum Jahresende zu kündigen.' },
      { by: 'maria', after: 30, body: 'Für uns im ländlichen Raum ist das eine Chance, wenn Arbeit und Wohnraum zusammenpassen. Ohne ÖPNV-Anbindung wird es aber schwierig.', helpful: ['kai'] },
      { by: 'stefan', after: 52, body: 'Die Geschäftsstelle bringt das Thema in die Anhörung zum Ausführungsgesetz ein. Schreiben Sie uns gern Ihre Zahlen, damit wir argumentieren können.' },
    ],
    concerns: ['jana', 'maria', 'holger'],
  },
  {
    forum: A,
    kind: 'question',
    by: 'joerg',
    daysAgo: 27,
    title: 'Dezentrale Wohnungen: Mietverträge direkt oder über die Samtgemeinde?',
    body: 'Wir wollen stärker dezentral unterbringen. Schließen Sie die Mietverträge als Kommune ab und überlassen die Wohnung, oder mieten die Geflüchteten selbst an?',
    replies: [
      {
        by: 'thomas',
        after: 2,
        body: 'Wir mieten als Samtgemeinde an und schließen Nutzungsvereinbarungen. Vorteil: Vermieter haben einen verlässlichen Vertragspartner, das öffnet viele Türen. Nach der Anerkennung übernehmen die Bewohner den Vertrag, wenn der Vermieter zustimmt.',
        solution: true,
        helpful: ['joerg', 'anke'],
      },
      { by: 'anke', after: 23, body: 'Wir machen es genauso. Eine Mustervorlage für die Nutzungsvereinbarung hat uns der Landkreis zur Verfügung gestellt.' },
    ],
  },
  {
    forum: A,
    kind: 'best_practice',
    by: 'jana',
    daysAgo: 25,
    title: 'Hausordnung in acht Sprachen mit Piktogrammen',
    body: 'Unsere Hausordnung für die Gemeinschaftsunterkünfte gibt es jetzt in acht Sprachen, mit Piktogrammen für Mülltrennung, Ruhezeiten und Brandschutz.',
    bestPractice: {
      situation: 'Immer wieder Ärger wegen Müll, Lärm und Kochen in den Zimmern; die Hausordnung auf Deutsch wurde nicht verstanden.',
      approach: 'Kurze Hausordnung (eine Seite) mit Piktogrammen, übersetzt durch unseren Dolmetscherpool, ausgehängt in jedem Flur und beim Einzug gemeinsam besprochen.',
      effort: 'Etwa 1.200 € für Übersetzung und Druck; die Vorlagen geben wir kostenlos weiter.',
      contact: 'Dr. Jana Wolter, Fachdienst Integration, Stadt Celle',
    },
    replies: [
      { by: 'max', after: 5, body: 'Sehr hilfreich, vielen Dank! Dürfen wir die Piktogramme mit unserem Wappen verwenden?' },
      { by: 'jana', after: 7, body: 'Ja, gern. Die offenen Dateien schicke ich Ihnen per Mail.' },
    ],
    adoptedBy: ['max', 'sabine', 'christoph', 'anke'],
    helpful: ['max', 'sabine', 'christoph'],
  },
  {
    forum: A,
    kind: 'question',
    by: 'anke',
    daysAgo: 22,
    title: 'Zuweisungszahlen kurzfristig erhöht – wie informieren Sie den Rat?',
    body: 'Die neue Zuweisung für das nächste Quartal liegt fast doppelt so hoch wie angekündigt. Der Rat tagt erst in sechs Wochen.\n\nInformieren Sie die Fraktionen vorab, und wenn ja, in welcher Form?',
    replies: [
      {
        by: 'christoph',
        after: 3,
        body: 'Ich lade die Fraktionsvorsitzenden bei jeder Änderung kurzfristig zu einem Gespräch ins Rathaus ein und schicke danach eine kurze schriftliche Zusammenfassung. Das hat viel Vertrauen geschaffen.',
        solution: true,
        helpful: ['anke', 'joerg'],
      },
      { by: 'karin', after: 30, body: 'Bei uns gibt es seit dem Herbst einen festen Tagesordnungspunkt „Aktuelle Flüchtlingssituation“ im Verwaltungsausschuss.' },
    ],
    concerns: ['joerg', 'birgit'],
  },
  {
    forum: A,
    kind: 'discussion',
    by: 'thomas',
    daysAgo: 19,
    title: 'Leerstehende Gebäude: Sicherstellung oder Anmietung?',
    body: 'In der Presse wird über die Sicherstellung leerstehender Gebäude diskutiert. Bei uns steht ein ehemaliges Hotel seit Jahren leer, der Eigentümer reagiert nicht.\n\nHat jemand Erfahrungen mit Verhandlungen in solchen Fällen?',
    replies: [
      { by: 'stefan', after: 4, body: 'Rechtlich ist das nur als letztes Mittel denkbar. Nach unserem Überblick hat bisher jede Kommune am Ende eine Anmietung verhandelt. Wir beraten Sie gern.' },
      { by: 'elif', after: 27, body: 'Wir hatten einen ähnlichen Fall. Nach einem Gespräch mit Bürgermeister und Kämmerer kam ein Mietvertrag über drei Jahre zustande.' },
    ],
  },
  {
    forum: A,
    kind: 'question',
    by: 'sabine',
    daysAgo: 16,
    title: 'Erstuntersuchung und Impfungen: Wer organisiert bei Ihnen die Termine?',
    body: 'Das Gesundheitsamt ist völlig überlastet. Bei uns warten Neuankommende teils vier Wochen auf die Erstuntersuchung und die Impfungen.\n\nWie ist das bei Ihnen organisiert?',
    replies: [
      {
        by: 'jana',
        after: 6,
        body: 'Wir haben mit zwei Hausarztpraxen vereinbart, dass sie an festen Nachmittagen Sammeltermine in der Unterkunft anbieten. Das Gesundheitsamt stellt den Impfstoff. Seitdem gibt es keine Wartezeit mehr.',
        solution: true,
        helpful: ['sabine', 'holger', 'max'],
      },
      { by: 'holger', after: 31, body: 'Bei uns übernimmt das ein Team aus pensionierten Ärztinnen und Ärzten ehrenamtlich. Die Haftpflicht läuft über den Landkreis.' },
    ],
    concerns: ['holger', 'kai'],
  },
  {
    forum: A,
    kind: 'question',
    by: 'elif',
    daysAgo: 3,
    title: 'Leichtbauhallen im Winter: Wie halten Sie die Temperatur?',
    body: 'Unsere Leichtbauhalle wird nachts nicht richtig warm, obwohl die Heizgebläse durchlaufen. Hat jemand eine Lösung gefunden, die nicht die Hälfte des Budgets verschlingt?',
    replies: [],
    concerns: ['frank'],
  },
  {
    forum: A,
    kind: 'discussion',
    by: 'karin',
    daysAgo: 12,
    title: 'Sicherheitsdienst für Gemeinschaftsunterkünfte ausschreiben',
    body: 'Wir schreiben den Sicherheitsdienst für zwei Unterkünfte neu aus. Welche Anforderungen haben Sie in die Leistungsbeschreibung aufgenommen (Sachkunde, Sprachkenntnisse, Schulungen)?',
    replies: [
      { by: 'frank', after: 2, body: 'Bei uns Pflicht: Sachkundeprüfung nach § 34a GewO, erweitertes Führungszeugnis, eine Schulung zu interkultureller Kompetenz und mindestens eine Fremdsprache pro Schicht.', helpful: ['karin'] },
      { by: 'kai', after: 20, body: 'Wir haben zusätzlich ein Beschwerdeverfahren für Bewohnerinnen und Bewohner in den Vertrag geschrieben.' },
    ],
  },

  // ---- Integration ---------------------------------------------------------------------------
  {
    forum: I,
    kind: 'question',
    by: 'karin',
    daysAgo: 40,
    title: 'Dolmetscher für Arabisch und Dari kurzfristig gesucht',
    body: 'Für Elterngespräche in Kita und Schule und für Termine im Bürgerbüro brauchen wir dringend Dolmetscher für **Arabisch** und **Dari**. Ehrenamtliche sind ausgelastet.\n\nWie organisieren Sie das, und was zahlen Sie?',
    replies: [
      { by: 'max', after: 2, body: 'Wir greifen auf Studierende der Hochschule zurück, das klappt aber nur in der Vorlesungszeit.' },
      {
        by: 'jana',
        after: 4,
        body: 'Wir haben einen Dolmetscherpool mit Honorarkräften aufgebaut (derzeit 23 Personen, 11 Sprachen). Einsätze werden zentral über eine Telefonnummer vermittelt. Details stehen in unserem Beitrag unter „Gute Praxis“.',
        solution: true,
        helpful: ['karin', 'max', 'maria', 'elif'],
      },
      { by: 'maria', after: 29, body: 'Für kurze Gespräche nutzen wir inzwischen auch Videodolmetschen. Für Elterngespräche würde ich aber immer jemanden vor Ort bevorzugen.' },
    ],
    concerns: ['max', 'maria', 'birgit', 'kai'],
  },
  {
    forum: I,
    kind: 'best_practice',
    by: 'jana',
    daysAgo: 39,
    title: 'Dolmetscherpool mit Honorarordnung und zentraler Vermittlung',
    body: 'Ein Pool von Sprachmittlerinnen und Sprachmittlern auf Honorarbasis, vermittelt über eine zentrale Rufnummer im Fachdienst Integration.',
    bestPractice: {
      situation: 'Schulen, Kitas, Ärzte und die eigene Verwaltung fragten täglich nach Dolmetschern; Ehrenamtliche waren überlastet und oft nicht neutral.',
      approach: 'Aufruf in Migrantenorganisationen und Volkshochschule, Auswahlgespräche, eintägige Schulung zu Rolle und Schweigepflicht, Honorarordnung, Vermittlung über eine Rufnummer mit Einsatzkalender.',
      effort: '25 € pro Stunde plus Fahrtkosten; rund 0,25 Stellen für die Koordination.',
      contact: 'Dr. Jana Wolter, Fachdienst Integration, Stadt Celle',
    },
    replies: [
      { by: 'elif', after: 8, body: 'Wie stellen Sie die Qualität sicher? Gibt es eine Prüfung der Sprachkenntnisse?' },
      { by: 'jana', after: 10, body: 'Keine formale Prüfung, aber ein Probeeinsatz mit Rückmeldung. Wer Schweigepflicht oder Neutralität verletzt, wird nicht mehr vermittelt.', helpful: ['elif'] },
      { by: 'karin', after: 75, body: 'Wir haben den Pool nach Ihrem Vorbild aufgebaut – seit zwei Wochen in Betrieb, 14 Sprachmittlerinnen und Sprachmittler. Danke für die Unterlagen!' },
    ],
    adoptedBy: ['karin', 'elif', 'kai'],
    helpful: ['karin', 'elif', 'kai', 'max'],
  },
  {
    forum: I,
    kind: 'question',
    by: 'sabine',
    daysAgo: 34,
    title: 'Sprachkurse für Frauen mit Kinderbetreuung – wie finanziert?',
    body: 'Viele Frauen können nicht an den Sprachkursen teilnehmen, weil die Kinder noch keinen Kita-Platz haben. Wir würden gern einen Kurs mit paralleler Kinderbetreuung anbieten.\n\nWie finanzieren Sie die Betreuung?',
    replies: [
      {
        by: 'elif',
        after: 5,
        body: 'Wir finanzieren die Kinderbetreuung über die Landesförderung für Sprachkurse und einen Zuschuss aus dem eigenen Haushalt. Die Betreuung machen zwei Tagesmütter in einem Nebenraum der VHS.',
        solution: true,
        helpful: ['sabine', 'thomas'],
      },
      { by: 'thomas', after: 28, body: 'Bei uns betreuen Ehrenamtliche aus dem Helferkreis die Kinder, die Volkshochschule stellt den Raum. Das kostet fast nichts, hängt aber an wenigen Personen.' },
    ],
    concerns: ['thomas', 'birgit'],
  },
  {
    forum: I,
    kind: 'best_practice',
    by: 'elif',
    daysAgo: 33,
    title: 'Erstorientierung an der Volkshochschule vor dem Integrationskurs',
    body: 'Ein kurzer Orientierungskurs an der VHS überbrückt die Wartezeit bis zum Integrationskurs: Alltagssprache, Behördenwege, Verkehr, Schule.',
    bestPractice: {
      situation: 'Wartezeiten von vier bis sechs Monaten bis zum Integrationskurs, viele Asylbewerber hatten keinen Anspruch.',
      approach: 'Zwölf Wochen, viermal pro Woche drei Stunden, offene Anmeldung in den Unterkünften; Module zu Einkaufen, Arztbesuch, Bus und Bahn, Schule und Kita.',
      effort: 'Rund 9.000 € je Kurs (Lehrkraft, Material), teils aus Landesmitteln.',
      contact: 'Elif Aydın, Bildungskoordination, Stadt Hameln',
    },
    replies: [
      { by: 'holger', after: 30, body: 'Wie hoch war die Abbrecherquote? Bei uns kamen nach vier Wochen nur noch die Hälfte.' },
      { by: 'elif', after: 33, body: 'Etwa ein Viertel. Geholfen hat, den Kurs in der Unterkunft selbst anzubieten statt in der Innenstadt.' },
    ],
    adoptedBy: ['sabine', 'holger'],
    helpful: ['sabine', 'holger'],
  },
  {
    forum: I,
    kind: 'question',
    by: 'christoph',
    daysAgo: 29,
    title: 'Kita-Plätze für geflüchtete Kinder: Vorrang oder Warteliste?',
    body: 'Unsere Kitas sind voll. Sollen geflüchtete Kinder bevorzugt aufgenommen werden, damit die Eltern an Sprachkursen teilnehmen können? Im Ortsrat gibt es dazu sehr unterschiedliche Meinungen.',
    replies: [
      { by: 'frank', after: 4, body: 'Wir vergeben nach den normalen Kriterien, haben aber zusätzlich Spielgruppen in den Unterkünften eingerichtet. Das entschärft die Debatte.' },
      { by: 'birgit', after: 22, body: 'Bei uns gibt es eine Überbelegung um einen Platz pro Gruppe, befristet und mit Zustimmung des Landesjugendamts.' },
      { by: 'stefan', after: 48, body: 'Die Frage erreicht uns aus vielen Kommunen. Wir sammeln die Modelle und besprechen das Thema im nächsten Sozialausschuss des Verbandes.' },
    ],
    concerns: ['frank', 'birgit', 'karin', 'anke', 'thomas'],
  },
  {
    forum: I,
    kind: 'discussion',
    by: 'maria',
    daysAgo: 26,
    title: 'Sprachlernklassen: Wartezeiten bis zur Beschulung',
    body: 'Bei uns warten schulpflichtige Kinder teils drei Monate auf einen Platz in einer Sprachlernklasse. Die Schulen sind bemüht, aber es fehlen Lehrkräfte.\n\nWie überbrücken Sie die Zeit?',
    replies: [
      { by: 'sabine', after: 7, body: 'Ehrenamtliche Lernpatenschaften in der Unterkunft, zwei Vormittage pro Woche. Ersetzt keine Schule, aber die Kinder haben Struktur.' },
      { by: 'kai', after: 24, body: 'Wir haben das Thema gemeinsam mit dem Landkreis bei der Landesschulbehörde angesprochen – seitdem gibt es eine zusätzliche Klasse.' },
    ],
    concerns: ['sabine', 'kai'],
  },
  {
    forum: I,
    kind: 'question',
    by: 'max',
    daysAgo: 21,
    title: 'Arbeitsaufnahme in der Nachbarkommune trotz Wohnsitzauflage?',
    body: 'Ein anerkannter Flüchtling hat eine Stelle in Salzgitter in Aussicht, lebt aber bei uns. Muss er umziehen, oder darf er pendeln? Wer ist für die Änderung der Auflage zuständig?',
    replies: [
      {
        by: 'kai',
        after: 3,
        body: 'Pendeln ist kein Problem, die Auflage betrifft nur den Wohnsitz. Für einen Umzug wegen einer sozialversicherungspflichtigen Beschäftigung muss die Auflage auf Antrag aufgehoben werden – zuständig ist die Ausländerbehörde am bisherigen Wohnort.',
        solution: true,
        helpful: ['max', 'maria', 'birgit'],
      },
      { by: 'stefan', after: 26, body: 'Ergänzend: Die Anwendungshinweise des Innenministeriums schicken wir allen Mitgliedern mit dem nächsten Rundschreiben.' },
    ],
  },
  {
    forum: I,
    kind: 'best_practice',
    by: 'sabine',
    daysAgo: 18,
    title: 'Willkommensmappe für Neuzugewanderte',
    body: 'Eine Mappe mit den wichtigsten Adressen, einem Stadtplan mit Behörden, Ärzten und Beratungsstellen, Busfahrplan und Notrufnummern – in Deutsch, Englisch, Arabisch und Farsi.',
    bestPractice: {
      situation: 'Neuzugewanderte kamen mit denselben Fragen immer wieder ins Bürgerbüro.',
      approach: 'Gemeinsam mit dem Helferkreis Inhalte gesammelt, vom Dolmetscherpool übersetzt, bei der Anmeldung im Bürgerbüro ausgehändigt. Aktualisierung zweimal im Jahr.',
      effort: 'Rund 3 € pro Mappe im Druck, einmalig etwa 800 € Übersetzung.',
      contact: 'Sabine Lüders, Integrationsbeauftragte, Hansestadt Uelzen',
    },
    replies: [{ by: 'birgit', after: 6, body: 'Schöne Idee! Haben Sie die Mappe auch als PDF für die Website?' }, { by: 'sabine', after: 9, body: 'Ja, als barrierefreies PDF. Ich stelle es Ihnen gern zur Verfügung.' }],
    adoptedBy: ['birgit', 'joerg', 'max'],
    helpful: ['birgit', 'joerg'],
  },
  {
    forum: I,
    kind: 'discussion',
    by: 'holger',
    daysAgo: 15,
    title: 'Zusammenarbeit mit Jobcenter und Arbeitsagentur beim Arbeitsmarktzugang',
    body: 'Nach der Anerkennung wechseln die Menschen ins Jobcenter, und vieles, was wir aufgebaut haben, bricht ab. Wie organisieren Sie die Übergabe?',
    replies: [
      { by: 'maria', after: 5, body: 'Wir haben eine gemeinsame Fallkonferenz alle zwei Wochen mit Jobcenter, Arbeitsagentur und unseren Integrationslotsen. Das hat viel verbessert.', helpful: ['holger', 'elif'] },
      { by: 'elif', after: 29, body: 'Bei uns gibt es eine schriftliche Übergabe mit Einverständnis der Betroffenen: Sprachstand, Qualifikationen, Kinderbetreuung.' },
    ],
    concerns: ['maria', 'elif'],
  },
  {
    forum: I,
    kind: 'question',
    by: 'birgit',
    daysAgo: 11,
    title: 'Ausländische Fahrerlaubnis: Wie lange gilt sie, und wie läuft die Umschreibung?',
    body: 'Mehrere Bewohner haben Führerscheine aus Syrien und dem Irak. Ehrenamtliche fragen, ob sie damit Fahrdienste übernehmen dürfen.',
    replies: [
      {
        by: 'karin',
        after: 4,
        body: 'Ausländische Fahrerlaubnisse gelten nach Begründung des Wohnsitzes sechs Monate. Danach ist eine Umschreibung nötig, bei diesen Staaten mit theoretischer und praktischer Prüfung. Zuständig ist die Fahrerlaubnisbehörde des Landkreises.',
        solution: true,
        helpful: ['birgit', 'maria'],
      },
      { by: 'maria', after: 28, body: 'Für Fahrdienste im Ehrenamt würde ich außerdem die Versicherung über den Träger klären.' },
    ],
  },
  {
    forum: I,
    kind: 'discussion',
    by: 'stefan',
    daysAgo: 8,
    title: 'Umfrage der Geschäftsstelle: Wo fehlen Integrationskurse?',
    body: 'Liebe Kolleginnen und Kollegen,\n\nwir bereiten ein Gespräch mit dem Bundesamt über das Kursangebot vor. Bitte schreiben Sie hier kurz, **wie lange** bei Ihnen die Wartezeiten sind und **welche Kursarten** fehlen (Frauenkurse, Alphabetisierung, Jugendkurse).',
    replies: [
      { by: 'sabine', after: 2, body: 'Uelzen: vier bis fünf Monate, es fehlen vor allem Alphabetisierungskurse.' },
      { by: 'thomas', after: 5, body: 'Bersenbrück: kein Kursträger in der Samtgemeinde, der nächste Kurs ist 25 km entfernt ohne Busverbindung am Nachmittag.' },
      { by: 'anke', after: 20, body: 'Edewecht: Frauenkurse mit Kinderbetreuung fehlen ganz.' },
      { by: 'kai', after: 26, body: 'Stade: Wartezeit etwa drei Monate; Jugendintegrationskurse fehlen.' },
    ],
    helpful: ['jana', 'elif'],
  },
  {
    forum: I,
    kind: 'question',
    by: 'kai',
    daysAgo: 5,
    title: 'Bescheide verständlich machen: Textbausteine in Leichter Sprache?',
    body: 'Unsere Leistungsbescheide versteht kaum jemand, auch mit Übersetzung nicht. Hat jemand Textbausteine in Leichter oder Einfacher Sprache, die rechtlich geprüft sind?',
    replies: [{ by: 'sabine', after: 26, body: 'Wir haben ein Begleitschreiben in Einfacher Sprache, das den Bescheid erklärt. Der Bescheid selbst bleibt unverändert. Ich frage, ob wir das teilen dürfen.' }],
    concerns: ['sabine', 'max', 'jana'],
  },

  // ---- Bürgerschaftliches Engagement -------------------------------------------------------------
  {
    forum: E,
    kind: 'best_practice',
    by: 'maria',
    daysAgo: 37,
    title: 'Ehrenamtskoordination mit einer halben Stelle und einer Online-Pinnwand',
    body: 'Eine halbe Koordinierungsstelle im Rathaus und eine einfache Online-Pinnwand bringen Hilfsangebote und Bedarfe zusammen.',
    bestPractice: {
      situation: 'Über 300 Menschen wollten helfen, aber niemand wusste, wo Hilfe gebraucht wird. Helferinnen und Helfer waren frustriert.',
      approach: 'Halbe Stelle für die Koordination, wöchentliche Sprechstunde, Online-Pinnwand für Bedarfe (Fahrdienste, Patenschaften, Sachspenden), monatliches Helfertreffen.',
      effort: '0,5 Stellen (EG 9b), Pinnwand kostenfrei; Auslagenerstattung etwa 3.000 € im Jahr.',
      contact: 'Maria Többen, Koordinierungsstelle Ehrenamt, Stadt Lingen (Ems)',
    },
    replies: [
      { by: 'thomas', after: 6, body: 'Wie gehen Sie mit dem Datenschutz auf der Pinnwand um?' },
      { by: 'maria', after: 8, body: 'Auf der Pinnwand stehen nur Bedarfe ohne Namen. Kontakt läuft immer über die Koordinierungsstelle.', helpful: ['thomas', 'christoph'] },
      { by: 'christoph', after: 60, body: 'Haben wir übernommen. Die Helfertreffen sind der eigentliche Gewinn.' },
    ],
    adoptedBy: ['thomas', 'anke', 'christoph', 'frank'],
    helpful: ['thomas', 'anke', 'christoph', 'frank', 'joerg'],
  },
  {
    forum: E,
    kind: 'question',
    by: 'joerg',
    daysAgo: 35,
    title: 'Versicherungsschutz für ehrenamtliche Helferinnen und Helfer',
    body: 'Sind unsere Ehrenamtlichen bei Fahrdiensten und in der Kleiderkammer versichert, wenn sie keinem Verein angehören?',
    replies: [
      {
        by: 'stefan',
        after: 3,
        body: 'Das Land Niedersachsen hat Sammelverträge zur Haftpflicht- und Unfallversicherung für Ehrenamtliche abgeschlossen. Sie greifen nachrangig, also auch für Engagierte ohne Verein. Bei Fahrdiensten gilt zuerst die Kfz-Haftpflicht des Fahrzeughalters.',
        solution: true,
        helpful: ['joerg', 'maria', 'anke', 'birgit'],
      },
      { by: 'maria', after: 24, body: 'Wir haben zusätzlich eine Dienstreise-Kaskoversicherung für private Pkw im Ehrenamt abgeschlossen.' },
    ],
    concerns: ['anke', 'birgit'],
  },
  {
    forum: E,
    kind: 'discussion',
    by: 'christoph',
    daysAgo: 24,
    title: 'Helferkreise sind erschöpft – wie halten Sie die Motivation?',
    body: 'Nach über einem Jahr sind viele unserer Ehrenamtlichen müde. Manche ziehen sich ganz zurück. Was tun Sie, um die Helferkreise zu entlasten?',
    replies: [
      { by: 'karin', after: 4, body: 'Klare Aufgaben mit Ende statt „immer erreichbar“. Und ein ehrlicher Dank vom Bürgermeister, persönlich.', helpful: ['christoph', 'thomas'] },
      { by: 'thomas', after: 9, body: 'Supervision für Helferinnen und Helfer, die belastende Geschichten hören. Das bietet bei uns die Diakonie an.' },
      { by: 'maria', after: 30, body: 'Hauptamtliche müssen übernehmen, was keine ehrenamtliche Aufgabe ist: Behördengänge, Wohnungssuche. Sonst brennen die Leute aus.', helpful: ['christoph', 'karin', 'stefan'] },
      { by: 'stefan', after: 50, body: 'Das Thema Überlastung des Ehrenamts kommt aus vielen Kommunen. Wir nehmen es in die Gespräche mit dem Land auf.' },
    ],
    concerns: ['karin', 'thomas', 'maria', 'sabine', 'joerg', 'elif'],
  },
  {
    forum: E,
    kind: 'best_practice',
    by: 'thomas',
    daysAgo: 20,
    title: 'Patenschaftsprogramm „Nachbarn für Nachbarn“',
    body: 'Patinnen und Paten begleiten eine Familie sechs Monate lang im Alltag. Das Programm läuft über die Samtgemeinde mit einer Vereinbarung und festen Ansprechpartnern.',
    bestPractice: {
      situation: 'Viele wollten helfen, aber nicht jeden Tag; Familien brauchten verlässliche Ansprechpartner.',
      approach: 'Patenschaftsvereinbarung über sechs Monate, Kennenlerntreffen in der Unterkunft, ein Abend zur Vorbereitung, monatlicher Stammtisch der Patinnen und Paten.',
      effort: 'Etwa zwei Stunden Koordination pro Woche, 500 € Budget für Treffen.',
      contact: 'Thomas Kemper, Fachdienst Soziales, Samtgemeinde Bersenbrück',
    },
    replies: [{ by: 'joerg', after: 10, body: 'Wie finden Sie die Paten? Bei uns melden sich vor allem Rentnerinnen und Rentner.' }, { by: 'thomas', after: 14, body: 'Über Kirchengemeinden, Sportvereine und die Lokalzeitung. Berufstätige gewinnen wir mit Patenschaften für Wochenenden.' }],
    adoptedBy: ['joerg', 'birgit'],
    helpful: ['joerg'],
  },
  {
    forum: E,
    kind: 'question',
    by: 'max',
    daysAgo: 17,
    title: 'Kleiderkammer: Räume, Hygiene und Öffnungszeiten',
    body: 'Unsere Kleiderkammer läuft in einem Kellerraum, der nicht mehr ausreicht. Wie sind Ihre Kleiderkammern organisiert, und wer kontrolliert die Hygiene?',
    replies: [
      {
        by: 'elif',
        after: 4,
        body: 'Wir haben eine Kleiderkammer im Erdgeschoss einer leerstehenden Schule, geöffnet zweimal pro Woche. Angenommen wird nur gewaschene Kleidung nach Bedarfsliste; der Rest geht an die Altkleidersammlung.',
        solution: true,
        helpful: ['max', 'kai'],
      },
      { by: 'jana', after: 26, body: 'Bei uns ist die Kleiderkammer in den Sozialkaufhaus-Verein übergegangen. Das entlastet die Verwaltung.' },
    ],
  },
  {
    forum: E,
    kind: 'discussion',
    by: 'anke',
    daysAgo: 13,
    title: 'Fahrradwerkstatt mit Geflüchteten – Haftung bei verkehrsunsicheren Rädern?',
    body: 'Ehrenamtliche reparieren gespendete Räder und geben sie an Geflüchtete weiter. Nun fragt der Helferkreis, wer haftet, wenn ein Rad nicht verkehrssicher ist.',
    replies: [
      { by: 'frank', after: 6, body: 'Wir lassen jedes Rad nach einer Checkliste prüfen und abzeichnen. Dazu gibt es eine kurze Einweisung in die Verkehrsregeln.' },
      { by: 'joerg', after: 28, body: 'Die Räder werden bei uns verschenkt, nicht verkauft, mit einem schriftlichen Hinweis auf den Zustand. Das hat uns die Versicherung empfohlen.' },
    ],
    concerns: ['frank'],
  },
  {
    forum: E,
    kind: 'question',
    by: 'frank',
    daysAgo: 10,
    title: 'Führungszeugnis für Ehrenamtliche in der Kinderbetreuung – verlangen Sie das?',
    body: 'Ehrenamtliche betreuen Kinder während der Sprachkurse der Eltern. Verlangen Sie ein erweitertes Führungszeugnis, und wer trägt die Gebühr?',
    replies: [
      {
        by: 'maria',
        after: 2,
        body: 'Ja, bei regelmäßigem Kontakt zu Kindern immer. Für Ehrenamtliche ist das Führungszeugnis mit einer Bestätigung der Kommune gebührenfrei. Die Bestätigung stellen wir aus.',
        solution: true,
        helpful: ['frank', 'karin', 'birgit'],
      },
      { by: 'karin', after: 22, body: 'Wir machen es genauso und dokumentieren nur die Einsichtnahme, nicht das Zeugnis selbst.' },
    ],
  },
  {
    forum: E,
    kind: 'best_practice',
    by: 'karin',
    daysAgo: 9,
    title: 'Ehrenamtsfrühstück: Dank und Austausch einmal im Quartal',
    body: 'Einmal im Quartal lädt der Bürgermeister alle Ehrenamtlichen in der Flüchtlingshilfe zum Frühstück ins Rathaus ein.',
    bestPractice: {
      situation: 'Ehrenamtliche fühlten sich von der Verwaltung allein gelassen.',
      approach: 'Frühstück im Ratssaal, kurzer Bericht der Verwaltung zur Lage, danach offene Runde mit Fragen. Protokoll geht an alle Helferkreise.',
      effort: 'Rund 400 € je Frühstück.',
      contact: 'Karin Kontakt, Leitung Hauptamt, Stadt Wolfenbüttel',
    },
    replies: [{ by: 'sabine', after: 20, body: 'Haben wir im Dezember erstmals gemacht – sehr gute Stimmung, danke für die Anregung!' }],
    adoptedBy: ['sabine'],
    helpful: ['sabine'],
  },
  {
    forum: E,
    kind: 'discussion',
    by: 'kai',
    daysAgo: 6,
    title: 'Sachspenden, die niemand braucht: Wohin damit?',
    body: 'Unser Lager ist voll mit Wintermänteln in Übergrößen, Geschirr und Spielzeug. Gleichzeitig fehlen Bettwäsche und Schuhe in kleinen Größen. Wie steuern Sie die Spendenbereitschaft?',
    replies: [
      { by: 'elif', after: 3, body: 'Wir veröffentlichen jede Woche eine Bedarfsliste in der Zeitung und auf der Website. Was nicht auf der Liste steht, nehmen wir nicht an.', helpful: ['kai', 'max'] },
      { by: 'max', after: 8, body: 'Überschüsse geben wir an andere Kommunen weiter. Vielleicht lohnt sich hier im Forum eine Tauschbörse?' },
    ],
    concerns: ['max', 'elif'],
  },
  {
    forum: E,
    kind: 'question',
    by: 'birgit',
    daysAgo: 2,
    title: 'Aufwandsentschädigung für Sprachpaten: steuerfrei?',
    body: 'Wir möchten unseren Sprachpatinnen und Sprachpaten eine kleine Aufwandsentschädigung zahlen. Bis zu welcher Höhe ist das steuerfrei, und müssen wir etwas melden?',
    replies: [
      {
        by: 'stefan',
        after: 4,
        body: 'Für eine nebenberufliche Tätigkeit im gemeinnützigen Bereich gilt die Ehrenamtspauschale von 720 € im Jahr. Für Sprachunterricht kann auch die Übungsleiterpauschale von 2.400 € in Betracht kommen. Bitte stimmen Sie sich mit Ihrer Kämmerei ab.',
        solution: true,
        helpful: ['birgit', 'thomas'],
      },
    ],
  },
]

export const demoForumSize = { threads: threads.length }

const externalId = {
  municipality: (key: Town) => `demo-m-${key}`,
  person: (key: Person) => `demo-u-${key}`,
  thread: (index: number) => `demo-t-${index + 1}`,
  post: (thread: number, reply: number) => `demo-p-${thread + 1}-${reply + 1}`,
}

/** The demo forum as interchange lines, dated relative to `now`. */
export function demoForumLines(now: Date): string[] {
  const lines: Record<string, unknown>[] = []
  for (const [key, m] of Object.entries(municipalities) as [Town, (typeof municipalities)[Town]][]) {
    lines.push({ type: 'municipality', id: externalId.municipality(key), name: m.name, kind: m.kind, district: m.district, ...(m.ags ? { ags: m.ags } : {}) })
  }
  for (const [key, p] of Object.entries(people) as [Person, (typeof people)[Person]][]) {
    lines.push({ type: 'user', id: externalId.person(key), ...(p.town ? { municipality: externalId.municipality(p.town) } : {}), name: p.name, email: p.email, role: p.role })
  }
  const openedAt = (t: DemoThread, i: number) => now.getTime() - t.daysAgo * DAY + ((i * 7) % 9) * HOUR - 6 * HOUR
  for (const [i, t] of threads.entries()) {
    lines.push({
      type: 'thread',
      id: externalId.thread(i),
      forum: t.forum,
      author: externalId.person(t.by),
      title: t.title,
      body: t.body,
      kind: t.kind,
      created_at: new Date(openedAt(t, i)).toISOString(),
      ...t.bestPractice,
    })
  }
  for (const [i, t] of threads.entries()) {
    for (const [j, r] of t.replies.entries()) {
      // Never in the future: the newest threads' replies arrive at most up to the seeding moment.
      const at = Math.min(openedAt(t, i) + r.after * HOUR, now.getTime() - (t.replies.length - j) * 7 * 60_000)
      lines.push({
        type: 'post',
        id: externalId.post(i, j),
        thread: externalId.thread(i),
        author: externalId.person(r.by),
        body: r.body,
        created_at: new Date(at).toISOString(),
        ...(r.solution ? { solution: true } : {}),
      })
    }
  }
  return lines.map((l) => JSON.stringify(l))
}

/**
 * Seeds the demo forum after the demo accounts exist (their municipalities and addresses are matched,
 * not duplicated). Throws if a line is refused: the demo data must be complete.
 */
export async function seedDemoForum(db: Kysely<Database>, now: Date): Promise<void> {
  const problems: string[] = []
  await importInterchange(db, demoForumLines(now), now, (p) => problems.push(`Zeile ${p.line}: ${p.reason}`))
  if (problems.length > 0) throw new Error(`Demo-Forum unvollständig:\n${problems.join('\n')}`)

  const ids = async (table: 'municipalities' | 'users' | 'threads' | 'posts', prefix: string) => {
    const rows = await db.selectFrom(table).select(['id', 'external_id']).where('external_id', 'like', `${prefix}%`).execute()
    return new Map(rows.map((r) => [r.external_id!, r.id]))
  }
  const userIds = await ids('users', 'demo-u-')
  const threadIds = await ids('threads', 'demo-t-')
  const postIds = await ids('posts', 'demo-p-')
  const townIds = await ids('municipalities', 'demo-m-')
  const townOf = (p: Person) => {
    const town = people[p].town
    if (!town) throw new Error(`${p} gehört zu keiner Kommune`)
    return townIds.get(externalId.municipality(town))!
  }
  const userOf = (p: Person) => userIds.get(externalId.person(p))!
  const at = (t: DemoThread, hours: number) => new Date(Math.min(now.getTime() - t.daysAgo * DAY + hours * HOUR, now.getTime() - 60_000))

  const adoptions: Insertable<MunicipalityMarksTable>[] = []
  const concerns: Insertable<MunicipalityMarksTable>[] = []
  const reactions: Insertable<PostReactionsTable>[] = []
  for (const [i, t] of threads.entries()) {
    const threadId = threadIds.get(externalId.thread(i))!
    const opening = await db.selectFrom('posts').select('id').where('thread_id', '=', threadId).where('position', '=', 1).executeTakeFirstOrThrow()
    for (const [k, p] of (t.adoptedBy ?? []).entries()) {
      adoptions.push({ thread_id: threadId, municipality_id: townOf(p), user_id: userOf(p), created_at: at(t, 24 * (k + 1)) })
    }
    for (const [k, p] of (t.concerns ?? []).entries()) {
      concerns.push({ thread_id: threadId, municipality_id: townOf(p), user_id: userOf(p), created_at: at(t, 2 + 5 * k) })
    }
    for (const [k, p] of (t.helpful ?? []).entries()) {
      reactions.push({ post_id: opening.id, user_id: userOf(p), created_at: at(t, 1 + 3 * k) })
    }
    for (const [j, r] of t.replies.entries()) {
      for (const [k, p] of (r.helpful ?? []).entries()) {
        reactions.push({ post_id: postIds.get(externalId.post(i, j))!, user_id: userOf(p), created_at: at(t, r.after + 1 + 2 * k) })
      }
    }
  }
  if (adoptions.length) await db.insertInto('adoptions').values(adoptions).onConflict((oc) => oc.doNothing()).execute()
  if (concerns.length) await db.insertInto('thread_concerns').values(concerns).onConflict((oc) => oc.doNothing()).execute()
  if (reactions.length) await db.insertInto('post_reactions').values(reactions).onConflict((oc) => oc.doNothing()).execute()
}
