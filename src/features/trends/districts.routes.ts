import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { notFound } from '../../lib/errors.ts'
import { t } from '../../lib/i18n.ts'
import { districtAsOf, districtsAsOf, districtUrl, riseText, sortDistricts } from './districts.service.ts'
import { TREND_VIEWERS } from './trends.access.ts'
import { districtParams, districtSorts, districtsQuery, districtTableParams, type DistrictSort } from './trends.schemas.ts'
import { asOfSearch, type DashboardMoments } from './trends.snapshot.ts'
import { sendCsv, toCsv } from './trends.view.ts'

const viewers = { access: TREND_VIEWERS } as const

/** Column labels of the district table, in the order shown (the keys are the `?sort=` values). */
const columnLabels: Record<DistrictSort, string> = {
  district: 'trends.drill.district',
  municipalities: 'trends.municipalities',
  active: 'trends.district.active4',
  threads: 'trends.district.threads4',
  posts: 'trends.district.posts4',
  rise: 'trends.district.rise',
  unanswered: 'trends.district.unanswered',
  trends: 'trends.district.trends',
}

/** The district view of the dashboard: all districts side by side, and one district in depth. */
export default async function districtsRoutes(app: FastifyInstance, db: Kysely<Database>, { snapshot }: DashboardMoments) {
  const withQuery = (path: string, params: Record<string, string | undefined>) => {
    const search = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined))
    return search.size ? `${path}?${search}` : path
  }

  async function districts(request: FastifyRequest) {
    const { result, at, asOf } = await snapshot(request)
    const { sort } = districtsQuery.parse(request.query)
    return { rows: sortDistricts(await districtsAsOf(db, at, result), sort), sort, asOf }
  }

  app.get('/dashboard/districts', { config: viewers }, async (request, reply) => {
    const locale = request.locale
    const { rows, sort, asOf } = await districts(request)
    const at = asOf?.toISOString()
    return reply.page('trends/districts.hbs', {
      title: t(locale, 'trends.district.listTitle'),
      asOf,
      asOfValue: at ? at.slice(0, 10) : '',
      sort,
      query: asOfSearch(asOf),
      columns: districtSorts.map((key) => ({
        label: t(locale, columnLabels[key]),
        href: withQuery('/dashboard/districts', { sort: key === 'district' ? undefined : key, at }),
        ariaSort: key === sort ? (key === 'district' ? 'ascending' : 'descending') : undefined,
      })),
      rows: rows.map((r) => ({ ...r, url: `${districtUrl(r.district)}${asOfSearch(asOf)}`, riseText: riseText(locale, r) })),
      csvUrl: withQuery('/dashboard/districts.csv', { sort: sort === 'district' ? undefined : sort, at }),
    })
  })

  app.get('/dashboard/districts.csv', { config: viewers }, async (request, reply) => {
    const { rows } = await districts(request)
    const header = ['district', 'municipalities', 'active_municipalities', 'threads', 'threads_before', 'posts', 'posts_before', 'rise', 'open_questions', 'trends', 'url']
    const body = rows.map((r) => [r.district, r.municipalities, r.active_municipalities, r.threads, r.threads_before, r.posts, r.posts_before, r.rise ?? '', r.unanswered, r.trends, districtUrl(r.district)])
    return sendCsv(reply, 'districts.csv', toCsv(header, body))
  })

  async function district(request: FastifyRequest, district: string) {
    const { result, at, asOf } = await snapshot(request)
    const view = await districtAsOf(db, district, at, result, request.locale)
    if (!view) throw notFound('trends.district.notFound')
    return { view, asOf }
  }

  app.get('/dashboard/districts/:district', { config: viewers }, async (request, reply) => {
    const parsed = districtParams.safeParse(request.params)
    if (!parsed.success) throw notFound('trends.district.notFound')
    const locale = request.locale
    const { view, asOf } = await district(request, parsed.data.district)
    const query = asOfSearch(asOf)
    const base = districtUrl(view.district)
    return reply.page('trends/district.hbs', {
      title: t(locale, 'trends.district.title', { district: view.district }),
      ...view,
      riseText: riseText(locale, view.summary),
      trends: view.trends.map((x) => ({ ...x, drillUrl: `/dashboard/terms/${encodeURIComponent(x.stem)}${query}` })),
      asOf,
      query,
      csv: Object.fromEntries(['weeks', 'municipalities', 'trends', 'unanswered'].map((k) => [k, `${base}/${k}.csv${query}`])),
    })
  })

  app.get('/dashboard/districts/:district/:table', { config: viewers }, async (request, reply) => {
    const parsed = districtTableParams.safeParse(request.params)
    if (!parsed.success) throw notFound('trends.district.notFound')
    const { view } = await district(request, parsed.data.district)
    const table = parsed.data.table
    const name = `${asciiName(view.district)}-${table}`
    if (table === 'weeks.csv') {
      return sendCsv(reply, name, toCsv(['week', 'posts', 'active_municipalities'], view.activity.map((w) => [w.week, w.posts, w.municipalities])))
    }
    if (table === 'municipalities.csv') {
      const header = ['municipality', 'kind', 'member', 'last_activity_at', 'posts', 'posts_before', 'posts_26_weeks', 'url']
      const rows = view.municipalities.map((m) => [m.name, m.kind, m.member, m.last_activity_at, m.posts, m.posts_before, m.posts_half_year, `/municipalities/${m.id}`])
      return sendCsv(reply, name, toCsv(header, rows))
    }
    if (table === 'trends.csv') {
      const header = ['term', 'label', 'score', 'municipalities', 'districts', 'rise', 'window_days', 'url']
      const rows = view.trends.map((x) => [x.term, x.label, x.score, x.municipalities, x.districts, x.rise, x.window_days, `/dashboard/terms/${encodeURIComponent(x.stem)}`])
      return sendCsv(reply, name, toCsv(header, rows))
    }
    const rows = view.unanswered.map((q) => [q.created_at, q.forum, q.municipality ?? '', q.title, `/threads/${q.id}`])
    return sendCsv(reply, name, toCsv(['created_at', 'forum', 'municipality', 'title', 'url'], rows))
  })
}

/** A file name people recognise, in plain ASCII for the Content-Disposition header: "Landkreis Göttingen" → "Landkreis-Gottingen". */
function asciiName(text: string): string {
  return text.replace(/ß/g, 'ss').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'district'
}
