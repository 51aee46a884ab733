import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale } from '../../lib/i18n.ts'
import { t } from '../../lib/i18n.ts'
import { DAY_MS, forumNames, silentMunicipalities, unansweredQuestions, weeklyActivity, weeklyParticipation } from './trends.queries.ts'

const WEEKS = 26
const CHART = { width: 640, height: 160, pad: 4 }

/** Points of a line over the chart area for a series (oldest first). */
function line(series: number[], max: number): string {
  const step = (CHART.width - 2 * CHART.pad) / Math.max(1, series.length - 1)
  return series
    .map((v, i) => `${(CHART.pad + i * step).toFixed(1)},${(CHART.height - CHART.pad - (v / Math.max(1, max)) * (CHART.height - 2 * CHART.pad)).toFixed(1)}`)
    .join(' ')
}

export type Radar = Awaited<ReturnType<typeof radarAsOf>>

/** The radar and activity views as of `at`: only what was written before `at` counts. */
export async function radarAsOf(db: Kysely<Database>, at: Date, locale: Locale) {
  const ago = (days: number) => new Date(at.getTime() - days * DAY_MS)
  const forums = await forumNames(db)
  const forumName = (slug: string) => {
    const f = forums.find((x) => x.slug === slug)
    return f ? (locale === 'en' ? f.name_en : f.name_de) : slug
  }
  const unanswered = await unansweredQuestions(db, ago(60), ago(3), at)
  const groups = new Map<string, { forum: string; district: string; count: number }>()
  for (const q of unanswered) {
    const district = q.district ?? t(locale, 'trends.radar.noDistrict')
    const key = `${q.forum}|${district}`
    const g = groups.get(key) ?? { forum: forumName(q.forum), district, count: 0 }
    g.count++
    groups.set(key, g)
  }
  const silent = await silentMunicipalities(db, ago(28 + 90), ago(28), at)

  const weekStart = (weeksAgo: number) => ago((weeksAgo + 1) * 7).toISOString().slice(0, 10)
  const weeks = Array.from({ length: WEEKS }, (_, i) => WEEKS - 1 - i) // oldest first
  const participationRows = new Map((await weeklyParticipation(db, WEEKS, at)).map((r) => [r.weeks_ago, r.municipalities]))
  const participation = weeks.map((w) => ({ week: weekStart(w), municipalities: participationRows.get(w) ?? 0 }))
  const activityRows = await weeklyActivity(db, WEEKS, at)
  const activity = weeks.map((w) => ({
    week: weekStart(w),
    counts: forums.map((f) => activityRows.find((r) => r.weeks_ago === w && r.forum === f.slug)?.posts ?? 0),
  }))
  const maxActivity = Math.max(1, ...activity.flatMap((a) => a.counts))
  const maxParticipation = Math.max(1, ...participation.map((p) => p.municipalities))
  return {
    unansweredGroups: [...groups.values()].sort((a, b) => b.count - a.count || a.forum.localeCompare(b.forum, 'de') || a.district.localeCompare(b.district, 'de')),
    unanswered: unanswered.map((q) => ({ ...q, forumName: forumName(q.forum) })),
    silent,
    participation,
    participationLine: line(participation.map((p) => p.municipalities), maxParticipation),
    forums: forums.map((f, i) => ({
      slug: f.slug,
      name: forumName(f.slug),
      line: line(activity.map((a) => a.counts[i]!), maxActivity),
      className: `chart-series-${i + 1}`,
    })),
    activity,
    chart: CHART,
  }
}
