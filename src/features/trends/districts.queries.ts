import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import { activityUpTo, daySql, firstDayFrom, lastDayBefore, lastDaySql } from './activity.queries.ts'

type Db = Kysely<Database>

// Districts are what municipalities.district says. "Visible" posts are those neither deleted nor
// hidden, in threads not deleted. A municipality is a member at `at` unless it was deactivated before.

/** The weeks compared on the district views: the last four against the four before. */
export const PERIOD_DAYS = 28

export type DistrictActivity = {
  district: string
  municipalities: number
  active_municipalities: number
  threads: number
  threads_before: number
  posts: number
  posts_before: number
}

// Posts in deleted threads are left out by an anti-join against the few deleted threads (threads_deleted_idx).
const inLiveThread = sql`NOT EXISTS (SELECT 1 FROM threads t WHERE t.id = p.thread_id AND t.deleted_at IS NOT NULL)`

/**
 * Per district as of `at`: member municipalities, municipalities active in the last four weeks (a post or
 * a "betrifft uns auch"), threads opened and posts written in the last four weeks and in the four before.
 * Whole days from activity_days (see activity.queries.ts): 28 days ending with the last day before `at`.
 */
export async function districtActivity(db: Db, at: Date, district?: string): Promise<DistrictActivity[]> {
  const last = lastDayBefore(at)
  const recent = last - PERIOD_DAYS + 1
  const before = last - 2 * PERIOD_DAYS + 1
  const ofDistrict = district === undefined ? undefined : sql`SELECT id FROM municipalities WHERE district = ${district}`
  const only = district === undefined ? sql`` : sql`WHERE m.district = ${district}`
  const { rows } = await sql<DistrictActivity>`
    WITH per_municipality AS (
      SELECT a.municipality_id,
             sum(a.visible_posts) FILTER (WHERE a.day >= ${daySql(recent)})::integer AS posts,
             sum(a.visible_posts) FILTER (WHERE a.day < ${daySql(recent)})::integer AS posts_before,
             sum(a.visible_threads) FILTER (WHERE a.day >= ${daySql(recent)})::integer AS threads,
             sum(a.visible_threads) FILTER (WHERE a.day < ${daySql(recent)})::integer AS threads_before,
             bool_or(a.marks > 0 AND a.day >= ${daySql(recent)}) AS marked
      FROM (${activityUpTo(before, at, ofDistrict)}) a
      WHERE a.municipality_id IS NOT NULL
      GROUP BY a.municipality_id
    )
    SELECT m.district,
           count(*) FILTER (WHERE m.active OR m.deactivated_at > ${at})::integer AS municipalities,
           count(*) FILTER (WHERE pm.posts > 0 OR pm.marked)::integer AS active_municipalities,
           coalesce(sum(pm.threads), 0)::integer AS threads,
           coalesce(sum(pm.threads_before), 0)::integer AS threads_before,
           coalesce(sum(pm.posts), 0)::integer AS posts,
           coalesce(sum(pm.posts_before), 0)::integer AS posts_before
    FROM municipalities m
    LEFT JOIN per_municipality pm ON pm.municipality_id = m.id
    ${only}
    GROUP BY m.district
    ORDER BY m.district
  `.execute(db)
  return rows
}

export type DistrictMunicipality = {
  id: number
  name: string
  kind: string
  member: boolean
  last_activity_at: Date | null
  posts: number
  posts_before: number
  posts_half_year: number
}

/**
 * The municipalities of a district with their last activity before `at` (post or "betrifft uns auch")
 * and their visible posts in the last four weeks, the four before and since `halfYearFrom`.
 */
export async function municipalitiesOfDistrict(db: Db, district: string, at: Date, halfYearFrom: Date): Promise<DistrictMunicipality[]> {
  const last = lastDayBefore(at)
  const recent = last - PERIOD_DAYS + 1
  const before = last - 2 * PERIOD_DAYS + 1
  const halfYear = firstDayFrom(halfYearFrom)
  const from = Math.min(before, halfYear)
  const { rows } = await sql<DistrictMunicipality>`
    WITH ms AS (SELECT id FROM municipalities WHERE district = ${district}),
    counts AS (
      SELECT a.municipality_id,
             coalesce(sum(a.visible_posts) FILTER (WHERE a.day >= ${daySql(recent)}), 0)::integer AS posts,
             coalesce(sum(a.visible_posts) FILTER (WHERE a.day >= ${daySql(before)} AND a.day < ${daySql(recent)}), 0)::integer AS posts_before,
             coalesce(sum(a.visible_posts) FILTER (WHERE a.day >= ${daySql(halfYear)}), 0)::integer AS posts_half_year
      FROM (${activityUpTo(from, at, sql`SELECT id FROM ms`)}) a
      GROUP BY a.municipality_id
    ), marks AS (
      SELECT municipality_id, max(created_at) AS at FROM thread_concerns
      WHERE municipality_id IN (SELECT id FROM ms) AND created_at < ${at}
      GROUP BY municipality_id
    )
    SELECT m.id, m.name, m.kind, (m.active OR m.deactivated_at > ${at}) AS member,
           greatest(last_post.at, marks.at) AS last_activity_at,
           coalesce(counts.posts, 0) AS posts,
           coalesce(counts.posts_before, 0) AS posts_before,
           coalesce(counts.posts_half_year, 0) AS posts_half_year
    FROM municipalities m
    LEFT JOIN LATERAL (
      SELECT p.created_at AS at FROM posts p
      WHERE p.municipality_id = m.id AND p.created_at < ${at} AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND ${inLiveThread}
      ORDER BY p.created_at DESC
      LIMIT 1
    ) last_post ON true
    LEFT JOIN counts ON counts.municipality_id = m.id
    LEFT JOIN marks ON marks.municipality_id = m.id
    WHERE m.district = ${district}
    ORDER BY m.name, m.id
  `.execute(db)
  return rows
}

export type DistrictWeek = { weeks_ago: number; posts: number; municipalities: number }

/** Per week back from `at` (0 = the last 7 days): visible posts of the district and its active municipalities. */
export async function weeklyDistrictActivity(db: Db, district: string, weeks: number, at: Date): Promise<DistrictWeek[]> {
  const firstDay = lastDayBefore(at) - weeks * 7 + 1
  const { rows } = await sql<DistrictWeek>`
    SELECT ((${lastDaySql(at)} - a.day) / 7)::integer AS weeks_ago,
           sum(a.visible_posts)::integer AS posts,
           count(DISTINCT a.municipality_id)::integer AS municipalities
    FROM (${activityUpTo(firstDay, at, sql`SELECT id FROM municipalities WHERE district = ${district}`)}) a
    WHERE a.visible_posts > 0 OR a.marks > 0
    GROUP BY 1
  `.execute(db)
  return rows
}
