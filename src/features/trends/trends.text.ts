import snowball from 'snowball-stemmers'

// German words of a post as stems for trend detection. Stems come from the Snowball German stemmer in
// JavaScript, so the embedded database and the Postgres server count exactly alike.

const stemmer = snowball.newStemmer('german')

/** Function words (Snowball's German list and a few more) that never carry a topic. */
const STOP_WORDS = `aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anderm
andern anderr anders auch auf aus bei beim bin bis bist da damit dann das dass daß dasselbe dazu dein deine deinem deinen
deiner deines dem demselben den denn denselben der derer derselbe derselben des desselben dessen dich die dies diese
dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige
einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer eures für gegen gewesen hab habe
haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres im in indem ins ist jede
jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte
machen man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich mir mit muss musste nach
nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen seiner seines selbst sich sie sind so solche
solchem solchen solcher solches soll sollte sondern sonst über um und uns unsere unserem unseren unser unseres unter
viel vom von vor während war waren warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden
wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar zwischen
ab aktuell allerdings bereits bisher bitte dabei dafür daher damals danach daran darauf darüber darum davon derzeit
deshalb eben eigentlich einfach ebenfalls eher etwa evtl ganz gar gerade gern gerne gibt geben gut hatte heute ja je
jemand kaum klar lassen leider mal mehr mehrere meist momentan möchte möchten müssen neu neue neuen oft schon seit
sowie statt teilweise trotzdem vielleicht vielen vieles wäre wären was weiß wer wann warum weitere wenig wohl zb ggf
usw bzw ca inkl sowohl beispielsweise insbesondere dringend schnell sehen sagen sagt geht gehen kommt kommen steht
stehen gemacht wurde wurden worden wird hätte hätten könnten sollen sollten dürfen darf
nimmt nehmen genommen läuft laufen klappt klappen brauchen braucht finden findet bleiben bleibt handhaben handhabt
macht gibt gab gegeben bekommen bekommt erhalten erhält
erfahrung erfahrungen frage fragen antwort antworten thema themen beitrag beiträge forum info infos information
informationen hinweis hinweise tipp tipps idee ideen problem probleme lösung lösungen ansatz`

/** Forum boilerplate: greetings, sign-offs, forms of address and who writes, in any municipality. */
const BOILERPLATE = `hallo moin servus guten tag morgen abend liebe lieber kolleginnen kollegen kollege kollegin
kolleg grüße gruß grüßen grüsse gruss freundlichen freundliche beste besten herzliche herzlichen viele dank danke
vielen dankeschön vorab voraus rückmeldung rückmeldungen hilfe unterstützung anfrage anregungen gemeinde gemeinden
samtgemeinde samtgemeinden einheitsgemeinde stadt städte stadtverwaltung landkreis landkreise kreis region kommune
kommunen kommunal kommunale kommunalen bürgermeister bürgermeisterin bürgermeisterinnen oberbürgermeister
samtgemeindebürgermeister verwaltung verwaltungen rathaus amt ämter fachbereich mitarbeiter mitarbeiterin
mitarbeitende team kollegium herr frau herrn damen herren leute jemand allen allseits zusammen euch ihnen uns
schreiben geschrieben melden meldet frage fragen gefragt suche suchen gesucht wissen weiß bekannt jahr jahre
jahren woche wochen monat monate monaten tag tage tagen zeit uhr heute gestern morgen`

function fold(word: string): string {
  return word.normalize('NFC').toLowerCase()
}

const stopStems = new Set<string>()
const stopWords = new Set<string>()
for (const w of `${STOP_WORDS} ${BOILERPLATE}`.split(/\s+/)) {
  if (!w) continue
  stopWords.add(fold(w))
  stopStems.add(stemmer.stem(fold(w)))
}

const stemCache = new Map<string, string>()
export function stemWord(lower: string): string {
  let s = stemCache.get(lower)
  if (s === undefined) {
    s = stemmer.stem(lower)
    if (stemCache.size > 200_000) stemCache.clear()
    stemCache.set(lower, s)
  }
  return s
}

// Letters (with umlauts and ß) and inner hyphens; digits alone are not words.
const WORD = /[\p{L}][\p{L}\p{N}]*(?:-[\p{L}\p{N}]+)*/gu
// Markdown links and addresses are not words of the text.
const NOISE = /https?:\/\/\S+|\S+@\S+\.\S+|`[^`]*`/g
// Most posts have none of it: one cheap test spares them the replace.
const MAYBE_NOISE = /:\/\/|@|`/

// Per written word, its stem, or '' when it does not count: an index run reads the same few thousand
// words over and over, and folding (NFC, lower case) each again cost more than the rest of stemming.
const wordStems = new Map<string, string>()
function stemOfWord(word: string): string {
  let stem = wordStems.get(word)
  if (stem === undefined) {
    stem = ''
    if (word.length >= 3 && word.length <= 40) {
      const lower = fold(word)
      if (!stopWords.has(lower)) {
        const s = stemWord(lower)
        if (s.length >= 3 && !stopStems.has(s)) stem = s
      }
    }
    if (wordStems.size > 200_000) wordStems.clear()
    wordStems.set(word, stem)
  }
  return stem
}

/** The distinct stems of a text, each with the written word seen first for it. */
export function stemsOf(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const match of (MAYBE_NOISE.test(text) ? text.replace(NOISE, ' ') : text).matchAll(WORD)) {
    const word = match[0]
    const stem = stemOfWord(word)
    if (stem !== '' && !out.has(stem)) out.set(stem, word)
  }
  return out
}

/** True if a written word (or a term the staff enter) has this stem. */
export function stemOfTerm(term: string): string | undefined {
  const stems = [...stemsOf(term).keys()]
  return stems[0]
}
