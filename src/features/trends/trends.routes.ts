import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { t } from '../../lib/i18n.ts'
import districtsRoutes from './districts.routes.ts'
import { districtUrl } from './districts.service.ts'
import { TREND_VIEWERS } from './trends.access.ts'
import { radarAsOf } from './trends.radar.ts'
import { radarTableParams, stemParams } from './trends.schemas.ts'
import { asOfSearch, dashboardMoments } from './trends.snapshot.ts'
import { dayNumber, dayStart, postsBetween } from './trends.queries.ts'
import { stemsOf } from './trends.text.ts'
import { sendCsv, seriesText, sparkPoints, toCsv } from './trends.view.ts'

const viewers = { access: TREND_VIEWERS } as const
const districtLinks = (names: string[], asOf?: Date) => names.map((name) => ({ name, url: `${districtUrl(name)}${asOfSearch(asOf)}` }))

export default async function trendsRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  const moments = dashboardMoments(db, clock)
  const { moment, snapshot } = moments
  const query = asOfSearch
  await districtsRoutes(app, db, moments)

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
        districtLinks: districtLinks(term.district_names, asOf),
        spark: sparkPoints(term.series),
        sparkText: seriesText(locale, term.series),
      })),
      threads: result.threads,
      radarUrl: `/dashboard/radar${query(asOf)}`,
      districtsUrl: `/dashboard/districts${query(asOf)}`,
      currentPath: '/dashboard',
    })
  })

  // ---- Radar and activity: read live, they are plain aggregates over indexed columns ----
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
      return sendCsv(reply, table, toCsv(['created_at', 'forum', 'district', 'municipality', 'title', 'url'], rows))
    }
    if (table === 'unanswered-groups.csv') {
      return sendCsv(reply, table, toCsv(['forum', 'district', 'count'], radar.unansweredGroups.map((g) => [g.forum, g.district, g.count])))
    }
    if (table === 'silent.csv') {
      return sendCsv(reply, table, toCsv(['municipality', 'district', 'last_post_at'], radar.silent.map((m) => [m.name, m.district, m.last_post_at])))
    }
    if (table === 'participation.csv') {
      return sendCsv(reply, table, toCsv(['week', 'municipalities'], radar.participation.map((p) => [p.week, p.municipalities])))
    }
    return sendCsv(reply, table, toCsv(['week', ...radar.forums.map((f) => f.slug)], radar.activity.map((a) => [a.week, ...a.counts])))
  })

  app.get('/dashboard/terms.csv', { config: viewers }, async (request, reply) => {
    const { result } = await snapshot(request)
    const l = request.locale
    const header = ['term', 'label', 'score', 'municipalities', 'districts', 'posts', 'rise', 'window_days', 'district_names'].map((k) =>
      k === 'term' ? t(l, 'trends.term') : k,
    )
    const rows = result.terms.map((x) => [x.term, x.label, x.score, x.municipalities, x.districts, x.posts, x.rise, x.window_days, x.district_names.join(', ')])
    return sendCsv(reply, 'trends.csv', toCsv(header, rows))
  })

  app.get('/dashboard/threads.csv', { config: viewers }, async (request, reply) => {
    const { result } = await snapshot(request)
    const header = ['id', 'title', 'forum', 'score', 'municipalities', 'recent_municipalities']
    const rows = result.threads.map((x) => [x.id, x.title, x.forum, x.score, x.municipalities, x.recent_municipalities])
    return sendCsv(reply, 'trend-threads.csv', toCsv(header, rows))
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
      districtLinks: districtLinks(term.district_names, asOf),
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
    return sendCsv(reply, 'trend-posts.csv', body)
  })
}

