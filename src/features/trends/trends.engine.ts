// The trend computation, on evidence held in memory: no database here, so the command, the dashboard
// and the evaluation in bench/trends compute the same thing.
//
// Evidence is counted in municipality-days: a municipality that uses a word stem on a day adds one,
// however often it posts. For several recent windows (sharp bursts to slow burns) the share of a
// stem's municipality-days among all municipality-days of the window is compared with its share in
// the baseline before the window (Dunning's log-likelihood G²). Normalising by all municipality-days
// means a week in which everybody writes more does not make steady words trend. A trend must rise,
// be significant, and be broad: several municipalities in more than one district.

export type EvidencePoint = { day: number; municipality: number; posts: number }

export const TREND_SETTINGS = {
  /** Recent windows in days, short ones for bursts and long ones for slow burns. */
  windows: [3, 7, 14, 28, 42],
  /** Baseline: this many days before the window starts. */
  baselineDays: 180,
  /** Baseline activity must be at least this multiple of the window's (else the history is too short). */
  minBaselineRatio: 2,
  minMunicipalities: 4,
  minDistricts: 2,
  /**
   * G² for one degree of freedom; 30 is p ≈ 4·10⁻⁸: Bonferroni for p < 0.001 over some 5,000 stems in
   * 5 windows tested every day.
   */
  minG2: 30,
  /** The share in the window must be at least this multiple of the baseline share. */
  minRise: 3,
  /** Terms whose evidence overlaps this much (overlap coefficient of municipality-days) form one theme. */
  themeOverlap: 0.5,
  /** Days of history in the sparkline. */
  seriesDays: 42,
  maxThemes: 25,
} as const

export type TrendSettings = typeof TREND_SETTINGS

/** What detection reads: municipality-days per stem and day, and the points of the stems it looks at closely. */
export interface Evidence {
  stems(): Iterable<string>
  /** Municipality-days of `stem` on days in [from, to). */
  count(stem: string, from: number, to: number): number
  /** All municipality-days of all stems on days in [from, to). */
  total(from: number, to: number): number
  /** The points of `stem` on days in [from, to), sorted by day (see stemsToInspect). */
  points(stem: string, from: number, to: number): EvidencePoint[]
}

/** Evidence of all stems, each sorted by day, with the total municipality-days per day. */
export class EvidenceStore implements Evidence {
  readonly byStem = new Map<string, EvidencePoint[]>()
  private readonly totals = new Map<number, number>()
  private prefix: { days: number[]; sums: number[] } | undefined
  private sorted = true

  add(stem: string, point: EvidencePoint) {
    let list = this.byStem.get(stem)
    if (!list) this.byStem.set(stem, (list = []))
    const last = list[list.length - 1]
    if (last && last.day === point.day && last.municipality === point.municipality) {
      last.posts += point.posts
      return
    }
    if (last && last.day > point.day) this.sorted = false
    list.push(point)
    this.totals.set(point.day, (this.totals.get(point.day) ?? 0) + 1)
    this.prefix = undefined
  }

  /** Sorts after loading; merges duplicate (day, municipality) points. */
  seal() {
    if (!this.sorted) {
      this.totals.clear()
      for (const [stem, list] of this.byStem) {
        list.sort((a, b) => a.day - b.day || a.municipality - b.municipality)
        const merged: EvidencePoint[] = []
        for (const p of list) {
          const last = merged[merged.length - 1]
          if (last && last.day === p.day && last.municipality === p.municipality) last.posts += p.posts
          else merged.push({ ...p })
        }
        this.byStem.set(stem, merged)
        for (const p of merged) this.totals.set(p.day, (this.totals.get(p.day) ?? 0) + 1)
      }
      this.sorted = true
    }
    this.prefix = undefined
  }

  /** All municipality-days of all stems on days in [from, to). */
  total(from: number, to: number): number {
    if (!this.prefix) {
      const days = [...this.totals.keys()].sort((a, b) => a - b)
      const sums = [0]
      for (const d of days) sums.push(sums[sums.length - 1]! + this.totals.get(d)!)
      this.prefix = { days, sums }
    }
    const { days, sums } = this.prefix
    return sums[lowerBound(days, to)]! - sums[lowerBound(days, from)]!
  }

