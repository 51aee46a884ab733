import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import { DAY_MS } from './trends.queries.ts'

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
 * Reads posts_visible_municipality_created_idx alone: a short range per municipality.
 */
export async function districtActivity(db: Db, at: Date, district?: string): Promise<DistrictActivity[]> {
  const recent = new Date(at.getTime() - PERIOD_DAYS * DAY_MS)
  const before = new Date(at.getTime() - 2 * PERIOD_DAYS * DAY_MS)
  const only = (alias: string) => (district === undefined ? sql`` : sql`WHERE ${sql.ref(`${alias}.district`)} = ${district}`)
  const { rows } = await sql<DistrictActivity>`
    WITH per_municipality AS (
      SELECT p.municipality_id,
             count(*) FILTER (WHERE p.created_at >= ${recent})::integer AS posts,
             count(*) FILTER (WHERE p.created_at < ${recent})::integer AS posts_before,
             count(*) FILTER (WHERE p.position = 1 AND p.created_at >= ${recent})::integer AS threads,
             count(*) FILTER (WHERE p.position = 1 AND p.created_at < ${recent})::integer AS threads_before
      FROM (SELECT id FROM municipalities mm ${only('mm')}) mm
      JOIN posts p ON p.municipality_id = mm.id
        AND p.created_at >= ${before} AND p.created_at < ${at} AND p.deleted_at IS NULL AND p.hidden_at IS NULL
      WHERE ${inLiveThread}
      GROUP BY p.municipality_id
    ), marked AS (
      SELECT DISTINCT municipality_id FROM thread_concerns WHERE created_at >= ${recent} AND created_at < ${at}
    )
    SELECT m.district,
           count(*) FILTER (WHERE m.active OR m.deactivated_at > ${at})::integer AS municipalities,
           count(*) FILTER (WHERE pm.posts > 0 OR mk.municipality_id IS NOT NULL)::integer AS active_municipalities,
           coalesce(sum(pm.threads), 0)::integer AS threads,
           coalesce(sum(pm.threads_before), 0)::integer AS threads_before,
           coalesce(sum(pm.posts), 0)::integer AS posts,
           coalesce(sum(pm.posts_before), 0)::integer AS posts_before
    FROM municipalities m
    LEFT JOIN per_municipality pm ON pm.municipality_id = m.id
    LEFT JOIN marked mk ON mk.municipality_id = m.id
    ${only('m')}
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
  const recent = new Date(at.getTime() - PERIOD_DAYS * DAY_MS)
  const before = new Date(at.getTime() - 2 * PERIOD_DAYS * DAY_MS)
  const from = before < halfYearFrom ? before : halfYearFrom
  const { rows } = await sql<DistrictMunicipality>`
    WITH ms AS (SELECT id FROM municipalities WHERE district = ${district}),
    counts AS (
      SELECT p.municipality_id,
             count(*) FILTER (WHERE p.created_at >= ${recent})::integer AS posts,
             count(*) FILTER (WHERE p.created_at >= ${before} AND p.created_at < ${recent})::integer AS posts_before,
             count(*) FILTER (WHERE p.created_at >= ${halfYearFrom})::integer AS posts_half_year
      FROM ms JOIN posts p ON p.municipality_id = ms.id
        AND p.created_at >= ${from} AND p.created_at < ${at} AND p.deleted_at IS NULL AND p.hidden_at IS NULL
      WHERE ${inLiveThread}
      GROUP BY p.municipality_id
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
  const from = new Date(at.getTime() - weeks * 7 * DAY_MS)
  const { rows } = await sql<DistrictWeek>`
    WITH ms AS (SELECT id FROM municipalities WHERE district = ${district}),
    activity AS (
      SELECT p.municipality_id, p.created_at, true AS is_post
      FROM ms JOIN posts p ON p.municipality_id = ms.id
        AND p.created_at >= ${from} AND p.created_at < ${at} AND p.deleted_at IS NULL AND p.hidden_at IS NULL
      WHERE ${inLiveThread}
      UNION ALL
      SELECT c.municipality_id, c.created_at, false
      FROM thread_concerns c
      WHERE c.municipality_id IN (SELECT id FROM ms) AND c.created_at >= ${from} AND c.created_at < ${at}
    )
    SELECT floor(extract(epoch FROM (${at}::timestamptz - created_at)) / 604800)::integer AS weeks_ago,
           count(*) FILTER (WHERE is_post)::integer AS posts,
           count(DISTINCT municipality_id)::integer AS municipalities
    FROM activity
    GROUP BY 1
  `.execute(db)
  return rows
}
