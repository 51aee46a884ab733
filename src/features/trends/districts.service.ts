import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { type DistrictActivity, districtActivity, municipalitiesOfDistrict, weeklyDistrictActivity } from './districts.queries.ts'
import { ACTIVITY_WEEKS, openQuestionsAsOf, weeksBefore } from './trends.radar.ts'
import { DAY_MS, forumNames } from './trends.queries.ts'
import type { DistrictSort } from './trends.schemas.ts'
import type { TrendingResult, TrendingTerm } from './trends.service.ts'
import { CHART, chartLine } from './trends.view.ts'

type Db = Kysely<Database>

export type DistrictRow = DistrictActivity & {
  /** Posts of the last four weeks as a multiple of the four before; null when there were none before. */
  rise: number | null
  unanswered: number
  trends: number
}

export const districtUrl = (district: string) => `/dashboard/districts/${encodeURIComponent(district)}`

const trendsOf = (result: TrendingResult, district: string): TrendingTerm[] => result.terms.filter((x) => x.district_names.includes(district))

function withFigures(row: DistrictActivity, unanswered: number, trends: number): DistrictRow {
  const rise = row.posts_before > 0 ? Math.round((row.posts / row.posts_before) * 100) / 100 : null
  return { ...row, rise, unanswered, trends }
}

/** "+40 %", "−25 %", "neu" (nothing before), "–" (nothing at all). */
export function riseText(locale: Locale, row: Pick<DistrictRow, 'rise' | 'posts'>): string {
  if (row.rise === null) return t(locale, row.posts > 0 ? 'trends.district.riseNew' : 'trends.district.riseNone')
  const percent = Math.round((row.rise - 1) * 100)
  const number = new Intl.NumberFormat(locale === 'en' ? 'en-GB' : 'de-DE', { signDisplay: 'exceptZero' }).format(percent)
  return t(locale, 'trends.district.risePercent', { percent: number.replace('-', '−') })
}

/** Biggest first for figures, A–Z for names; a rise from nothing counts as the biggest. */
export function sortDistricts(rows: DistrictRow[], sort: DistrictSort): DistrictRow[] {
  const byName = (a: DistrictRow, b: DistrictRow) => a.district.localeCompare(b.district, 'de', { numeric: true })
  const riseValue = (r: DistrictRow) => (r.rise ?? (r.posts > 0 ? Number.POSITIVE_INFINITY : -1))
  const value: Record<Exclude<DistrictSort, 'district'>, (r: DistrictRow) => number> = {
    municipalities: (r) => r.municipalities,
    active: (r) => r.active_municipalities,
    threads: (r) => r.threads,
    posts: (r) => r.posts,
    rise: riseValue,
    unanswered: (r) => r.unanswered,
    trends: (r) => r.trends,
  }
  if (sort === 'district') return [...rows].sort(byName)
  const of = value[sort]
  return [...rows].sort((a, b) => of(b) - of(a) || byName(a, b))
}

/** Every district as of `at` with its figures; `result` is the trend computation as of the same moment. */
export async function districtsAsOf(db: Db, at: Date, result: TrendingResult): Promise<DistrictRow[]> {
  const [activity, open] = await Promise.all([districtActivity(db, at), openQuestionsAsOf(db, at)])
  const openBy = new Map<string, number>()
  for (const q of open) if (q.district !== null) openBy.set(q.district, (openBy.get(q.district) ?? 0) + 1)
  return activity.map((row) => withFigures(row, openBy.get(row.district) ?? 0, trendsOf(result, row.district).length))
}

export type DistrictView = NonNullable<Awaited<ReturnType<typeof districtAsOf>>>

/** One district as of `at`: its figures, weekly activity, municipalities, trends and open questions; undefined if unknown. */
export async function districtAsOf(db: Db, district: string, at: Date, result: TrendingResult, locale: Locale) {
  const [summary] = await districtActivity(db, at, district)
  if (!summary) return undefined
  const weeks = weeksBefore(at)
  const halfYearFrom = new Date(at.getTime() - ACTIVITY_WEEKS * 7 * DAY_MS)
  const [weekly, municipalities, open, forums] = await Promise.all([
    weeklyDistrictActivity(db, district, ACTIVITY_WEEKS, at),
    municipalitiesOfDistrict(db, district, at, halfYearFrom),
    openQuestionsAsOf(db, at),
    forumNames(db),
  ])
  const byWeek = new Map(weekly.map((w) => [w.weeks_ago, w]))
  const activity = weeks.map(({ weeksAgo, week }) => ({ week, posts: byWeek.get(weeksAgo)?.posts ?? 0, municipalities: byWeek.get(weeksAgo)?.municipalities ?? 0 }))
  const forumName = (slug: string) => {
    const f = forums.find((x) => x.slug === slug)
    return f ? (locale === 'en' ? f.name_en : f.name_de) : slug
  }
  const trends = trendsOf(result, district)
  const unanswered = open.filter((q) => q.district === district)
  return {
    district,
    summary: withFigures(summary, unanswered.length, trends.length),
    activity,
    chart: CHART,
    postsSeries: [{ name: t(locale, 'trends.posts'), line: chartLine(activity.map((a) => a.posts)), className: 'chart-series-1' }],
    municipalitiesSeries: [{ name: t(locale, 'trends.district.active'), line: chartLine(activity.map((a) => a.municipalities)), className: 'chart-series-2' }],
    // In German order, numbers as numbers ("Testort 3" before "Testort 15"); SQL's collation may differ.
    municipalities: municipalities.sort((a, b) => a.name.localeCompare(b.name, 'de', { numeric: true }) || a.id - b.id),
    trends,
    unanswered: unanswered.map((q) => ({ ...q, forumName: forumName(q.forum) })),
  }
}
