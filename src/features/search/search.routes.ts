import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import Handlebars from 'handlebars'
import type { AppDeps } from '../../app.ts'
import { keepValues, parseForm } from '../../lib/forms.ts'
import { registerHelpers } from '../../lib/handlebars-helpers.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { readEvery } from '../../lib/read-every.ts'
import { viewsDir } from '../../plugins/view.ts'
import { threadKinds } from '../threads/threads.table.ts'
import { classifyQuery, findSimilarThreads, type SearchFilters, type SearchHit, searchFilterOptions, searchThreads } from './search.queries.ts'
import { searchQuery, similarQuery } from './search.schemas.ts'
import { markSameWords, toSegments } from './search.snippet.ts'

const PAGE_SIZE = 20

/**
 * The filter's choices change a few times a year (a municipality joins or leaves), yet reading all 1,000
 * municipalities cost every search more than the search itself: they are read again after this long.
 */
export const FILTER_OPTIONS_TTL_MS = 60_000

export default async function searchRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  const filterOptions = readEvery(FILTER_OPTIONS_TTL_MS, clock, () => searchFilterOptions(db))

  app.get('/search', { config: { access: 'signed-in' } }, async (request, reply) => {
    const locale = request.locale
    const options = await filterOptions()
    const form = parseForm(searchQuery, request.query)
    const view = {
      title: t(locale, 'search.title'),
      ...filterChoices(options, locale),
      searchQuery: '',
    }
    if (!form.ok) return reply.page('search/index.hbs', { ...view, values: form.values, errors: form.errors }, 422)
    const query = form.data
    const values = { ...keepValues(request.query as Record<string, unknown>), q: query.q }
    const forum = query.forum === undefined ? undefined : options.forums.find((f) => f.slug === query.forum)
    if (query.forum !== undefined && !forum) {
      return reply.page('search/index.hbs', { ...view, values, errors: { forum: 'form.invalid' } }, 422)
    }
    const text = query.q.trim()
    const state = text ? await classifyQuery(db, text) : 'empty'
    if (state !== 'searchable') {
      return reply.page('search/index.hbs', { ...view, values, searchQuery: text, notice: `search.${state}` })
    }
    const filters: SearchFilters = {
      forumId: forum?.id,
      kind: query.kind,
      municipalityId: query.municipality,
      district: query.district,
      from: query.from,
      to: query.to,
    }
    const page = query.page ?? 1
    const result = await searchThreads(db, text, filters, { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE, now: clock.now() })
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE))
    const pageHref = (n: number) => `/search?${new URLSearchParams({ ...withoutEmpty(values), page: String(n) })}`
    return reply.page('search/index.hbs', {
      ...view,
      title: t(locale, 'search.resultsTitle', { q: text }),
      values,
      searchQuery: text,
      searched: true,
      hits: result.hits.map((hit) => hitView(hit, locale)),
      total: result.total,
      capped: result.capped,
      pagination:
        pages > 1
          ? { page, pages, previous: page > 1 ? pageHref(page - 1) : null, next: page < pages ? pageHref(page + 1) : null }
          : null,
    })
  })

  // The new-thread form asks here while the title is typed (public/js/app.js); the answer is an HTML fragment.
  const similarPartial = compileFragment('partials/similar-threads.hbs')
  app.get('/threads/similar', { config: { access: 'signed-in' } }, async (request, reply) => {
    const form = parseForm(similarQuery, request.query)
    const similar = form.ok ? await findSimilarThreads(db, form.data.title, { excludeId: form.data.exclude }) : []
    return reply.type('text/html; charset=utf-8').send(similarPartial({ similar, locale: request.locale }))
  })
}

type FilterOptions = Awaited<ReturnType<typeof searchFilterOptions>>

function filterChoices(options: FilterOptions, locale: Locale) {
  const any = { value: '', label: t(locale, 'search.any') }
  return {
    forumOptions: [any, ...options.forums.map((f) => ({ value: f.slug, label: locale === 'en' ? f.name_en : f.name_de }))],
    kindOptions: [any, ...threadKinds.map((k) => ({ value: k, label: t(locale, `search.kind.${k}`) }))],
    municipalityOptions: [any, ...options.municipalities.map((m) => ({ value: String(m.id), label: m.name }))],
    districtOptions: [any, ...options.districts.map((d) => ({ value: d, label: d }))],
  }
}

function hitView(hit: SearchHit, locale: Locale) {
  return {
    href: hit.position === 1 ? `/threads/${hit.thread_id}` : `/posts/${hit.post_id}`,
    title: markSameWords(hit.title, hit.title_headline),
    snippet: toSegments(hit.headline),
    kind: t(locale, `search.kind.${hit.kind}`),
    forum: locale === 'en' ? hit.forum_name_en : hit.forum_name_de,
    municipality: hit.municipality_name,
    date: hit.post_created_at,
    attachments: hit.attachment_names,
    solved: hit.solved,
  }
}

function withoutEmpty(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== '' && k !== 'page'))
}

/** A partial rendered on its own (no layout), with the same helpers as every page. */
function compileFragment(path: string) {
  const handlebars = Handlebars.create()
  registerHelpers(handlebars)
  return handlebars.compile(readFileSync(join(viewsDir, path), 'utf8'))
}
