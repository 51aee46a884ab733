import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { forbidden, notFound } from '../../lib/errors.ts'
import { t } from '../../lib/i18n.ts'
import { listUsersOfMunicipality } from './users.queries.ts'
import { parseButtonForm } from './users.schemas.ts'
import { type ChangeOutcome, deactivateUser, reactivateUser } from './users.service.ts'

const contactsOnly = { access: ['municipality_admin'] } as const

/**
 * A municipality's contact person manages the accounts of their own municipality. The scope is the
 * signed-in user's municipality, applied in SQL: another municipality's account is simply not found.
 */
export default async function colleaguesRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/colleagues', { config: contactsOnly }, async (request, reply) => renderList(request, reply))

  app.post('/colleagues/:id/deactivate', { config: contactsOnly }, async (request, reply) => {
    const userId = parseButtonForm(request.params, request.body)
    const outcome = await deactivateUser(db, { actorId: request.user!.id, userId, municipalityId: scopeOf(request), now: clock.now() })
    return answer(request, reply, outcome, 'users.flash.deactivated')
  })

  app.post('/colleagues/:id/reactivate', { config: contactsOnly }, async (request, reply) => {
    const userId = parseButtonForm(request.params, request.body)
    const outcome = await reactivateUser(db, { actorId: request.user!.id, userId, municipalityId: scopeOf(request), now: clock.now() })
    return answer(request, reply, outcome, 'users.flash.reactivated')
  })

  async function answer(request: FastifyRequest, reply: FastifyReply, outcome: ChangeOutcome, doneFlash: string) {
    if (outcome === 'notFound') throw notFound()
    if (outcome !== 'done' && outcome !== 'unchanged') return renderList(request, reply, outcome, 409)
    reply.flash(outcome === 'done' ? doneFlash : 'users.flash.unchanged')
    return reply.redirect('/colleagues', 303)
  }

  async function renderList(request: FastifyRequest, reply: FastifyReply, problem?: string, status = 200) {
    const colleagues = await listUsersOfMunicipality(db, scopeOf(request), { municipalOnly: true })
    return reply.page(
      'colleagues/index.hbs',
      {
        title: t(request.locale, 'colleagues.title'),
        colleagues: colleagues.map((c) => ({ ...c, isSelf: c.id === request.user!.id })),
        problem,
      },
      status,
    )
  }
}

function scopeOf(request: FastifyRequest): number {
  const municipalityId = request.user?.municipality_id
  // The database guarantees a municipality for this role; without one there is nothing to manage.
  if (municipalityId === null || municipalityId === undefined) throw forbidden()
  return municipalityId
}
