import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import {
  DailyEvidence,
  detectSignals,
  type Evidence,
  type EvidencePoint,
  groupThemes,
  rankThreads,
  seriesOf,
  stemsToInspect,
  type TermSignal,
  THREAD_SETTINGS,
  TREND_SETTINGS,
  withoutBusiestThread,
} from './trends.engine.ts'
import {
  claimDirty,
  clearIndex,
  DAY_MS,
  dayIso,
  dayNumber,
  dayStart,
  type IndexablePost,
  lockIndex,
  markIndexed,
  type MunicipalityDay,
  type MunicipalityDayRow,
  municipalityDays,
  municipalityDistricts,
  postsOfDays,
  postsOfMunicipalityDays,
  postsOfPartialDay,
  type RecomputeOptions,
  recomputeStemDays,
  replaceMunicipalityDays,
  saveSnapshot,
  type StemDayDelta,
  stemDays,
  stemPoints,
  type SurfaceDelta,
  surfaceWords,
  threadParticipation,
  threadsById,
} from './trends.queries.ts'
import { stemsOf } from './trends.text.ts'

type Db = Kysely<Database>

/** Per municipality-day: its stems, how many posts used each and the written form used most. */
export function municipalityDaysOfPosts(posts: IndexablePost[]): MunicipalityDayRow[] {
  // Most stems are written one way in a municipality-day: the counts per written form start only with a second.
  type Uses = { posts: number; first: string; words: Map<string, number> | null }
  const days = new Map<string, { municipality_id: number; day: number; stems: Map<string, Uses> }>()
  for (const post of posts) {
    if (post.municipality_id === null) continue
    const day = dayNumber(new Date(post.created_at))
    const key = `${post.municipality_id}|${day}`
    let md = days.get(key)
    if (!md) days.set(key, (md = { municipality_id: post.municipality_id, day, stems: new Map() }))
    const text = post.title ? `${post.title}\n${post.body}` : post.body
    for (const [stem, word] of stemsOf(text)) {
      let s = md.stems.get(stem)
      if (!s) md.stems.set(stem, (s = { posts: 0, first: word, words: null }))
      if (!s.words && word !== s.first) s.words = new Map([[s.first, s.posts]])
      s.posts++
      if (s.words) s.words.set(word, (s.words.get(word) ?? 0) + 1)
    }
  }
  return [...days.values()].map(({ municipality_id, day, stems }) => {
    const entries = [...stems].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return {
      municipality_id,
      day,
      stems: entries.map(([stem]) => stem),
      // The first of the most used forms: the order of first use breaks ties.
      words: entries.map(([, s]) => (s.words ? [...s.words].reduce((best, w) => (w[1] > best[1] ? w : best))[0] : s.first)),
      posts: entries.map(([, s]) => s.posts),
    }
  })
}

/** What replacing `before` by `after` changes in the day counts and in the written forms. */
export function deltasOf(before: MunicipalityDayRow[], after: MunicipalityDayRow[]): { stemDays: StemDayDelta[]; surface: SurfaceDelta[] } {
  const stemDays = new Map<string, StemDayDelta>()
  const surface = new Map<string, SurfaceDelta>()
  const apply = (rows: MunicipalityDayRow[], sign: 1 | -1) => {
    for (const row of rows) {
      row.stems.forEach((stem, i) => {
        const key = `${row.day}|${stem}`
        const d = stemDays.get(key) ?? { day: row.day, stem, municipalities: 0, posts: 0 }
        d.municipalities += sign
        d.posts += sign * row.posts[i]!
        stemDays.set(key, d)
        const word = row.words[i]!
        const skey = `${stem}|${word}`
        const s = surface.get(skey) ?? { stem, word, uses: 0 }
        s.uses += sign * row.posts[i]!
        surface.set(skey, s)
      })
    }
  }
  apply(before, -1)
  apply(after, 1)
  return {
    stemDays: [...stemDays.values()].filter((d) => d.municipalities !== 0 || d.posts !== 0),
    surface: [...surface.values()].filter((s) => s.uses !== 0),
  }
}

/**
 * Brings the index up to date: every municipality-day that new, edited, deleted or hidden posts (or a
 * renamed, hidden or deleted thread) marked is derived again from its visible posts. Each batch is one
 * transaction: a crash leaves its marks in place for the next run. Returns how many new posts (not
 * seen by an earlier run) it read.
 */
