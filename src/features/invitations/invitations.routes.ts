import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { conflict, notFound } from '../../lib/errors.ts'
import { type FieldErrors, keepValues, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import bulkInvitationRoutes from './bulk.routes.ts'
import {
  canResend,
  canRevoke,
  invitationMunicipality,
  invitationScope,
  invitationState,
  invitationStates,
} from './invitations.access.ts'
import { INVITERS, localeOptions, municipalityOptions, roleOptions } from './invitations.options.ts'
import { findActiveMunicipality, findInvitationInScope, listInvitations } from './invitations.queries.ts'
import { idParamSchema, invitationSchema, listQuerySchema, newQuerySchema } from './invitations.schemas.ts'
import { issueInvitation, inviteeProblem, lookUpInvitees, resendInvitation, withdrawInvitation } from './invitations.service.ts'

export default async function invitationsRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  const access = { access: INVITERS }

  app.get('/invitations', { config: access }, async (request, reply) => {
    const user = request.user!
    const locale = request.locale
    const query = listQuerySchema.parse(request.query)
    const now = clock.now()
    const isAdmin = user.role === 'admin'
    const municipalityId = isAdmin ? (query.municipality ?? null) : null
    const { rows, hasMore } = await listInvitations(db, {
      scope: invitationScope(user),
      municipalityId,
      state: query.state ?? null,
      page: query.page,
      now,
    })
    const invitations = rows.map((row) => {
      const state = invitationState(row, now)
      return { ...row, state, canResend: canResend(state), canRevoke: canRevoke(state) }
    })
    const pageHref = (page: number) => {
      const params = new URLSearchParams()
      if (municipalityId) params.set('municipality', String(municipalityId))
      if (query.state) params.set('state', query.state)
      if (page > 1) params.set('page', String(page))
      const qs = params.toString()
      return qs ? `/invitations?${qs}` : '/invitations'
    }
    return reply.page('invitations/index.hbs', {
      title: t(locale, 'invitations.list.title'),
      invitations,
      filtered: Boolean(municipalityId || query.state),
      municipalityOptions: (await municipalityOptions(db, user, locale))?.map((o) =>
        o.value === '' ? { ...o, label: t(locale, 'invitations.filter.allMunicipalities') } : o,
      ),
      stateOptions: [
        { value: '', label: t(locale, 'invitations.filter.allStates') },
        ...invitationStates.map((s) => ({ value: s, label: t(locale, `invitations.state.${s}`) })),
      ],
      filter: { municipality: municipalityId ? String(municipalityId) : '', state: query.state ?? '' },
      newHref: municipalityId ? `/invitations/new?municipality=${municipalityId}` : '/invitations/new',
      prevHref: query.page > 1 ? pageHref(query.page - 1) : null,
      nextHref: hasMore ? pageHref(query.page + 1) : null,
    })
  })

  async function renderNew(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, string>; errors?: FieldErrors; resendId?: number },
    status = 200,
  ) {
    const user = request.user!
    const locale = request.locale
    return reply.page(
      'invitations/new.hbs',
      {
        title: t(locale, 'invitations.new.title'),
        values: form.values,
        errors: form.errors,
        resendId: form.resendId,
        roleOptions: roleOptions(user, locale),
        municipalityOptions: await municipalityOptions(db, user, locale),
        localeOptions: localeOptions(locale),
      },
      status,
    )
  }

  app.get('/invitations/new', { config: access }, async (request, reply) => {
    const query = newQuerySchema.parse(request.query)
    const values = { role: query.role ?? 'member', locale: 'de', municipality_id: query.municipality ? String(query.municipality) : '' }
    return renderNew(request, reply, { values })
  })

  app.post('/invitations/new', { config: access }, async (request, reply) => {
    const user = request.user!
    const form = parseForm(invitationSchema, request.body)
    if (!form.ok) return renderNew(request, reply, form, 422)
    const { email, name, role, locale } = form.data
    const municipalityId = invitationMunicipality(user, role, form.data.municipality_id)
    const municipality = municipalityId === null ? undefined : await findActiveMunicipality(db, municipalityId)
    const invitee = { email, name, role, municipalityId: municipality ? municipality.id : null }
    const known = await lookUpInvitees(db, [email], clock.now())
    const problem = inviteeProblem(user, invitee, known)
    if (problem) {
      const values = keepValues(request.body as Record<string, unknown>)
      // A pending invitation the user may act on: offer to send it again instead.
      const pending = known.pending.get(email)
      const resendId =
        problem.key === 'invitations.error.alreadyInvited' && pending && (await findInvitationInScope(db, pending.id, invitationScope(user)))
          ? pending.id
          : undefined
      return renderNew(request, reply, { values, errors: { [problem.field]: problem.key }, resendId }, 422)
    }
    await issueInvitation(deps, { inviter: user, municipalityName: municipality?.name ?? null }, invitee, locale)
    reply.flash('invitations.flash.sent')
    return reply.redirect('/invitations', 303)
  })

  app.post('/invitations/:id/resend', { config: access }, async (request, reply) => {
    const user = request.user!
    const { id } = parseId(request.params)
    const scope = invitationScope(user)
    const invitation = await findInvitationInScope(db, id, scope)
    if (!invitation) throw notFound()
    if (!canResend(invitationState(invitation, clock.now()))) throw conflict('invitations.error.notResendable')
    const municipalityName = invitation.municipality_name
    if (!(await resendInvitation(deps, { inviter: user, municipalityName }, id, scope))) throw conflict('invitations.error.notResendable')
    reply.flash('invitations.flash.resent')
    return reply.redirect('/invitations', 303)
  })

  app.post('/invitations/:id/revoke', { config: access }, async (request, reply) => {
    const user = request.user!
    const { id } = parseId(request.params)
    const revoked = await withdrawInvitation(db, user.id, id, invitationScope(user), clock.now())
    if (!revoked) {
      // Not ours (or not there) is "not found"; ours but already used or revoked is a conflict.
      if (!(await findInvitationInScope(db, id, invitationScope(user)))) throw notFound()
      throw conflict('invitations.error.notRevocable')
    }
    reply.flash('invitations.flash.revoked')
    return reply.redirect('/invitations', 303)
  })

  await bulkInvitationRoutes(app, deps)
}

function parseId(params: unknown) {
  const parsed = idParamSchema.safeParse(params)
  if (!parsed.success) throw notFound()
  return parsed.data
}
