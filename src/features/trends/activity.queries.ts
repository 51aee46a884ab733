import { sql } from 'kysely'

const DAY_MS = 86_400_000

// The dashboard counts activity in whole UTC days, from activity_days (kept by triggers, see migration
// 20261202700000_create_activity_days), plus the day `at` falls in, read from posts up to `at`.
// A window "the N days before `at`" is the N days ending with the last day that has a moment before
// `at` (at midnight: the day before): weeks are 7 such days, "the last four weeks" 28. A window that
// starts inside a day starts with the next day; so what moves out of a window moves out at midnight.

/** Days since 1970-01-01 (UTC). */
const dayNumber = (at: Date) => Math.floor(at.getTime() / DAY_MS)
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10)

/** The last day with a moment before `at`. */
export const lastDayBefore = (at: Date) => Math.ceil(at.getTime() / DAY_MS) - 1

/** The first whole day at or after `from`. */
export const firstDayFrom = (from: Date) => Math.ceil(from.getTime() / DAY_MS)

/** The date of a day number, YYYY-MM-DD. */
export const dayDate = isoDay

/** `lastDayBefore(at)` as an SQL date, to count back from (`lastDay - day` = days ago). */
export const lastDaySql = (at: Date) => sql`${isoDay(lastDayBefore(at))}::date`

/** A first day as an SQL date. */
export const daySql = (day: number) => sql`${isoDay(day)}::date`

/**
 * Activity rows (day, municipality_id, forum_id, all_posts, posts, visible_posts, visible_threads, marks)
 * from `firstDay` up to `at`, optionally only of the municipalities a subquery yields.
 */
export function activityUpTo(firstDay: number, at: Date, municipalities?: ReturnType<typeof sql>) {
  const today = dayNumber(at)
  const todayStart = new Date(today * DAY_MS)
  const only = (column: 'a.municipality_id' | 'p.municipality_id' | 'c.municipality_id') => (municipalities === undefined ? sql`` : sql`AND ${sql.ref(column)} IN (${municipalities})`)
  const stored = sql`
    SELECT a.day, a.municipality_id, a.forum_id, a.all_posts, a.posts, a.visible_posts, a.visible_threads, a.marks
    FROM activity_days a
    WHERE a.day >= ${isoDay(firstDay)}::date AND a.day < ${isoDay(today)}::date ${only('a.municipality_id')}
  `
  if (today < firstDay) return stored
  return sql`
    ${stored}
    UNION ALL
    SELECT ${isoDay(today)}::date, p.municipality_id, t.forum_id, 1,
           (t.deleted_at IS NULL)::integer,
           (t.deleted_at IS NULL AND p.hidden_at IS NULL)::integer,
           (t.deleted_at IS NULL AND p.hidden_at IS NULL AND p.position = 1)::integer,
           0
    FROM posts p JOIN threads t ON t.id = p.thread_id
    WHERE p.deleted_at IS NULL AND p.created_at >= ${todayStart} AND p.created_at < ${at} ${only('p.municipality_id')}
    UNION ALL
    SELECT ${isoDay(today)}::date, c.municipality_id, t.forum_id, 0, 0, 0, 0, 1
    FROM thread_concerns c JOIN threads t ON t.id = c.thread_id
    WHERE c.created_at >= ${todayStart} AND c.created_at < ${at} ${only('c.municipality_id')}
  `
}
