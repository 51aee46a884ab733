/**
 * A synthetic forum history in the interchange format, with planted truth, for evaluating trends.
 *   npx tsx bench/trends/generate.ts --seed 1 --out /tmp/trends-1
 * writes forum.jsonl and truth.json into --out. Seedable: the same seed gives the same files.
 * Everything planted (words, dates, places) is drawn from the seed, so each seed is a new test.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: '/tmp/trends-bench' },
    days: { type: 'string', default: '400' },
    municipalities: { type: 'string', default: '300' },
    districts: { type: 'string', default: '30' },
    threadsPerDay: { type: 'string', default: '14' },
  },
})

function mulberry32(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = mulberry32(Number(values.seed) * 7919 + 17)
const int = (n: number) => Math.floor(rand() * n)
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!
const shuffle = <T>(xs: T[]): T[] => {
  const a = [...xs]
  for (let i = a.length - 1; i > 0; i--) {
    const j = int(i + 1)
    ;[a[i], a[j]] = [a[j]!, a[i]!]
  }
  return a
}
const poisson = (mean: number) => {
  const L = Math.exp(-mean)
  let k = 0
  let p = 1
  do {
    k++
    p *= rand()
  } while (p > L)
  return k - 1
}

// Background topics: steady talk all year. The first three are high volume.
const TOPICS: string[][] = [
  ['Unterbringung', 'Wohncontainer', 'Belegung', 'Erstaufnahme', 'Notunterkunft', 'Zuweisung'],
  ['Kita', 'Betreuungsplatz', 'Eingewöhnung', 'Erzieherinnen', 'Elternbeitrag', 'Krippe'],
  ['Dolmetscher', 'Sprachmittler', 'Übersetzung', 'Arabisch', 'Dari', 'Elterngespräch'],
  ['Sprachkurs', 'Integrationskurs', 'Volkshochschule', 'Kursplätze', 'Alphabetisierung', 'Prüfung'],
  ['Ehrenamt', 'Freiwilligenagentur', 'Patenschaft', 'Ehrenamtliche', 'Koordination', 'Aufwandsentschädigung'],
  ['Schule', 'Sprachlernklasse', 'Schulpflicht', 'Schulweg', 'Lehrkräfte', 'Schulbücher'],
  ['Wohnungsmarkt', 'Mietobergrenze', 'Sozialwohnung', 'Vermieter', 'Wohnungssuche', 'Mietvertrag'],
  ['Arbeitsmarkt', 'Jobcenter', 'Praktikum', 'Ausbildung', 'Arbeitserlaubnis', 'Betriebe'],
  ['Gesundheitskarte', 'Arztbesuch', 'Impfung', 'Krankenschein', 'Behandlungsschein', 'Praxis'],
  ['Sportverein', 'Turnhalle', 'Fußballverein', 'Trainingszeiten', 'Vereinsbeitrag', 'Schwimmkurs'],
  ['Kleiderkammer', 'Spenden', 'Sachspenden', 'Lagerraum', 'Ausgabe', 'Winterkleidung'],
  ['Fahrrad', 'Fahrradwerkstatt', 'Mobilität', 'Busfahrkarte', 'Nahverkehr', 'Fahrschule'],
  ['Haushalt', 'Kostenerstattung', 'Landesmittel', 'Pauschale', 'Abrechnung', 'Haushaltsplan'],
  ['Sozialarbeit', 'Beratungsstelle', 'Sprechstunde', 'Fallmanagement', 'Sozialarbeiterin', 'Hausbesuch'],
  ['Familiennachzug', 'Visum', 'Botschaft', 'Familienzusammenführung', 'Antragstellung', 'Wartezeit'],
  ['Ausländerbehörde', 'Aufenthaltserlaubnis', 'Duldung', 'Termin', 'Fiktionsbescheinigung', 'Passbeschaffung'],
  ['Brandschutz', 'Feuerwehr', 'Rauchmelder', 'Fluchtweg', 'Begehung', 'Brandschutzordnung'],
  ['Hausmeister', 'Hausordnung', 'Reinigung', 'Müllentsorgung', 'Mülltrennung', 'Reparaturen'],
  ['Begegnungscafé', 'Nachbarschaft', 'Stadtteilfest', 'Kochabend', 'Begegnung', 'Kulturverein'],
  ['Jugendamt', 'Vormundschaft', 'Jugendliche', 'Jugendhilfe', 'Clearingstelle', 'Inobhutnahme'],
  ['Internet', 'WLAN', 'Router', 'Freifunk', 'Smartphone', 'Onlineantrag'],
  ['Bücherei', 'Lesepaten', 'Bibliothek', 'Medienkoffer', 'Vorlesen', 'Leseförderung'],
  ['Möbel', 'Erstausstattung', 'Waschmaschine', 'Küchenzeile', 'Matratzen', 'Möbellager'],
  ['Seniorenheim', 'Pflegedienst', 'Pflegegrad', 'Tagespflege', 'Angehörige', 'Pflegeberatung'],
]
const HIGH_VOLUME = 3

// Words of planted trends; each seed draws its own, none of them occurs in the background.
const TREND_POOL: string[][] = [
  ['Schimmelbefall', 'Schimmelgutachten', 'Feuchtigkeitsschaden'],
  ['Stromsperre', 'Stromschulden', 'Energieschulden'],
  ['Masernausbruch', 'Masernimpfung', 'Quarantäneanordnung'],
  ['Bettwanzen', 'Kammerjäger', 'Schädlingsbekämpfung'],
  ['Wasserrohrbruch', 'Leitungswasserschaden', 'Notinstallateur'],
  ['Krätzeausbruch', 'Krätzemilben', 'Hautarzttermine'],
  ['Heizungsausfall', 'Heizöllieferung', 'Heizkessel'],
  ['Busstreik', 'Schülerbeförderung', 'Ersatzverkehr'],
  ['Mietwucher', 'Matratzenlager', 'Schrottimmobilie'],
  ['Legionellen', 'Trinkwasserprobe', 'Warmwasseranlage'],
  ['Identitätsbetrug', 'Sozialleistungsbetrug', 'Mehrfachregistrierung'],
  ['Rattenplage', 'Giftköder', 'Rattenbefall'],
  ['Cybersicherheit', 'Erpressungstrojaner', 'Datenverschlüsselung'],
  ['Hitzewelle', 'Hitzeschutzplan', 'Trinkwasserspender'],
  ['Stromgenerator', 'Notstromaggregat', 'Blackoutvorsorge'],
  ['Tuberkulosefall', 'Röntgenuntersuchung', 'Umgebungsuntersuchung'],
]
const FLOOD_POOL: string[][] = [
  ['Kanalsanierung', 'Straßenausbaubeitrag', 'Anliegerbeitrag'],
  ['Windkraftanlage', 'Repowering', 'Abstandsregelung'],
  ['Friedhofsgebühr', 'Urnengrab', 'Friedhofssatzung'],
  ['Parkraumbewirtschaftung', 'Anwohnerparken', 'Parkscheinautomat'],
]

const FILLER = [
  'Wir haben derzeit eine Lösung im Gespräch mit dem Landkreis gefunden.',
  'Die Erfahrungen sind bislang gemischt, aber wir bleiben dran.',
  'Hat jemand dazu eine Vorlage oder ein Muster?',
  'Bei uns läuft das über die zuständige Stelle im Haus.',
  'Wir würden uns über einen Austausch sehr freuen.',
  'Das Verfahren dauert bei uns leider mehrere Wochen.',
  'Die Abstimmung mit den Beteiligten war aufwendig.',
  'Wir haben gute Erfahrungen mit einer festen Ansprechperson gemacht.',
  'Der Aufwand ist überschaubar, wenn man früh anfängt.',
  'Gibt es dazu schon Rückmeldungen vom Land?',
  'Das Thema beschäftigt uns seit einiger Zeit.',
  'Wir könnten unsere Unterlagen gern zur Verfügung stellen.',
]
const GREETINGS = ['Liebe Kolleginnen und Kollegen,', 'Hallo zusammen,', 'Moin,', 'Guten Tag,', '']
const SIGNOFFS = ['Viele Grüße', 'Mit freundlichen Grüßen', 'Beste Grüße aus dem Rathaus', 'Danke vorab!', '']

function text(words: string[], signer: string, extra = 2): string {
  const parts: string[] = []
  const g = pick(GREETINGS)
  if (g) parts.push(g)
  const ws = shuffle(words).slice(0, 2 + int(3))
  parts.push(`Bei uns geht es um ${ws.join(' und ')}.`)
  for (let i = 0; i < extra; i++) parts.push(pick(FILLER))
  if (rand() < 0.6) parts.push(`Wie handhaben Sie ${pick(words)}?`)
  const s = pick(SIGNOFFS)
  if (s) parts.push(`${s}\n${signer}`)
  return parts.join('\n\n')
}

// ------------------------------------------------------------------------------------------
const DAYS = Number(values.days)
const N_MUN = Number(values.municipalities)
const N_DIST = Number(values.districts)
const TPD = Number(values.threadsPerDay)
const START = Date.UTC(2025, 0, 1)
const DAY = 86_400_000
const FORUMS = ['aufnahme-unterbringung-versorgung', 'integration', 'buergerschaftliches-engagement']

const lines: string[] = []
const emit = (o: object) => lines.push(JSON.stringify(o))
const districts = Array.from({ length: N_DIST }, (_, i) => `Landkreis Testkreis ${i + 1}`)
const muni: { id: string; district: string; name: string; user: string; activity: number }[] = []
for (let i = 0; i < N_MUN; i++) {
  const district = districts[i % N_DIST]!
  const name = `Musterort ${i + 1}`
  const m = { id: `m${i + 1}`, district, name, user: `u${i + 1}`, activity: 0.3 + rand() * 1.7 }
  muni.push(m)
  emit({ type: 'municipality', id: m.id, name, kind: pick(['Stadt', 'Gemeinde', 'Samtgemeinde']), district })
  emit({ type: 'user', id: m.user, municipality: m.id, name: `Person ${i + 1}`, email: `person${i + 1}@musterort.example`, role: 'member' })
}
const totalActivity = muni.reduce((s, m) => s + m.activity, 0)
const activeMuni = () => {
  let r = rand() * totalActivity
  for (const m of muni) if ((r -= m.activity) <= 0) return m
  return muni[muni.length - 1]!
}

type Event = { at: number; line: object }
const events: Event[] = []
let threadN = 0
let postN = 0
const time = (day: number, fromHour = 7, toHour = 19) => START + day * DAY + (fromHour + rand() * (toHour - fromHour)) * 3_600_000

function thread(day: number, m: (typeof muni)[number], title: string, body: string, at = time(day)) {
  const id = `t${++threadN}`
  events.push({ at, line: { type: 'thread', id, forum: pick(FORUMS), author: m.user, title, body, kind: pick(['question', 'discussion', 'question']), created_at: new Date(at).toISOString() } })
  return { id, at }
}
function post(threadId: string, m: (typeof muni)[number], body: string, at: number) {
  events.push({ at, line: { type: 'post', id: `p${++postN}`, thread: threadId, author: m.user, body, created_at: new Date(at).toISOString() } })
}

// Planted truth: days and words from the seed.
const trendWords = shuffle(TREND_POOL)
const floodWords = pick(FLOOD_POOL)
const surgeStart = 150 + int(60)
const SURGE_DAYS = 12
const plantDays = shuffle([230, 250, 270, 290, 310, 330, 350, 370]).map((d) => d + int(5))
type Planted = { kind: 'sharp' | 'weak' | 'slow'; words: string[]; start: string; municipalities: string[] }
const planted: Planted[] = []

function plantBurst(kind: 'sharp' | 'weak', words: string[], start: number) {
  const n = kind === 'sharp' ? 18 + int(14) : 7 + int(2)
  const who = shuffle(muni).slice(0, n)
  const spread = kind === 'sharp' ? 3 : 4
  let first = Infinity
  who.forEach((m, i) => {
    const day = start + (i < 3 ? 0 : int(spread))
    const at = time(day, 8, 18)
    first = Math.min(first, at)
    if (rand() < 0.5 || i === 0) thread(day, m, `${words[0]}: ${pick(words)} – wer kennt das?`, text(words, m.name), at)
    else {
      const t = thread(day, m, `Frage zu ${pick(words)}`, text(words, m.name), at)
      post(t.id, pick(muni), text([pick(words)], 'Kollegin'), at + 3_600_000)
    }
    // Some replies from others keep it going the following days.
    if (rand() < 0.3) post(`t${threadN}`, pick(who), text(words, 'Gruß'), at + DAY * (1 + int(3)))
  })
  planted.push({ kind, words, start: new Date(first).toISOString(), municipalities: who.map((m) => m.id) })
}

function plantSlowBurn(words: string[], start: number) {
  const who = shuffle(muni).slice(0, 12)
  let k = 0
  let first = Infinity
  const joined: typeof who = []
  for (let week = 0; week < 6; week++) {
    const add = week === 0 ? 2 : 1 + int(2)
    for (let j = 0; j < add && k < who.length; j++) joined.push(who[k++]!)
    // Everybody who joined so far writes about it once or twice this week.
    for (const m of joined) {
      if (rand() < 0.6 || m === joined[joined.length - 1]) {
        const at = time(start + week * 7 + int(7), 8, 18)
        first = Math.min(first, at)
        thread(Math.floor((at - START) / DAY), m, `${pick(words)} nimmt zu`, text(words, m.name), at)
      }
    }
  }
  planted.push({ kind: 'slow', words, start: new Date(first).toISOString(), municipalities: joined.map((m) => m.id) })
}

plantBurst('sharp', trendWords[0]!, plantDays[0]!)
plantBurst('sharp', trendWords[1]!, plantDays[1]!)
plantBurst('sharp', trendWords[2]!, plantDays[2]!)
plantBurst('weak', trendWords[3]!, plantDays[3]!)
plantBurst('weak', trendWords[4]!, plantDays[4]!)
plantSlowBurn(trendWords[5]!, 300 + int(20))

// The flood: one municipality, many posts, for a week.
const flooder = pick(muni)
const floodStart = plantDays[5]! + 10
const floodThread = thread(floodStart, flooder, `${floodWords[0]} bei uns`, text(floodWords, flooder.name))
for (let i = 0; i < 40; i++) post(floodThread.id, flooder, text(floodWords, flooder.name), time(floodStart + int(7)))
for (let i = 0; i < 6; i++) thread(floodStart + int(7), flooder, `${pick(floodWords)} – noch eine Frage`, text(floodWords, flooder.name))

// Hot threads: replies from many municipalities within a few days, about background topics.
const hot: { id: string; start: string }[] = []
for (const day of [plantDays[6]!, plantDays[7]!, surgeStart - 40]) {
  const topic = pick(TOPICS.slice(HIGH_VOLUME))
  const opener = activeMuni()
  const t = thread(day, opener, `Dringend: ${topic[0]} – wie machen Sie das?`, text(topic, opener.name), time(day, 7, 9))
  for (const m of shuffle(muni).slice(0, 16 + int(10))) post(t.id, m, text(topic, m.name, 1), t.at + rand() * 3 * DAY)
  hot.push({ id: t.id, start: new Date(t.at).toISOString() })
}

// Background, with a general surge: everybody writes more about the usual things.
for (let day = 0; day < DAYS; day++) {
  const weekday = new Date(START + day * DAY).getUTCDay()
  const weekend = weekday === 0 || weekday === 6 ? 0.25 : 1
  const surge = day >= surgeStart && day < surgeStart + SURGE_DAYS ? 2.5 : 1
  const n = poisson(TPD * weekend * surge)
  for (let i = 0; i < n; i++) {
    const topic = rand() < 0.3 ? TOPICS[int(HIGH_VOLUME)]! : pick(TOPICS)
    const m = activeMuni()
    const t = thread(day, m, `${pick(topic)}: ${pick(['Erfahrungen?', 'wie lösen Sie das?', 'Austausch', 'Frage'])}`, text(topic, m.name))
    const replies = poisson(1.8)
    for (let r = 0; r < replies; r++) post(t.id, activeMuni(), text(topic, pick(['Gruß', 'VG', 'Danke'])), t.at + rand() * 4 * DAY)
  }
}

// Records may only reference earlier ones: threads before their posts; sorted by time otherwise.
events.sort((a, b) => a.at - b.at)
const threadAt = new Map<string, number>()
for (const e of events) {
  const l = e.line as { type: string; id: string; thread?: string }
  if (l.type === 'thread') threadAt.set(l.id, e.at)
}
for (const e of events) {
  const l = e.line as { type: string; thread?: string }
  if (l.type === 'post' && e.at < threadAt.get(l.thread!)!) e.at = threadAt.get(l.thread!)! + 60_000
}
events.sort((a, b) => a.at - b.at)
for (const e of events) emit(e.line)

const out = values.out!
mkdirSync(out, { recursive: true })
writeFileSync(join(out, 'forum.jsonl'), lines.join('\n') + '\n')
const truth = {
  seed: Number(values.seed),
  start: new Date(START).toISOString(),
  days: DAYS,
  end: new Date(START + DAYS * DAY).toISOString(),
  planted,
  flood: { words: floodWords, municipality: flooder.id, start: new Date(START + floodStart * DAY).toISOString(), days: 7 },
  surge: { start: new Date(START + surgeStart * DAY).toISOString(), days: SURGE_DAYS },
  steady: TOPICS.flat(),
  highVolume: TOPICS.slice(0, HIGH_VOLUME).flat(),
  hot,
}
writeFileSync(join(out, 'truth.json'), JSON.stringify(truth, null, 2))
console.log(`${lines.length} Zeilen, ${threadN} Themen, ${postN} Antworten → ${out}`)