  totalsPerDay(from: number, to: number): number[] {
    const out: number[] = []
    for (let d = from; d < to; d++) out.push(this.totals.get(d) ?? 0)
    return out
  }

  stems(): Iterable<string> {
    return this.byStem.keys()
  }

  count(stem: string, from: number, to: number): number {
    const points = this.byStem.get(stem)
    return points ? lowerBoundPoints(points, to) - lowerBoundPoints(points, from) : 0
  }

  points(stem: string, from: number, to: number): EvidencePoint[] {
    const points = this.byStem.get(stem) ?? []
    return points.slice(lowerBoundPoints(points, from), lowerBoundPoints(points, to))
  }
}

/**
 * Evidence as the index keeps it: municipality-days per stem and day, and the points only of the stems
 * that stemsToInspect names (loaded afterwards with setPoints). Call seal() after adding the counts.
 */
export class DailyEvidence implements Evidence {
  private readonly counts = new Map<string, Map<number, number>>()
  private readonly sealed = new Map<string, { days: number[]; sums: number[] }>()
  private readonly totals = new Map<number, number>()
  private readonly detail = new Map<string, EvidencePoint[]>()
  private totalPrefix: { days: number[]; sums: number[] } | undefined

  add(stem: string, day: number, municipalities: number) {
    let byDay = this.counts.get(stem)
    if (!byDay) this.counts.set(stem, (byDay = new Map()))
    byDay.set(day, (byDay.get(day) ?? 0) + municipalities)
    this.totals.set(day, (this.totals.get(day) ?? 0) + municipalities)
  }

  seal() {
    for (const [stem, byDay] of this.counts) this.sealed.set(stem, prefixSums(byDay))
    this.totalPrefix = prefixSums(this.totals)
  }

  /** Points of `stem`, sorted by day and municipality. */
  setPoints(stem: string, points: EvidencePoint[]) {
    this.detail.set(stem, points.sort((a, b) => a.day - b.day || a.municipality - b.municipality))
  }

  stems(): Iterable<string> {
    return this.sealed.keys()
  }

  count(stem: string, from: number, to: number): number {
    const s = this.sealed.get(stem)
    return s ? s.sums[lowerBound(s.days, to)]! - s.sums[lowerBound(s.days, from)]! : 0
  }

  total(from: number, to: number): number {
    const { days, sums } = this.totalPrefix ?? prefixSums(this.totals)
    return sums[lowerBound(days, to)]! - sums[lowerBound(days, from)]!
  }

  points(stem: string, from: number, to: number): EvidencePoint[] {
    const points = this.detail.get(stem)
    if (!points) throw new Error(`points of ${stem} were not loaded`)
    return points.slice(lowerBoundPoints(points, from), lowerBoundPoints(points, to))
  }
}

function prefixSums(byDay: Map<number, number>): { days: number[]; sums: number[] } {
  const days = [...byDay.keys()].sort((a, b) => a - b)
  const sums = [0]
  for (const d of days) sums.push(sums[sums.length - 1]! + byDay.get(d)!)
  return { days, sums }
}

