import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { t } from '../../lib/i18n.ts'
import { TREND_VIEWERS } from './trends.access.ts'
import { radarAsOf } from './trends.radar.ts'
import { asOfQuery, radarTableParams, stemParams } from './trends.schemas.ts'
import { dayNumber, dayStart, loadSnapshot, postsBetween } from './trends.queries.ts'
import { trendingAsOf, type TrendingResult } from './trends.service.ts'
import { stemsOf } from './trends.text.ts'
import { seriesText, sparkPoints, toCsv } from './trends.view.ts'

const viewers = { access: TREND_VIEWERS } as const
const CACHE_SIZE = 32
const CACHE_MS = 60_000
/** The job stores the trends every 5 minutes (trends.job.ts); an older snapshot means it is not running. */
const SNAPSHOT_MAX_AGE_MS = 10 * 60_000

export default async function trendsRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  // A snapshot per minute asked for: the page and its CSV exports read the same result.
  const cache = new Map<string, { result: TrendingResult; until: number }>()
  async function snapshot(request: FastifyRequest): Promise<{ result: TrendingResult; at: Date; asOf?: Date }> {
    const now = clock.now()
    const { at: asked } = asOfQuery.parse(request.query)
    const at = asked && asked < now ? asked : now
    const key = new Date(Math.floor(at.getTime() / 60_000) * 60_000).toISOString()
    const hit = cache.get(key)
    if (hit && hit.until > now.getTime()) return { result: hit.result, at, asOf: asked }
    // The present is what the job computed last, while that is recent: a cold view computes nothing.
    const stored = asked ? undefined : await loadSnapshot(db)
    const fresh = stored && stored.at <= now && now.getTime() - stored.at.getTime() < SNAPSHOT_MAX_AGE_MS
    const result = fresh ? (stored.result as TrendingResult) : await trendingAsOf(db, new Date(key), now)
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!)
    cache.set(key, { result, until: now.getTime() + CACHE_MS })
    return { result, at, asOf: asked }
  }

  const query = (asOf?: Date) => (asOf ? `?${new URLSearchParams({ at: asOf.toISOString() })}` : '')

  app.get('/dashboard', { config: viewers }, async (request, reply) => {
    const locale = request.locale
    const { result, asOf } = await snapshot(request)
    return reply.page('trends/index.hbs', {
      title: t(locale, 'trends.title'),
      asOf,
      asOfValue: asOf ? asOf.toISOString().slice(0, 10) : '',
      query: query(asOf),
      terms: result.terms.map((term) => ({
        ...term,
        drillUrl: `/dashboard/terms/${encodeURIComponent(term.stem)}${query(asOf)}`,
        spark: sparkPoints(term.series),
        sparkText: seriesText(locale, term.series),
      })),
      threads: result.threads,
      radarUrl: `/dashboard/radar${query(asOf)}`,
      currentPath: '/dashboard',
    })
  })

  // ---- Radar and activity: read live, they are plain aggregates over indexed columns ----
  function moment(request: FastifyRequest) {
    const now = clock.now()
    const { at: asked } = asOfQuery.parse(request.query)
    return { at: asked && asked < now ? asked : now, asOf: asked }
  }

  app.get('/dashboard/radar', { config: viewers }, async (request, reply) => {
    const { at, asOf } = moment(request)
    const radar = await radarAsOf(db, at, request.locale)
    return reply.page('trends/radar.hbs', {
      title: t(request.locale, 'trends.radar.title'),
      ...radar,
      asOf,
      query: query(asOf),
      currentPath: '/dashboard',
    })
  })

  app.get('/dashboard/radar/:table', { config: viewers }, async (request, reply) => {
    const parsed = radarTableParams.safeParse(request.params)
    if (!parsed.success) throw notFound()
    const { at } = moment(request)
    const radar = await radarAsOf(db, at, request.locale)
    const table = parsed.data.table
    if (table === 'unanswered.csv') {
      const rows = radar.unanswered.map((q) => [q.created_at, q.forum, q.district ?? '', q.municipality ?? '', q.title, `/threads/${q.id}`])
      return csv(reply, table, toCsv(['created_at', 'forum', 'district', 'municipality', 'title', 'url'], rows))
    }
    if (table === 'unanswered-groups.csv') {
      return csv(reply, table, toCsv(['forum', 'district', 'count'], radar.unansweredGroups.map((g) => [g.forum, g.district, g.count])))
    }
    if (table === 'silent.csv') {
      return csv(reply, table, toCsv(['municipality', 'district', 'last_post_at'], radar.silent.map((m) => [m.name, m.district, m.last_post_at])))
    }
    if (table === 'participation.csv') {
      return csv(reply, table, toCsv(['week', 'municipalities'], radar.participation.map((p) => [p.week, p.municipalities])))
    }
    return csv(reply, table, toCsv(['week', ...radar.forums.map((f) => f.slug)], radar.activity.map((a) => [a.week, ...a.counts])))
  })

  app.get('/dashboard/terms.csv', { config: viewers }, async (request, reply) => {
    const { result } = await snapshot(request)
    const l = request.locale
    const header = ['term', 'label', 'score', 'municipalities', 'districts', 'posts', 'rise', 'window_days', 'district_names'].map((k) =>
      k === 'term' ? t(l, 'trends.term') : k,
    )
    const rows = result.terms.map((x) => [x.term, x.label, x.score, x.municipalities, x.districts, x.posts, x.rise, x.window_days, x.district_names.join(', ')])
    return csv(reply, 'trends.csv', toCsv(header, rows))
  })

  app.get('/dashboard/threads.csv', { config: viewers }, async (request, reply) => {
    const { result } = await snapshot(request)
    const header = ['id', 'title', 'forum', 'score', 'municipalities', 'recent_municipalities']
    const rows = result.threads.map((x) => [x.id, x.title, x.forum, x.score, x.municipalities, x.recent_municipalities])
    return csv(reply, 'trend-threads.csv', toCsv(header, rows))
  })

  async function drill(request: FastifyRequest) {
    const parsed = stemParams.safeParse(request.params)
    const { result, at, asOf } = await snapshot(request)
    const term = parsed.success ? result.terms.find((x) => x.stems.includes(parsed.data.stem)) : undefined
    if (!term) return { term: undefined, asOf, posts: [], municipalities: [] }
    const from = dayStart(dayNumber(at) + 1 - term.window_days)
    // The posts of the theme: written in its window and using one of its stems.
    const pairs = (await postsBetween(db, from, at)).filter((p) => {
      const stems = stemsOf(p.position === 1 ? `${p.title}\n${p.body}` : p.body)
      return term.stems.some((s) => stems.has(s))
    })
    const byMunicipality = new Map<number, { name: string; district: string; posts: number }>()
    for (const p of pairs) {
      const m = byMunicipality.get(p.municipality_id) ?? { name: p.municipality, district: p.district, posts: 0 }
      m.posts++
      byMunicipality.set(p.municipality_id, m)
    }
    const municipalities = [...byMunicipality.values()].sort((a, b) => b.posts - a.posts || a.name.localeCompare(b.name, 'de'))
    return { term, asOf, posts: pairs, municipalities }
  }

  app.get('/dashboard/terms/:stem', { config: viewers }, async (request, reply) => {
    const locale = request.locale
    const { term, asOf, posts, municipalities } = await drill(request)
    if (!term) {
      return reply.page('trends/term.hbs', { title: t(locale, 'trends.nav'), notTrending: true, query: query(asOf), currentPath: '/dashboard' }, 404)
    }
    return reply.page('trends/term.hbs', {
      title: t(locale, 'trends.drill.title', { label: term.label }),
      term,
      days: term.window_days,
      query: query(asOf),
      csvUrl: `/dashboard/terms/${encodeURIComponent(term.stem)}/posts.csv${query(asOf)}`,
      municipalities,
      posts: posts.slice(0, 200).map((p) => ({ ...p, excerpt: p.body.length > 240 ? `${p.body.slice(0, 240)}…` : p.body })),
      currentPath: '/dashboard',
    })
  })

  app.get('/dashboard/terms/:stem/posts.csv', { config: viewers }, async (request, reply) => {
    const { term, posts } = await drill(request)
    const rows = posts.map((p) => [p.created_at, p.municipality, p.district, p.forum, p.title, `/threads/${p.thread_id}`, p.body])
    const body = toCsv(['created_at', 'municipality', 'district', 'forum', 'thread', 'url', 'body'], rows)
    if (!term) reply.code(404)
    return csv(reply, 'trend-posts.csv', body)
  })
}

function csv(reply: FastifyReply, name: string, body: string) {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body)
}
