import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { badRequest, notFound } from '../../lib/errors.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { readEvery } from '../../lib/read-every.ts'
import { threadKinds } from '../threads/threads.table.ts'
import { listDistricts, listForums, listThreads, NEW_SINCE_CAP, recordForumVisit, startPageActivity } from './forums.queries.ts'
import { decodeCursor, encodeCursor, type ForumPageQuery, forumPageQuery, threadStates } from './forums.schemas.ts'

const THREADS_PER_PAGE = 25

/**
 * The forums (fixed by a migration) and the districts of the filter (they change when a municipality
 * joins) are read again after this long, not on every page view.
 */
export const FORUM_LISTS_TTL_MS = 60_000

export default async function forumsRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  const forumList = readEvery(FORUM_LISTS_TTL_MS, clock, () => listForums(db))
  const districtList = readEvery(FORUM_LISTS_TTL_MS, clock, () => listDistricts(db))

  app.get('/', { config: { access: 'signed-in' } }, async (request, reply) => {
    const en = request.locale === 'en'
    const [forums, { counts, latest, fresh }] = await Promise.all([forumList(), startPageActivity(db, request.user!.id)])
    return reply.page('forums/index.hbs', {
      title: t(request.locale, 'forums.title'),
      forums: forums.map((f) => ({
        slug: f.slug,
        name: en ? f.name_en : f.name_de,
        description: en ? f.description_en : f.description_de,
        threads: counts.get(f.id)?.threads ?? 0,
        posts: counts.get(f.id)?.posts ?? 0,
        latest: latest.get(f.id),
        fresh: shownNew(fresh.get(f.id)),
      })),
    })
  })

  app.get<{ Params: { slug: string } }>('/forums/:slug', { config: { access: 'signed-in' } }, async (request, reply) => {
    const forum = (await forumList()).find((f) => f.slug === request.params.slug)
    if (!forum) throw notFound()
    const parsed = forumPageQuery.safeParse(request.query)
    if (!parsed.success) throw badRequest()
    const filters = parsed.data
    const locale = request.locale
    const userId = request.user!.id
    const [viewer, { threads, next }, districts] = await Promise.all([
      recordForumVisit(db, userId, forum.id, clock.now()),
      listThreads(db, forum.id, filters, decodeCursor(filters.after), THREADS_PER_PAGE, userId),
      districtList(),
    ])
    const { baseline } = viewer
    const name = locale === 'en' ? forum.name_en : forum.name_de
    return reply.page('forums/show.hbs', {
      title: name,
      forum: {
        slug: forum.slug,
        name,
        description: locale === 'en' ? forum.description_en : forum.description_de,
        watchLevel: viewer.watchLevel,
      },
      threads: threads.map((row) => threadRow(row, baseline)),
      filters: { kind: filters.kind ?? '', state: filters.state ?? '', district: filters.district ?? '' },
      filtered: Boolean(filters.kind || filters.state || filters.district),
      kindOptions: options(locale, 'forums.filter.allKinds', threadKinds, 'threads.kind.'),
      stateOptions: options(locale, 'forums.filter.anyState', threadStates, 'forums.filter.state.'),
      districtOptions: [{ value: '', label: t(locale, 'forums.filter.allDistricts') }, ...districts.map((d) => ({ value: d, label: d }))],
      moreUrl: next ? listUrl(forum.slug, filters, encodeCursor(next)) : undefined,
      firstUrl: filters.after ? listUrl(forum.slug, filters) : undefined,
    })
  })
}

type ListedThread = Awaited<ReturnType<typeof listThreads>>['threads'][number]

/**
 * One row of the thread list as forums/show.hbs prints it, built field by field: V8 copies a row from pg
 * with `{ ...row, more }` some twenty times slower (about 10 µs a row, 0.3 ms for a page of 25).
 */
function threadRow(row: ListedThread, baseline: Date | null) {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    author_name: row.author_name,
    municipality_name: row.municipality_name,
    reply_count: row.reply_count,
    last_post_at: row.last_post_at,
    adoption_count: row.adoption_count,
    pinned: row.pinned_at !== null,
    locked: row.locked_at !== null,
    solved: row.kind === 'question' && row.solution_post_id !== null,
    isBestPractice: row.kind === 'best_practice',
    isNew: baseline !== null && row.last_post_at.getTime() > baseline.getTime(),
    unread: row.unread ?? 0,
  }
}

function options(locale: Locale, allKey: string, values: readonly string[], prefix: string) {
  return [{ value: '', label: t(locale, allKey) }, ...values.map((v) => ({ value: v, label: t(locale, prefix + v) }))]
}

/** The forum page with the same filters, optionally after a cursor. */
function listUrl(slug: string, filters: ForumPageQuery, after?: string): string {
  const params = new URLSearchParams()
  if (filters.kind) params.set('kind', filters.kind)
  if (filters.state) params.set('state', filters.state)
  if (filters.district) params.set('district', filters.district)
  if (after) params.set('after', after)
  const query = params.toString()
  return `/forums/${slug}${query ? `?${query}` : ''}`
}

/** The counts of "Neu seit Ihrem letzten Besuch" as shown: at the cap, "99+" (there may be many more). */
function shownNew(counts: { threads: number; posts: number } | undefined) {
  if (!counts) return undefined
  const shown = (n: number) => (n >= NEW_SINCE_CAP ? `${NEW_SINCE_CAP - 1}+` : n)
  return { threads: shown(counts.threads), posts: shown(counts.posts) }
}