function lowerBound(days: number[], value: number): number {
  let lo = 0
  let hi = days.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (days[mid]! < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function lowerBoundPoints(points: EvidencePoint[], day: number): number {
  let lo = 0
  let hi = points.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (points[mid]!.day < day) lo = mid + 1
    else hi = mid
  }
  return lo
}

const xlogx = (k: number, e: number) => (k > 0 ? k * Math.log(k / e) : 0)

/** Dunning's log-likelihood G² for a in A (window) against b in B (baseline). */
export function logLikelihood(a: number, A: number, b: number, B: number): number {
  const N = A + B
  const k = a + b
  if (N === 0 || k === 0) return 0
  const ea = (A * k) / N
  const eb = (B * k) / N
  const ec = (A * (N - k)) / N
  const ed = (B * (N - k)) / N
  return 2 * (xlogx(a, ea) + xlogx(b, eb) + xlogx(A - a, ec) + xlogx(B - b, ed))
}

export type TermSignal = {
  stem: string
  window: number
  score: number
  g2: number
  rise: number
  windowEvidence: number
  baselineEvidence: number
  windowTotal: number
  baselineTotal: number
  municipalities: Set<number>
  districts: Set<string>
  posts: number
  /** "municipality:day" keys in the window, for grouping into themes. */
  keys: Set<string>
}

/**
 * The signal without the municipality-days that only its busiest thread gave it, or undefined if it is
 * no longer significant and broad: one lively conversation is a trending thread, not a trending term.
 */
export function withoutBusiestThread(
  signal: TermSignal,
  keysByThread: Map<number, Set<string>>,
  settings: TrendSettings = TREND_SETTINGS,
): TermSignal | undefined {
  let busiest: number | undefined
  for (const [thread, keys] of keysByThread) if (busiest === undefined || keys.size > keysByThread.get(busiest)!.size) busiest = thread
  if (busiest === undefined) return signal
  const elsewhere = new Set<string>()
  for (const [thread, keys] of keysByThread) if (thread !== busiest) for (const k of keys) elsewhere.add(k)
  let only = 0
  for (const k of keysByThread.get(busiest)!) if (!elsewhere.has(k) && signal.keys.has(k)) only++
  const a = signal.windowEvidence - only
  if (a < settings.minMunicipalities) return undefined
  const municipalities = new Set([...elsewhere].filter((k) => signal.keys.has(k)).map((k) => Number(k.split(':')[0])))
  if (municipalities.size < settings.minMunicipalities) return undefined
  const g2 = logLikelihood(a, signal.windowTotal, signal.baselineEvidence, signal.baselineTotal)
  const rise = a / signal.windowTotal / ((signal.baselineEvidence + 0.5) / signal.baselineTotal)
  if (g2 < settings.minG2 || rise < settings.minRise) return undefined
  return signal
}

export type Theme = {
  lead: TermSignal
  members: TermSignal[]
}

type WindowTest = { w: number; start: number; baseStart: number; A: number; B: number }

function windowsOf(store: Evidence, today: number, settings: TrendSettings): { end: number; windows: WindowTest[] } {
  const end = today + 1
  const windows = settings.windows.map((w) => {
    const start = end - w
    const baseStart = start - settings.baselineDays
    return { w, start, baseStart, A: store.total(start, end), B: store.total(baseStart, start) }
  })
  return { end, windows }
}

/** The windows in which a stem's counts alone rise enough and are significant (breadth is checked on its points). */
function* countSignals(store: Evidence, stem: string, end: number, windows: WindowTest[], settings: TrendSettings) {
  if (store.count(stem, end - settings.windows[settings.windows.length - 1]!, end) === 0) return
  for (const win of windows) {
    if (win.A === 0 || win.B < win.A * settings.minBaselineRatio) continue
    const a = store.count(stem, win.start, end)
    if (a < settings.minMunicipalities) continue
    const b = store.count(stem, win.baseStart, win.start)
    const rise = a / win.A / ((b + 0.5) / win.B)
    if (rise < settings.minRise) continue
    const g2 = logLikelihood(a, win.A, b, win.B)
    if (g2 < settings.minG2) continue
    yield { win, a, b, rise, g2 }
  }
}

/** The stems whose points detectSignals reads: those rising significantly in some window as of `today`. */
export function stemsToInspect(store: Evidence, today: number, settings: TrendSettings = TREND_SETTINGS): string[] {
  const { end, windows } = windowsOf(store, today, settings)
  const out: string[] = []
  for (const stem of store.stems()) if (!countSignals(store, stem, end, windows, settings).next().done) out.push(stem)
  return out
}

/**
 * The significant rising stems as of day `today` (evidence of `today` is what was written before the
 * moment asked for), best first.
 */
export function detectSignals(
  store: Evidence,
  today: number,
  districtOf: (municipality: number) => string | undefined,
  settings: TrendSettings = TREND_SETTINGS,
): TermSignal[] {
  const { end, windows } = windowsOf(store, today, settings)
  const signals: TermSignal[] = []
  for (const stem of store.stems()) {
    let best: TermSignal | undefined
    for (const { win, a, b, rise, g2 } of countSignals(store, stem, end, windows, settings)) {
      if (best && best.g2 >= g2) continue
      const municipalities = new Set<number>()
      const districts = new Set<string>()
      const keys = new Set<string>()
      let posts = 0
      for (const p of store.points(stem, win.start, end)) {
        municipalities.add(p.municipality)
        const d = districtOf(p.municipality)
        if (d !== undefined) districts.add(d)
        keys.add(`${p.municipality}:${p.day}`)
        posts += p.posts
      }
      if (municipalities.size < settings.minMunicipalities || districts.size < settings.minDistricts) continue
      best = {
        stem,
        window: win.w,
        score: g2,
        g2,
        rise,
        windowEvidence: a,
        baselineEvidence: b,
        windowTotal: win.A,
        baselineTotal: win.B,
        municipalities,
        districts,
        posts,
        keys,
      }
    }
    if (best) signals.push(best)
  }
  return signals.sort((x, y) => y.score - x.score || y.posts - x.posts || y.stem.length - x.stem.length || x.stem.localeCompare(y.stem))
}

/**
 * Groups signals into themes: a signal joins the first (best) theme whose lead it overlaps enough.
 * Overlap is measured on the threads the stems occur in when `threadsOf` knows them, else on the
 * municipality-days.
 */
export function groupThemes(
  signals: TermSignal[],
  threadsOf?: (stem: string) => Set<number> | undefined,
  settings: TrendSettings = TREND_SETTINGS,
): Theme[] {
  const themes: Theme[] = []
  for (const s of signals) {
    const mine = threadsOf?.(s.stem)
    const home = themes.find((t) => {
      const theirs = threadsOf?.(t.lead.stem)
      return mine && theirs ? overlap(mine, theirs) >= settings.themeOverlap : overlap(t.lead.keys, s.keys) >= settings.themeOverlap
    })
    if (home) home.members.push(s)
    else themes.push({ lead: s, members: [s] })
  }
  return themes.slice(0, settings.maxThemes)
}

/** Signals grouped into themes by their municipality-days (see groupThemes). */
export function detectThemes(
  store: Evidence,
  today: number,
  districtOf: (municipality: number) => string | undefined,
  settings: TrendSettings = TREND_SETTINGS,
): Theme[] {
  return groupThemes(detectSignals(store, today, districtOf, settings), undefined, settings)
}

function overlap<T>(a: Set<T>, b: Set<T>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a]
  if (small.size === 0) return 0
  let n = 0
  for (const k of small) if (large.has(k)) n++
  return n / small.size
}
/** Municipality-days per day of a stem over [from, to). */
export function seriesOf(store: Evidence, stem: string, from: number, to: number): number[] {
  const out: number[] = []
  for (let d = from; d < to; d++) out.push(store.count(stem, d, d + 1))
  return out
}

