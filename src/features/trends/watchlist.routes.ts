import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { requestJobRun } from '../jobs/jobs.queries.ts'
import { TREND_VIEWERS } from './trends.access.ts'
import { WATCH_TERM_MAX, watchTermForm, watchTermParams } from './trends.schemas.ts'
import { watchlistJob } from './trends.job.ts'
import { trendingSnapshot } from './trends.snapshot.ts'
import { stemsOf } from './trends.text.ts'
import { listWatchTerms, watchTermExists } from './watchlist.queries.ts'
import { addWatchTerm, drillDownPath, removeWatchTerm, trendOfWatchTerm } from './watchlist.service.ts'

const viewers = { access: TREND_VIEWERS } as const

/** The staff's watchlist: terms that send an alert mail when they become part of a significant trend. */
export default async function watchlistRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  async function page(locale: Locale, form: { values?: Record<string, string>; errors?: FieldErrors } = {}) {
    const now = clock.now()
    const [terms, result] = await Promise.all([listWatchTerms(db), trendingSnapshot(db, now, now)])
    return {
      title: t(locale, 'trends.watch.title'),
      maxLength: WATCH_TERM_MAX,
      values: form.values ?? {},
      errors: form.errors,
      terms: terms.map((term) => {
        const trend = trendOfWatchTerm(term.stems, result.terms)
        return {
          ...term,
          createdBy: term.created_by_name === null || term.created_by_erased_at ? t(locale, 'privacy.formerMember') : term.created_by_name,
          trend: trend && { label: trend.label, municipalities: trend.municipalities, districts: trend.districts, drillUrl: drillDownPath(trend.stem) },
        }
      }),
    }
  }

  app.get('/dashboard/watchlist', { config: viewers }, async (request, reply) => {
    return reply.page('trends/watchlist.hbs', await page(request.locale))
  })

  app.post('/dashboard/watchlist', { config: viewers }, async (request, reply) => {
    const locale = request.locale
    const form = parseForm(watchTermForm, request.body)
    if (!form.ok) return reply.page('trends/watchlist.hbs', await page(locale, form), 422)
    const { term } = form.data
    const stems = [...stemsOf(term).keys()]
    const duplicate = { values: { term }, errors: { term: 'trends.watch.error.duplicate' } }
    if (await watchTermExists(db, stems)) return reply.page('trends/watchlist.hbs', await page(locale, duplicate), 422)
    const added = await addWatchTerm(db, { term, stems, userId: request.user!.id, now: clock.now() })
    // Someone else added the same term a moment ago.
    if (!added) return reply.page('trends/watchlist.hbs', await page(locale, duplicate), 422)
    // A term that trends already is alerted with the next tick, not only at the next round.
    await requestJobRun(db, watchlistJob.name)
    reply.flash('trends.watch.added', { term, minutes: watchlistJob.everyMs / 60_000 })
    return reply.redirect('/dashboard/watchlist', 303)
  })

  app.post('/dashboard/watchlist/:id/delete', { config: viewers }, async (request, reply) => {
    const parsed = watchTermParams.safeParse(request.params)
    if (!parsed.success) throw notFound()
    const removed = await removeWatchTerm(db, parsed.data.id, request.user!.id, clock.now())
    if (!removed) throw notFound()
    reply.flash('trends.watch.removed', { term: removed.term })
    return reply.redirect('/dashboard/watchlist', 303)
  })
}
