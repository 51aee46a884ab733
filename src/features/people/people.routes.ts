import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { t } from '../../lib/i18n.ts'
import { parseId } from '../users/users.schemas.ts'
import { findMunicipalityProfile, listActiveDistricts, listActiveMembersOf, listLatestThreadsOf, listPeople } from './people.queries.ts'
import { peopleQuery } from './people.schemas.ts'

const signedIn = { access: 'signed-in' } as const
const PAGE_SIZE = 50
const LATEST_THREADS = 20

/** Whom to call: the member directory and a page per municipality, for every signed-in member. */
export default async function peopleRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get('/people', { config: signedIn }, async (request, reply) => {
    const locale = request.locale
    const filters = peopleQuery.parse(request.query)
    const [{ rows, total }, districts] = await Promise.all([
      listPeople(db, filters, { limit: PAGE_SIZE, offset: (filters.page - 1) * PAGE_SIZE }),
      listActiveDistricts(db),
    ])
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
    const pageUrl = (page: number) => {
      const params = new URLSearchParams()
      for (const key of ['q', 'handle', 'municipality', 'district', 'position'] as const) {
        const value = filters[key]
        if (value) params.set(key, value)
      }
      if (page > 1) params.set('page', String(page))
      const query = params.toString()
      return query ? `/people?${query}` : '/people'
    }
    return reply.page('people/index.hbs', {
      title: t(locale, 'people.title'),
      people: rows,
      total,
      filters,
      districtOptions: [{ value: '', label: t(locale, 'people.allDistricts') }, ...districts.map((d) => ({ value: d, label: d }))],
      page: filters.page,
      pages,
      prevUrl: filters.page > 1 ? pageUrl(Math.min(filters.page - 1, pages)) : undefined,
      nextUrl: filters.page < pages ? pageUrl(filters.page + 1) : undefined,
    })
  })

  app.get('/municipalities/:id', { config: signedIn }, async (request, reply) => {
    const municipality = await findMunicipalityProfile(db, parseId(request.params))
    if (!municipality) throw notFound()
    const [members, threads] = await Promise.all([
      listActiveMembersOf(db, municipality.id),
      listLatestThreadsOf(db, municipality.id, LATEST_THREADS),
    ])
    const en = request.locale === 'en'
    return reply.page('people/municipality.hbs', {
      title: municipality.name,
      municipality,
      districtUrl: `/people?${new URLSearchParams({ district: municipality.district })}`,
      members,
      threads: threads.map((th) => ({ ...th, forum_name: en ? th.forum_name_en : th.forum_name_de })),
    })
  })
}