// ---------------------------------------------------------------------------------------------
// Threads
// ---------------------------------------------------------------------------------------------

export const THREAD_SETTINGS = {
  /** Participation older than this does not count. */
  windowDays: 14,
  /** A municipality's weight halves every this many days after its last post or mark. */
  halfLifeDays: 3,
  minMunicipalities: 4,
  minScore: 2.5,
  max: 20,
} as const

export type ThreadScore = { threadId: number; score: number; municipalities: number; recentMunicipalities: number }

/** Threads by how many distinct municipalities took part recently, each weighted by how recent. */
export function rankThreads(
  participation: { thread_id: number; municipality_id: number; last_at: Date }[],
  at: Date,
  settings = THREAD_SETTINGS,
): ThreadScore[] {
  const byThread = new Map<number, ThreadScore>()
  const halfLife = settings.halfLifeDays * 86_400_000
  for (const p of participation) {
    const age = Math.max(0, at.getTime() - new Date(p.last_at).getTime())
    let t = byThread.get(p.thread_id)
    if (!t) byThread.set(p.thread_id, (t = { threadId: p.thread_id, score: 0, municipalities: 0, recentMunicipalities: 0 }))
    t.score += Math.pow(0.5, age / halfLife)
    t.municipalities++
    if (age <= 7 * 86_400_000) t.recentMunicipalities++
  }
  return [...byThread.values()]
    .filter((t) => t.municipalities >= settings.minMunicipalities && t.score >= settings.minScore)
    .sort((a, b) => b.score - a.score || a.threadId - b.threadId)
    .slice(0, settings.max)
}
