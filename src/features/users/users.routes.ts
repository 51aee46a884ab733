import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { findMunicipality, listMunicipalityOptions } from '../municipalities/municipalities.queries.ts'
import { findUserById, listUsers } from './users.queries.ts'
import { parseButtonForm, parseId, roleChangeSchema, userListQuery, userStatuses } from './users.schemas.ts'
import { type ChangeOutcome, changeRole, deactivateUser, reactivateUser } from './users.service.ts'
import { roles } from './users.table.ts'

const adminOnly = { access: ['admin'] } as const
const PAGE_SIZE = 50

export default async function usersRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/admin/users', { config: adminOnly }, async (request, reply) => {
    const locale = request.locale
    const filters = userListQuery.parse(request.query)
    const { rows, total } = await listUsers(
      db,
      { q: filters.q, role: filters.role, municipalityId: filters.municipality, status: filters.status },
      { limit: PAGE_SIZE, offset: (filters.page - 1) * PAGE_SIZE },
    )
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE))
    const pageUrl = (page: number) => {
      const params = new URLSearchParams()
      if (filters.q) params.set('q', filters.q)
      if (filters.role) params.set('role', filters.role)
      if (filters.municipality) params.set('municipality', String(filters.municipality))
      if (filters.status !== 'all') params.set('status', filters.status)
      if (page > 1) params.set('page', String(page))
      const query = params.toString()
      return query ? `/admin/users?${query}` : '/admin/users'
    }
    return reply.page('users/index.hbs', {
      title: t(locale, 'users.title'),
      users: rows,
      total,
      filters: { ...filters, municipality: filters.municipality ? String(filters.municipality) : '' },
      roleOptions: [{ value: '', label: t(locale, 'users.allRoles') }, ...roleOptions(locale)],
      statusOptions: userStatuses.map((s) => ({ value: s, label: t(locale, `users.statusFilter.${s}`) })),
      municipalityOptions: [
        { value: '', label: t(locale, 'users.allMunicipalities') },
        ...(await municipalityOptions(locale)),
      ],
      page: filters.page,
      pages,
      prevUrl: filters.page > 1 ? pageUrl(Math.min(filters.page - 1, pages)) : undefined,
      nextUrl: filters.page < pages ? pageUrl(filters.page + 1) : undefined,
    })
  })

  app.get('/admin/users/:id', { config: adminOnly }, async (request, reply) => {
    return renderUser(request, reply, parseId(request.params))
  })

  app.post('/admin/users/:id/role', { config: adminOnly }, async (request, reply) => {
    const id = parseId(request.params)
    const form = parseForm(roleChangeSchema, request.body)
    if (!form.ok) return renderUser(request, reply, id, { errors: form.errors, values: form.values }, 422)
    const outcome = await changeRole(db, {
      actorId: request.user!.id,
      userId: id,
      role: form.data.role,
      newMunicipalityId: form.data.municipality_id,
      now: clock.now(),
    })
    if (outcome === 'users.refused.municipalityMissing' || outcome === 'users.refused.municipalityInactive') {
      const values = { role: form.data.role, municipality_id: String(form.data.municipality_id ?? '') }
      return renderUser(request, reply, id, { errors: { municipality_id: outcome }, values }, 422)
    }
    return answer(request, reply, id, outcome, 'users.flash.roleChanged')
  })

  app.post('/admin/users/:id/deactivate', { config: adminOnly }, async (request, reply) => {
    const id = parseButtonForm(request.params, request.body)
    const outcome = await deactivateUser(db, { actorId: request.user!.id, userId: id, now: clock.now() })
    return answer(request, reply, id, outcome, 'users.flash.deactivated')
  })

  app.post('/admin/users/:id/reactivate', { config: adminOnly }, async (request, reply) => {
    const id = parseButtonForm(request.params, request.body)
    const outcome = await reactivateUser(db, { actorId: request.user!.id, userId: id, now: clock.now() })
    return answer(request, reply, id, outcome, 'users.flash.reactivated')
  })

  async function answer(request: FastifyRequest, reply: FastifyReply, id: number, outcome: ChangeOutcome, doneFlash: string) {
    if (outcome === 'notFound') throw notFound()
    if (outcome !== 'done' && outcome !== 'unchanged') return renderUser(request, reply, id, { problem: outcome }, 409)
    reply.flash(outcome === 'done' ? doneFlash : 'users.flash.unchanged')
    return reply.redirect(`/admin/users/${id}`, 303)
  }

  async function renderUser(
    request: FastifyRequest,
    reply: FastifyReply,
    id: number,
    state: { errors?: FieldErrors; values?: Record<string, string>; problem?: string } = {},
    status = 200,
  ) {
    const locale = request.locale
    const account = await findUserById(db, id)
    if (!account) throw notFound()
    const municipality = account.municipality_id ? await findMunicipality(db, account.municipality_id) : undefined
    return reply.page(
      'users/show.hbs',
      {
        title: account.name,
        account: {
          id: account.id,
          name: account.name,
          email: account.email,
          position: account.position,
          role: account.role,
          active: account.active,
          municipality,
          created_at: account.created_at,
          last_login_at: account.last_login_at,
          deactivated_at: account.deactivated_at,
          totp_enabled: account.totp_enabled_at !== null,
          isSelf: account.id === request.user!.id,
          erased_at: account.erased_at,
        },
        roleOptions: roleOptions(locale),
        municipalityOptions: [{ value: '', label: t(locale, 'users.noMunicipality') }, ...(await municipalityOptions(locale))],
        values: state.values ?? { role: account.role, municipality_id: String(account.municipality_id ?? '') },
        errors: state.errors,
        problem: state.problem,
      },
      status,
    )
  }

  async function municipalityOptions(locale: Locale) {
    return (await listMunicipalityOptions(db)).map((m) => ({
      value: String(m.id),
      label: `${m.name} (${m.district})${m.active ? '' : ` – ${t(locale, 'common.inactive')}`}`,
    }))
  }
}

export function roleOptions(locale: Locale) {
  return roles.map((role) => ({ value: role, label: t(locale, `role.${role}`) }))
}