export async function indexNewPosts(db: Db, now: Date, batchSize = 5000): Promise<number> {
  let read = 0
  for (let more = true; more; ) {
    const posts = await db.transaction().execute(async (trx) => {
      const seen = await lockIndex(trx, now)
      const claimed = await claimDirty(trx, batchSize)
      // A batch that was not full took the last marks: no second look for more (marks made meanwhile
      // wait for the next run, as those made after it do).
      more = claimed.length === batchSize
      if (claimed.length === 0) return null
      const pairs = uniquePairs(claimed)
      const before = await municipalityDays(trx, pairs)
      const posts = await postsOfDays(trx, pairs)
      const after = municipalityDaysOfPosts(posts)
      const { stemDays, surface } = deltasOf(before, after)
      await replaceMunicipalityDays(trx, pairs, after, stemDays, surface)
      const newest = posts.reduce((max, p) => Math.max(max, p.id), seen)
      await markIndexed(trx, newest, now)
      return posts.filter((p) => p.id > seen).length
    })
    if (posts === null) break
    read += posts
  }
  return read
}

function uniquePairs(pairs: MunicipalityDay[]): MunicipalityDay[] {
  const out = new Map<string, MunicipalityDay>()
  for (const p of pairs) out.set(`${p.municipality_id}|${p.day}`, { municipality_id: p.municipality_id, day: p.day })
  return [...out.values()]
}

/**
 * Full recomputation: the day counts and written forms aggregated again from the stored stems of each
 * municipality-day (no text is stemmed). The stored stems themselves follow the posts through the marks.
 */
export async function recomputeIndex(db: Db, now: Date, options: RecomputeOptions = {}): Promise<void> {
  await indexNewPosts(db, now)
  await recomputeStemDays(db, now, options)
}

/** Throws the index away and derives it again from the text of all posts (after the stemmer changed). */
export async function rebuildIndex(db: Db, now: Date): Promise<number> {
  await clearIndex(db, now)
  return indexNewPosts(db, now)
}

const HISTORY_DAYS = Math.max(...TREND_SETTINGS.windows) + TREND_SETTINGS.baselineDays
const LONGEST_WINDOW = Math.max(...TREND_SETTINGS.windows)

/**
 * Evidence of the history relevant at `at`: day counts of whole days from the index, the day of `at` up
 * to `at` read live; the points of the stems that rise significantly, for a closer look.
 */
export async function loadEvidence(db: Db, at: Date, historyDays = HISTORY_DAYS): Promise<Evidence> {
  const today = dayNumber(at)
  const store = new DailyEvidence()
  for (const row of await stemDays(db, today - historyDays, today)) store.add(row.stem, row.day, row.municipalities)
  const partial = municipalityDaysOfPosts(await postsOfPartialDay(db, dayStart(today), at))
  const todays = new Map<string, EvidencePoint[]>()
  for (const row of partial) {
    row.stems.forEach((stem, i) => {
      store.add(stem, today, 1)
      const list = todays.get(stem) ?? []
      list.push({ day: today, municipality: row.municipality_id, posts: row.posts[i]! })
      todays.set(stem, list)
    })
  }
  store.seal()
  const inspect = stemsToInspect(store, today)
  const points = new Map<string, EvidencePoint[]>(inspect.map((stem) => [stem, [...(todays.get(stem) ?? [])]]))
  for (const p of await stemPoints(db, inspect, today + 1 - LONGEST_WINDOW, today)) {
    points.get(p.stem)!.push({ day: p.day, municipality: p.municipality_id, posts: p.posts })
  }
  for (const [stem, list] of points) store.setPoints(stem, list)
  return store
}

export type TrendingTerm = {
  term: string
  label: string
  score: number
  municipalities: number
  districts: number
  posts: number
  rise: number
  window_days: number
  stem: string
  words: string[]
  stems: string[]
  district_names: string[]
  municipality_names: string[]
  evidence: number
  baseline_evidence: number
  series_from: string
  series: number[]
}

export type TrendingThread = {
  id: string
  thread_id: number
  title: string
  forum: string
  score: number
  municipalities: number
  recent_municipalities: number
}

export type TrendingResult = { at: string; terms: TrendingTerm[]; threads: TrendingThread[] }

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits

