import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import {
  detectSignals,
  EvidenceStore,
  groupThemes,
  rankThreads,
  seriesOf,
  type TermSignal,
  THREAD_SETTINGS,
  TREND_SETTINGS,
  withoutBusiestThread,
} from './trends.engine.ts'
import {
  addEvidence,
  clearEvidence,
  DAY_MS,
  dayIso,
  dayNumber,
  dayStart,
  type EvidenceRow,
  evidenceByStem,
  type IndexablePost,
  lastIndexedPostId,
  maxPostIdUpTo,
  municipalityDistricts,
  postsOfMunicipalityDays,
  postsOfPartialDay,
  postsToIndex,
  type SurfaceRow,
  surfaceWords,
  threadParticipation,
  threadsById,
} from './trends.queries.ts'
import { stemsOf } from './trends.text.ts'

type Db = Kysely<Database>

/** Evidence of some posts: per day, stem and municipality the number of posts, and the written forms. */
export function evidenceOfPosts(posts: IndexablePost[]): { evidence: EvidenceRow[]; surface: SurfaceRow[] } {
  const evidence = new Map<string, EvidenceRow>()
  const surface = new Map<string, SurfaceRow>()
  for (const post of posts) {
    if (post.municipality_id === null) continue
    const day = dayNumber(new Date(post.created_at))
    const text = post.title ? `${post.title}\n${post.body}` : post.body
    for (const [stem, word] of stemsOf(text)) {
      const key = `${day}|${post.municipality_id}|${stem}`
      const row = evidence.get(key)
      if (row) row.posts++
      else evidence.set(key, { day, stem, municipality_id: post.municipality_id, posts: 1 })
      const skey = `${stem}|${word}`
      const s = surface.get(skey)
      if (s) s.uses++
      else surface.set(skey, { stem, word, uses: 1 })
    }
  }
  return { evidence: [...evidence.values()], surface: [...surface.values()] }
}

/** Adds the posts written since the last run to the evidence; returns how many posts it read. */
export async function indexNewPosts(db: Db, now: Date, batchSize = 5000): Promise<number> {
  let last = await lastIndexedPostId(db)
  let read = 0
  for (;;) {
    const upTo = await maxPostIdUpTo(db, last, batchSize)
    if (upTo === null) break
    const posts = await postsToIndex(db, last, upTo)
    const { evidence, surface } = evidenceOfPosts(posts)
    await addEvidence(db, evidence, surface, upTo, now)
    read += posts.length
    last = upTo
  }
  return read
}

/** Throws the evidence away and builds it again from all posts (after deletions, hiding or edits). */
export async function rebuildIndex(db: Db, now: Date): Promise<number> {
  await clearEvidence(db)
  return indexNewPosts(db, now)
}

const HISTORY_DAYS = Math.max(...TREND_SETTINGS.windows) + TREND_SETTINGS.baselineDays

/** Evidence of the history relevant at `at`: whole days from the index, the day of `at` up to `at` read live. */
export async function loadEvidence(db: Db, at: Date, historyDays = HISTORY_DAYS): Promise<EvidenceStore> {
  const today = dayNumber(at)
  const store = new EvidenceStore()
  for (const row of await evidenceByStem(db, today - historyDays, today)) {
    for (let i = 0; i < row.days.length; i++) {
      store.add(row.stem, { day: Number(row.days[i]), municipality: Number(row.municipalities[i]), posts: Number(row.posts[i]) })
    }
  }
  const upToId = await lastIndexedPostId(db)
  const partial = await postsOfPartialDay(db, dayStart(today), at, upToId)
  for (const row of evidenceOfPosts(partial).evidence) {
    store.add(row.stem, { day: row.day, municipality: row.municipality_id, posts: row.posts })
  }
  store.seal()
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
export async function trendingFromStore(db: Db, store: EvidenceStore, at: Date): Promise<TrendingResult> {
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
