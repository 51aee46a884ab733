import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import { loadSnapshot } from './trends.queries.ts'
import { asOfQuery } from './trends.schemas.ts'
import { trendingAsOf, type TrendingResult } from './trends.service.ts'

const CACHE_SIZE = 32
const CACHE_MS = 60_000
/** The index job stores the trends every 5 minutes (trends.job.ts); an older snapshot means it is not running. */
const SNAPSHOT_MAX_AGE_MS = 10 * 60_000
const caches = new WeakMap<Kysely<Database>, Map<string, { result: Promise<TrendingResult>; until: number }>>()

/**
 * The trends as of `at` (to the minute), computed at most once a minute per database: the dashboard,
 * its CSV exports, the district view and the watchlist page read the same result. Requests that arrive
 * while it is being read or computed wait for that one computation: when a minute turns, fifty staff
 * requests at once would otherwise each load the stored state (or compute the trends) for themselves.
 */
export async function trendingSnapshot(db: Kysely<Database>, at: Date, now: Date): Promise<TrendingResult> {
  let cache = caches.get(db)
  if (!cache) caches.set(db, (cache = new Map()))
  const key = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString()
  const hit = cache.get(key)
  if (hit && hit.until > now.getTime()) return hit.result
  const result = storedOrComputed(db, at, now, key)
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!)
  const entry = { result, until: now.getTime() + CACHE_MS }
  cache.set(key, entry)
  // A failed computation (the database gone for a moment) is not kept: the next request tries again.
  result.catch(() => {
    if (cache.get(key) === entry) cache.delete(key)
  })
  return result
}

async function storedOrComputed(db: Kysely<Database>, at: Date, now: Date, key: string): Promise<TrendingResult> {
  // The present is what the job computed last, while that is recent: a cold view computes nothing.
  const stored = at.getTime() >= now.getTime() ? await loadSnapshot(db) : undefined
  const fresh = stored && stored.at <= now && now.getTime() - stored.at.getTime() < SNAPSHOT_MAX_AGE_MS
  return fresh ? (stored.result as TrendingResult) : trendingAsOf(db, new Date(key), now)
}

export type Moment = { at: Date; asOf?: Date }

/** "As of" for every dashboard view: `?at=` names a moment in the past (a later one means now). */
export function dashboardMoments(db: Kysely<Database>, clock: Clock) {
  function moment(request: FastifyRequest): Moment {
    const now = clock.now()
    const { at: asked } = asOfQuery.parse(request.query)
    return { at: asked && asked < now ? asked : now, asOf: asked }
  }

  async function snapshot(request: FastifyRequest): Promise<Moment & { result: TrendingResult }> {
    const { at, asOf } = moment(request)
    return { result: await trendingSnapshot(db, at, clock.now()), at, asOf }
  }

  return { moment, snapshot }
}

export type DashboardMoments = ReturnType<typeof dashboardMoments>

/** The query string that keeps a view "as of" when linking to another one. */
export const asOfSearch = (asOf?: Date) => (asOf ? `?${new URLSearchParams({ at: asOf.toISOString() })}` : '')
