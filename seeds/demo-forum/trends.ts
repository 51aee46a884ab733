import { A, type DemoThread, E, I } from './cast.ts'

// Two themes that break out in the last days before the seeding, so the staff dashboard of a fresh
// demo shows live trends: problems with the new payment card for refugees ("Bezahlkarte", a sharp
// burst over six days) and measles in shared accommodation ("Masern", over six days). Both words are
// absent from the older threads (the baseline), and each is carried by several threads, so no single
// lively conversation makes the trend.

/** What the dashboard should show for the planted themes (the test checks these as floors). */
export const plantedTrends = [
  { word: 'Bezahlkarte', municipalities: 8, districts: 5 },
  { word: 'Masern', municipalities: 6, districts: 4 },
] as const

export const trendThreads: DemoThread[] = [
  // ---- Bezahlkarte ------------------------------------------------------------------------------
  {
    forum: A,
    kind: 'question',
    by: 'ulrike',
    daysAgo: 6,
    title: 'Bezahlkarte: Bargeld nur 50 € im Monat – Beschwerden häufen sich',
    body: 'Seit dem Start der Bezahlkarte bei uns vor drei Wochen stehen täglich Leistungsberechtigte im Sozialamt, weil 50 € Bargeld im Monat nicht reichen: Flohmarkt, Schulkiosk, Friseur, der kleine Laden im Dorf nehmen keine Karte.\n\nHeben Sie die Bargeldgrenze in Einzelfällen an? Und wie dokumentieren Sie das?',
    replies: [
      {
        by: 'nadine',
        after: 5,
        body: 'Wir heben die Grenze bei der Bezahlkarte auf Antrag an, z. B. für Familien mit Schulkindern auf 100 €. Ein Vermerk in der Akte mit kurzer Begründung genügt uns. Wichtig ist, dass alle Sachbearbeiterinnen nach denselben Kriterien entscheiden – wir haben dafür eine interne Checkliste.',
        solution: true,
        helpful: ['ulrike', 'henrik', 'petra', 'holger'],
      },
      { by: 'henrik', after: 28, body: 'Bei uns dasselbe Bild. Die Bezahlkarte spart Barauszahlungen, aber der Beratungsaufwand ist gestiegen. Die Checkliste würde ich mir gern ansehen.' },
      { by: 'petra', after: 31, body: 'Wir haben mit der Bezahlkarte vor allem Probleme bei Kleinbeträgen: Die Tafel und die Kleiderkammer arbeiten nur mit Bargeld. Inzwischen haben wir der Tafel ein Kartenlesegerät finanziert.', helpful: ['ulrike'] },
      { by: 'holger', after: 50, body: 'Gifhorn: Anhebung der Bargeldgrenze der Bezahlkarte nur mit Nachweis. Das führt zu vielen Nachfragen, aber wir wollen Gleichbehandlung.' },
      { by: 'stefan', after: 53, body: 'Die Geschäftsstelle hört das aus vielen Kommunen. Bitte schreiben Sie uns, wie oft Sie die Grenze der Bezahlkarte anheben – wir sprechen das Thema in der nächsten Runde mit dem Sozialministerium an.' },
    ],
    concerns: ['henrik', 'petra', 'holger', 'monika', 'kai'],
    helpful: ['henrik', 'petra'],
  },
  {
    forum: A,
    kind: 'discussion',
    by: 'henrik',
    daysAgo: 5,
    title: 'Bezahlkarte wird an vielen Kassen abgelehnt',
    body: 'In den letzten Tagen melden uns Bewohner und Ehrenamtliche, dass die Bezahlkarte in Supermärkten, Apotheken und an Tankstellen abgelehnt wird, obwohl dort sonst jede Debitkarte geht. Manche Händler kennen die Karte schlicht nicht.\n\nGeht es Ihnen genauso? Hat jemand den Handel vor Ort informiert?',
    replies: [
      { by: 'monika', after: 3, body: 'Ja, genau das. Bei uns lag es an einer Händlerkategorie, die der Kartenanbieter gesperrt hatte. Nach unserer Meldung an den Anbieter funktioniert die Bezahlkarte in zwei Apotheken wieder.', helpful: ['henrik', 'hinrich'] },
      { by: 'hinrich', after: 26, body: 'Wir haben einen Brief an Einzelhandel und Werbegemeinschaft geschickt: was die Bezahlkarte ist, dass sie wie eine normale Debitkarte angenommen werden kann, und eine Telefonnummer für Rückfragen.' },
      { by: 'kai', after: 30, body: 'Stade: Auch der Wochenmarkt nimmt die Bezahlkarte nicht. Für Obst und Gemüse fahren die Familien jetzt in den Discounter.' },
      { by: 'stephan', after: 49, body: 'Bei uns wurde die Bezahlkarte an der Kasse abgelehnt, weil das Guthaben erst am Monatsersten gebucht war. Die Leute standen mit vollem Wagen an der Kasse – sehr unangenehm. Wir weisen jetzt beim Ausgeben der Karte auf den Buchungstermin hin.' },
      { by: 'jana', after: 74, body: 'Celle: Wir sammeln die Ablehnungen mit Ort und Datum und melden sie gebündelt an den Anbieter der Bezahlkarte. Seitdem kommt auch eine Antwort.', helpful: ['henrik', 'stephan', 'monika'] },
      { by: 'henrik', after: 77, body: 'Gute Idee mit der Sammelmeldung, das übernehmen wir.' },
    ],
    concerns: ['monika', 'hinrich', 'kai', 'stephan', 'jana', 'aylin'],
  },
  {
    forum: E,
    kind: 'question',
    by: 'petra',
    daysAgo: 4,
    title: 'Vereinsbeiträge und Schulausflüge mit der Bezahlkarte bezahlen?',
    body: 'Der Sportverein fragt, wie Kinder mit Bezahlkarte ihren Mitgliedsbeitrag zahlen sollen. Lastschrift und Überweisung sind mit der Karte gesperrt, und die Schule sammelt das Geld für Ausflüge bar ein.\n\nWie lösen Sie das mit Vereinen und Schulen?',
    replies: [
      {
        by: 'joerg',
        after: 6,
        body: 'Wir haben die Vereine gebeten, uns ihre IBAN zu geben; die Samtgemeinde schaltet sie als Empfänger für die Bezahlkarte frei. Für Beiträge aus dem Bildungs- und Teilhabepaket zahlen wir ohnehin direkt an den Verein.',
        solution: true,
        helpful: ['petra', 'svenja', 'bernd'],
      },
      { by: 'svenja', after: 27, body: 'Buxtehude: Bei uns übernimmt der Förderverein der Schule die Ausflugskosten vorab, die Familien erstatten mit der Bezahlkarte im Schulsekretariat, das ein Kartenterminal hat.' },
      { by: 'bernd', after: 52, body: 'Die Freischaltung einzelner Empfänger für die Bezahlkarte dauert bei uns leider zwei Wochen. Für die Vereine ist das zu lang.' },
      { by: 'maria', after: 55, body: 'Lingen: Unsere Ehrenamtskoordination hat eine Liste der Vereine erstellt, die schon freigeschaltet sind. So müssen die Familien nicht jedes Mal im Amt nachfragen, ob die Bezahlkarte dort geht.' },
    ],
    concerns: ['svenja', 'bernd', 'maria'],
  },
  {
    forum: I,
    kind: 'discussion',
    by: 'aylin',
    daysAgo: 3,
    title: 'Bezahlkarte: Fahrkarten und Lehrbücher für den Sprachkurs online kaufen',
    body: 'Teilnehmende im Integrationskurs können mit der Bezahlkarte kein Deutschlandticket im Abo abschließen und keine Lehrbücher im Onlinehandel bestellen. Manche kommen deshalb nicht mehr regelmäßig zum Kurs.\n\nGibt es bei Ihnen schon eine Lösung mit dem Verkehrsverbund oder dem Kursträger?',
    replies: [
      { by: 'lea', after: 4, body: 'Göttingen: Der Kursträger bestellt die Lehrbücher gesammelt, die Teilnehmenden bezahlen mit der Bezahlkarte am Terminal der VHS.', helpful: ['aylin', 'gesa'] },
      { by: 'elif', after: 22, body: 'Hameln: Für das Deutschlandticket haben wir erreicht, dass der Verkehrsbetrieb Zahlungen mit der Bezahlkarte im Kundenzentrum annimmt – nur das Abo online geht weiterhin nicht.' },
      { by: 'gesa', after: 27, body: 'Bei uns bleibt es schwierig. Die Bezahlkarte ist für Onlinekäufe bei vielen Händlern gesperrt, und eine Freigabe gibt es nur einzeln.' },
    ],
    concerns: ['lea', 'elif', 'gesa', 'christoph'],
  },
  {
    forum: A,
    kind: 'best_practice',
    by: 'nadine',
    daysAgo: 2,
    title: 'Merkblatt zur Bezahlkarte in sechs Sprachen und eine Sprechstunde im Sozialamt',
    body: 'Ein Merkblatt auf einer Seite und eine feste Sprechstunde beantworten die meisten Fragen zur Bezahlkarte, bevor sie zu Beschwerden werden.',
    bestPractice: {
      situation: 'Nach der Einführung der Bezahlkarte kamen täglich dieselben Fragen: Wo geht die Karte, wie viel Bargeld gibt es, wie sehe ich mein Guthaben, was tun bei Verlust.',
      approach: 'Merkblatt mit Piktogrammen in Deutsch, Arabisch, Dari, Türkisch, Ukrainisch und Russisch, beim Ausgeben der Karte gemeinsam durchgesprochen; dienstags eine offene Sprechstunde mit Dolmetscherin; Liste der Geschäfte, die die Karte annehmen, auf der Website.',
      effort: 'Etwa 600 € für Übersetzungen, zwei Stunden Sprechstunde pro Woche.',
      contact: 'Nadine Vogt, Fachbereich Soziales, Stadt Hildesheim',
    },
    replies: [
      { by: 'olaf', after: 4, body: 'Sehr gut. Dürfen wir das Merkblatt zur Bezahlkarte für Cuxhaven anpassen? Die Regeln des Landkreises sind bei uns etwas anders.' },
      { by: 'nadine', after: 6, body: 'Ja, gern, ich schicke die offenen Dateien.' },
      { by: 'claudia', after: 26, body: 'Einbeck: Wir haben das Merkblatt übernommen und um die Sperrhotline für die Bezahlkarte ergänzt.' },
    ],
    adoptedBy: ['olaf', 'claudia', 'ulrike'],
    helpful: ['olaf', 'claudia', 'ulrike', 'henrik'],
  },
  {
    forum: A,
    kind: 'question',
    by: 'monika',
    daysAgo: 1,
    title: 'Überweisungen mit der Bezahlkarte: Wer pflegt die Liste der freigegebenen Empfänger?',
    body: 'Für Handyverträge, Anwälte und Vereinsbeiträge müssen wir einzelne Empfänger für Überweisungen von der Bezahlkarte freigeben. Bei uns landet das bei der Sachbearbeitung, die damit völlig überlastet ist.\n\nWer pflegt bei Ihnen diese Liste, und nach welchen Kriterien?',
    replies: [],
    concerns: ['petra', 'joerg'],
  },

  // ---- Masern ---------------------------------------------------------------------------------
  {
    forum: A,
    kind: 'question',
    by: 'bernd',
    daysAgo: 6,
    title: 'Masern in der Gemeinschaftsunterkunft – wer ordnet was an?',
    body: 'In einer unserer Unterkünfte gibt es zwei bestätigte Fälle von Masern. Das Gesundheitsamt ist informiert, aber bei uns stellt sich jetzt die Frage: Wer darf die Bewohner am Verlassen der Unterkunft hindern, wer versorgt die Familien in Quarantäne, und wer informiert die Schulen?',
    replies: [
      {
        by: 'lea',
        after: 3,
        body: 'Anordnungen trifft allein das Gesundheitsamt nach dem Infektionsschutzgesetz. Die Kommune organisiert die Versorgung: Wir haben bei Masern in der Unterkunft Lebensmittel über den Caterer liefern lassen und das Reinigungsintervall erhöht. Schulen und Kitas informiert das Gesundheitsamt.',
        solution: true,
        helpful: ['bernd', 'claudia', 'sabine'],
      },
      { by: 'claudia', after: 27, body: 'Bei uns in Einbeck gibt es seit gestern ebenfalls einen Verdachtsfall auf Masern. Ich verfolge das hier mit.' },
      { by: 'sabine', after: 48, body: 'Uelzen: Wichtig war bei uns, dass das Wachpersonal wusste, wer geimpft ist. Wir haben Masern-Impfungen für das Personal vorgezogen.', helpful: ['bernd'] },
      { by: 'stefan', after: 52, body: 'Die Geschäftsstelle hat beim Landesgesundheitsamt nachgefragt, ob es eine Handreichung zu Masern in Unterkünften gibt. Wir melden uns.' },
      { by: 'bernd', after: 75, body: 'Kurzer Stand: Inzwischen sind es fünf Fälle von Masern, alle in zwei Fluren. Das Gesundheitsamt impft morgen alle Kontaktpersonen ohne Nachweis.' },
      { by: 'claudia', after: 98, body: 'Bei uns hat sich der Verdacht auf Masern leider bestätigt. Ihre Hinweise zur Versorgung haben sehr geholfen.' },
    ],
    concerns: ['claudia', 'sabine', 'lea'],
  },
  {
    forum: I,
    kind: 'question',
    by: 'svenja',
    daysAgo: 5,
    title: 'Masernschutz: Kinder ohne Impfnachweis dürfen nicht in die Kita',
    body: 'Mehrere geflüchtete Kinder haben endlich einen Kita-Platz, dürfen aber nicht anfangen, weil der Nachweis über den Schutz gegen Masern fehlt. Die Impfpässe sind verloren oder nicht lesbar.\n\nWie bekommen Sie die Kinder schnell geimpft?',
    replies: [
      {
        by: 'christoph',
        after: 5,
        body: 'Wir haben eine Kinderärztin gewonnen, die einmal pro Woche in der Unterkunft impft. Ohne Nachweis gilt das Kind als ungeimpft und bekommt die Impfung gegen Masern nach den Empfehlungen der STIKO; der Kita-Start klappt dann meist innerhalb von zwei Wochen.',
        solution: true,
        helpful: ['svenja', 'max', 'anke'],
      },
      { by: 'max', after: 24, body: 'Peine: Wir haben dasselbe Problem mit den Schulen. Die Nachweispflicht gegen Masern gilt dort ja auch, nur wird sie weniger streng gehandhabt.' },
      { by: 'anke', after: 50, body: 'Bei uns impft das Gesundheitsamt gegen Masern einmal im Monat in der Gemeinde. Die Termine sind aber schnell voll.' },
      { by: 'elif', after: 74, body: 'Hameln: Titerbestimmung nur, wenn die Familie das ausdrücklich möchte. Sonst impfen gegen Masern, das ist schneller und unbedenklich.' },
    ],
    concerns: ['max', 'anke', 'elif', 'aylin'],
  },
  {
    forum: I,
    kind: 'discussion',
    by: 'olaf',
    daysAgo: 4,
    title: 'Impfaktion gegen Masern in der Unterkunft: Dolmetscher und Aufklärung',
    body: 'Nach den Fällen von Masern im Landkreis planen wir eine Impfaktion in zwei Unterkünften. Die Ärztinnen fragen nach Aufklärungsbögen in den Herkunftssprachen und nach Dolmetschern vor Ort.\n\nWelche Erfahrungen haben Sie mit der Bereitschaft zur Impfung gemacht?',
    replies: [
      { by: 'kai', after: 5, body: 'Stade: Die Aufklärungsbögen zu Masern gibt es beim Robert Koch-Institut in vielen Sprachen. Entscheidend war bei uns ein Gespräch mit den Eltern vorab, mit Dolmetscherin.', helpful: ['olaf', 'hinrich'] },
      { by: 'jana', after: 25, body: 'Wir haben unseren Dolmetscherpool für die Impfaktion gegen Masern eingesetzt. Die Bereitschaft war hoch, sobald die Fragen in der eigenen Sprache beantwortet waren.' },
      { by: 'hinrich', after: 30, body: 'Leer: Wir planen nach den ersten Masern in der Stadt ebenfalls eine Aktion. Wie viele Personen haben Sie an einem Nachmittag geschafft?' },
      { by: 'olaf', after: 32, body: 'Angepeilt sind 60 Personen mit zwei Ärztinnen. Ich berichte danach.' },
      { by: 'olaf', after: 72, body: 'Bericht: 54 Personen gegen Masern geimpft, davon 21 Kinder. Die Dolmetscherinnen waren der Schlüssel.' },
    ],
    concerns: ['kai', 'jana', 'hinrich'],
  },
  {
    forum: A,
    kind: 'question',
    by: 'stephan',
    daysAgo: 2,
    title: 'Quarantäne wegen Masern: Wer zahlt Verpflegung und Sicherheitsdienst?',
    body: 'Das Gesundheitsamt hat für einen Teil unserer Unterkunft wegen Masern eine Quarantäne angeordnet. Wir liefern Essen, haben den Sicherheitsdienst aufgestockt und eine zusätzliche Reinigung beauftragt.\n\nBekommen Sie diese Kosten vom Land oder vom Landkreis erstattet?',
    replies: [
      {
        by: 'petra',
        after: 3,
        body: 'Wir haben die Mehrkosten für die Quarantäne wegen Masern beim Landkreis als Unterbringungskosten angemeldet. Die Verpflegung wurde anerkannt, der Sicherheitsdienst bisher nicht. Dokumentieren Sie die Anordnung des Gesundheitsamts und jede Rechnung einzeln.',
        solution: true,
        helpful: ['stephan', 'monika'],
      },
      { by: 'monika', after: 20, body: 'Cloppenburg: Auch bei uns gibt es seit dieser Woche Masern in einer Unterkunft. Ich hänge mich an die Frage an.' },
      { by: 'nadine', after: 26, body: 'Hildesheim: Für die Zeit der Masern-Quarantäne hat das Land bei uns nur die Verpflegung übernommen. Den Rest tragen wir.' },
      { by: 'stefan', after: 30, body: 'Die Geschäftsstelle klärt die Erstattung von Kosten bei Masern in Unterkünften mit dem Innenministerium.' },
    ],
    concerns: ['petra', 'monika', 'nadine', 'bernd'],
  },
  {
    forum: E,
    kind: 'discussion',
    by: 'gesa',
    daysAgo: 3,
    title: 'Ehrenamtliche nach Kontakt mit Masern: Wer muss den Impfschutz nachweisen?',
    body: 'Nach einem Fall von Masern in unserer Unterkunft fragt der Helferkreis, ob Ehrenamtliche weiter in die Hausaufgabenhilfe kommen dürfen. Einige sind über 60 und wissen nicht, ob sie geimpft sind.\n\nWie gehen Sie damit um?',
    replies: [
      { by: 'ralf', after: 6, body: 'Sarstedt: Wer nach 1970 geboren ist und keinen Nachweis über den Schutz gegen Masern hat, pausiert bei uns bis zur Impfung. Ältere gelten als immun, das hat uns das Gesundheitsamt bestätigt.', helpful: ['gesa', 'aylin'] },
      { by: 'aylin', after: 23, body: 'Laatzen: Wir haben den Ehrenamtlichen einen Impftermin beim Betriebsarzt der Stadt angeboten. Fast alle haben das angenommen, auch gegen Masern.' },
      { by: 'joerg', after: 29, body: 'Bei uns ist die Hausaufgabenhilfe für zwei Wochen in das Gemeindehaus umgezogen, bis das Gesundheitsamt die Masern für beendet erklärt hat.' },
      { by: 'lea', after: 50, body: 'Göttingen: Wir haben den Helferkreis gebeten, die Impfpässe zu prüfen, bevor die nächste Welle von Masern kommt. Viele waren überrascht, dass ihnen eine Impfung fehlt.' },
    ],
    concerns: ['ralf', 'aylin', 'joerg'],
  },
]