/** Trending themes and threads as of `at`, from the evidence in `store` (see loadEvidence). */
export async function trendingFromStore(db: Db, store: Evidence, at: Date): Promise<TrendingResult> {
  const today = dayNumber(at)
  const places = await municipalityDistricts(db)
  const candidates = detectSignals(store, today, (m) => places.get(m)?.district).slice(0, 60)
  const keysByThread = await threadsOfStems(db, candidates, at)
  const signals = candidates.filter((s) => withoutBusiestThread(s, keysByThread.get(s.stem) ?? new Map()))
  const threads = new Map([...keysByThread].map(([stem, byThread]) => [stem, new Set(byThread.keys())]))
  const themes = groupThemes(signals, (stem) => threads.get(stem))
  const words = await surfaceWords(db, themes.flatMap((t) => t.members.map((m) => m.stem)))
  const seriesFrom = today + 1 - TREND_SETTINGS.seriesDays
  const terms: TrendingTerm[] = themes.map(({ lead, members }) => {
    // Nouns (capitalised in German) name a theme better than verbs and adjectives.
    const named = members
      .map((m, i) => ({ m, i, word: words.get(m.stem) ?? m.stem }))
      .sort((x, y) => Number(/^\p{Lu}/u.test(y.word)) - Number(/^\p{Lu}/u.test(x.word)) || x.i - y.i)
    const surface = named.map((n) => n.word)
    const municipalities = new Set(members.flatMap((m) => [...m.municipalities]))
    const districts = new Set(members.flatMap((m) => [...m.districts]))
    return {
      term: surface[0]!,
      label: surface.slice(0, 3).join(', '),
      score: round(lead.score, 1),
      municipalities: municipalities.size,
      districts: districts.size,
      posts: Math.max(...members.map((m) => m.posts)),
      rise: round(lead.rise, 1),
      window_days: lead.window,
      stem: named[0]!.m.stem,
      words: surface,
      stems: named.map((n) => n.m.stem),
      district_names: [...districts].sort((a, b) => a.localeCompare(b, 'de')),
      municipality_names: [...municipalities].map((m) => places.get(m)?.name ?? String(m)).sort((a, b) => a.localeCompare(b, 'de')),
      evidence: lead.windowEvidence,
      baseline_evidence: lead.baselineEvidence,
      series_from: dayIso(seriesFrom),
      series: seriesOf(store, lead.stem, seriesFrom, today + 1),
    }
  })
  return { at: at.toISOString(), terms, threads: await trendingThreads(db, at) }
}

/** Per signal stem, the threads it occurs in within its window with their municipality-days, from the posts behind the evidence. */
async function threadsOfStems(db: Db, signals: TermSignal[], at: Date): Promise<Map<string, Map<number, Set<string>>>> {
  const wanted = new Map(signals.map((s) => [s.stem, s]))
  const pairs = new Map<string, { municipality_id: number; day: number }>()
  for (const s of signals) {
    for (const key of s.keys) {
      const [m, d] = key.split(':').map(Number) as [number, number]
      pairs.set(key, { municipality_id: m, day: d })
    }
  }
  const out = new Map<string, Map<number, Set<string>>>()
  for (const post of await postsOfMunicipalityDays(db, [...pairs.values()], at)) {
    const text = post.position === 1 ? `${post.title}\n${post.body}` : post.body
    const key = `${post.municipality_id}:${dayNumber(new Date(post.created_at))}`
    for (const stem of stemsOf(text).keys()) {
      if (!wanted.get(stem)?.keys.has(key)) continue
      let byThread = out.get(stem)
      if (!byThread) out.set(stem, (byThread = new Map()))
      let keys = byThread.get(post.thread_id)
      if (!keys) byThread.set(post.thread_id, (keys = new Set()))
      keys.add(key)
    }
  }
  return out
}

export async function trendingThreads(db: Db, at: Date): Promise<TrendingThread[]> {
  const from = new Date(at.getTime() - THREAD_SETTINGS.windowDays * DAY_MS)
  const ranked = rankThreads(await threadParticipation(db, from, at), at)
  const info = new Map((await threadsById(db, ranked.map((r) => r.threadId))).map((t) => [t.id, t]))
  return ranked
    .filter((r) => info.has(r.threadId))
    .map((r) => {
      const t = info.get(r.threadId)!
      return {
        id: t.external_id ?? String(t.id),
        thread_id: t.id,
        title: t.title,
        forum: t.forum,
        score: round(r.score),
        municipalities: r.municipalities,
        recent_municipalities: r.recentMunicipalities,
      }
    })
}

/** Brings the evidence up to date, then computes the trends as of `at`. */
export async function trendingAsOf(db: Db, at: Date, now: Date): Promise<TrendingResult> {
  await indexNewPosts(db, now)
  return trendingFromStore(db, await loadEvidence(db, at), at)
}

/** The job's run: the index brought up to date, then the trends as of now stored for the dashboard's first view. */
export async function indexAndSnapshot(db: Db, now: Date): Promise<void> {
  const result = await trendingAsOf(db, now, now)
  await saveSnapshot(db, now, result)
}
