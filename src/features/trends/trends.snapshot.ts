import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Clock } from '../../lib/clock.ts'
import { asOfQuery } from './trends.schemas.ts'
import { trendingAsOf, type TrendingResult } from './trends.service.ts'

const CACHE_SIZE = 32
const CACHE_MS = 60_000

export type Moment = { at: Date; asOf?: Date }

/**
 * "As of" for every dashboard view: `?at=` names a moment in the past (a later one means now), and
 * the trends as of a minute are computed once a minute, so a page and its CSV exports read the same result.
 */
export function dashboardMoments(db: Kysely<Database>, clock: Clock) {
  const cache = new Map<string, { result: TrendingResult; until: number }>()

  function moment(request: FastifyRequest): Moment {
    const now = clock.now()
    const { at: asked } = asOfQuery.parse(request.query)
    return { at: asked && asked < now ? asked : now, asOf: asked }
  }

  async function snapshot(request: FastifyRequest): Promise<Moment & { result: TrendingResult }> {
    const now = clock.now()
    const { at, asOf } = moment(request)
    const key = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString()
    const hit = cache.get(key)
    if (hit && hit.until > now.getTime()) return { result: hit.result, at, asOf }
    const result = await trendingAsOf(db, new Date(key), now)
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!)
    cache.set(key, { result, until: now.getTime() + CACHE_MS })
    return { result, at, asOf }
  }

  return { moment, snapshot }
}

export type DashboardMoments = ReturnType<typeof dashboardMoments>

/** The query string that keeps a view "as of" when linking to another one. */
export const asOfSearch = (asOf?: Date) => (asOf ? `?${new URLSearchParams({ at: asOf.toISOString() })}` : '')
