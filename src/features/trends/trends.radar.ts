import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale } from '../../lib/i18n.ts'
import { t } from '../../lib/i18n.ts'
import { CHART, chartLine } from './trends.view.ts'
import { dayDate, lastDayBefore } from './activity.queries.ts'
import { DAY_MS, forumNames, silentMunicipalities, unansweredQuestions, weeklyActivity, weeklyParticipation } from './trends.queries.ts'

/** The activity charts look back this many weeks. */
export const ACTIVITY_WEEKS = 26

/**
 * The weeks back from `at`, oldest first: `weeksAgo` 0 is the 7 days ending with the last day before `at`
 * (whole UTC days, the day of `at` up to `at`), `week` the day it starts.
 */
export function weeksBefore(at: Date, weeks = ACTIVITY_WEEKS) {
  const last = lastDayBefore(at)
  return Array.from({ length: weeks }, (_, i) => {
    const weeksAgo = weeks - 1 - i
    return { weeksAgo, week: dayDate(last - weeksAgo * 7 - 6) }
  })
}

/** Open questions as the radar counts them: asked in the last 60 days, unanswered by anyone else after three. */
export function openQuestionsAsOf(db: Kysely<Database>, at: Date) {
  const ago = (days: number) => new Date(at.getTime() - days * DAY_MS)
  return unansweredQuestions(db, ago(60), ago(3), at)
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
  const unanswered = await openQuestionsAsOf(db, at)
  const groups = new Map<string, { forum: string; district: string; count: number }>()
  for (const q of unanswered) {
    const district = q.district ?? t(locale, 'trends.radar.noDistrict')
    const key = `${q.forum}|${district}`
    const g = groups.get(key) ?? { forum: forumName(q.forum), district, count: 0 }
    g.count++
    groups.set(key, g)
  }
  const silent = await silentMunicipalities(db, ago(28 + 90), ago(28), at)

  const weeks = weeksBefore(at)
  const participationRows = new Map((await weeklyParticipation(db, ACTIVITY_WEEKS, at)).map((r) => [r.weeks_ago, r.municipalities]))
  const participation = weeks.map(({ weeksAgo, week }) => ({ week, municipalities: participationRows.get(weeksAgo) ?? 0 }))
  const activityRows = await weeklyActivity(db, ACTIVITY_WEEKS, at)
  const activity = weeks.map(({ weeksAgo, week }) => ({
    week,
    counts: forums.map((f) => activityRows.find((r) => r.weeks_ago === weeksAgo && r.forum === f.slug)?.posts ?? 0),
  }))
  const maxActivity = Math.max(1, ...activity.flatMap((a) => a.counts))
  const maxParticipation = Math.max(1, ...participation.map((p) => p.municipalities))
  return {
    unansweredGroups: [...groups.values()].sort((a, b) => b.count - a.count || a.forum.localeCompare(b.forum, 'de') || a.district.localeCompare(b.district, 'de')),
    unanswered: unanswered.map((q) => ({ ...q, forumName: forumName(q.forum) })),
    silent,
    participation,
    participationSeries: [{ name: t(locale, 'trends.municipalities'), line: chartLine(participation.map((p) => p.municipalities), maxParticipation), className: 'chart-series-1' }],
    forums: forums.map((f, i) => ({
      slug: f.slug,
      name: forumName(f.slug),
      line: chartLine(activity.map((a) => a.counts[i]!), maxActivity),
      className: `chart-series-${i + 1}`,
    })),
    activity,
    chart: CHART,
  }
}
