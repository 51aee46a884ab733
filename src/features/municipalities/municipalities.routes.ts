import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { type FieldErrors, keepValues, parseForm } from '../../lib/forms.ts'
import { hasMessage, type Locale, t } from '../../lib/i18n.ts'
import { listUsersOfMunicipality } from '../users/users.queries.ts'
import { parseButtonForm, parseId } from '../users/users.schemas.ts'
import { findMunicipality, listDistricts, listMunicipalities } from './municipalities.queries.ts'
import { municipalityKinds, municipalityListQuery, municipalitySchema } from './municipalities.schemas.ts'
import {
  createMunicipality,
  deactivateMunicipality,
  editMunicipality,
  reactivateMunicipality,
} from './municipalities.service.ts'

const adminOnly = { access: ['admin'] } as const

/** Kinds from an import may lie outside the form's list: they are shown as they are. */
export function kindLabel(locale: Locale, kind: string): string {
  const key = `municipalities.kind.${kind}`
  return hasMessage('de', key) ? t(locale, key) : kind
}

export default async function municipalitiesRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/admin/municipalities', { config: adminOnly }, async (request, reply) => {
    const { q } = municipalityListQuery.parse(request.query)
    const rows = await listMunicipalities(db, q)
    return reply.page('municipalities/index.hbs', {
      title: t(request.locale, 'municipalities.title'),
      q,
      municipalities: rows.map((m) => ({ ...m, kind: kindLabel(request.locale, m.kind) })),
    })
  })

  app.get('/admin/municipalities/new', { config: adminOnly }, async (request, reply) => {
    return renderForm(request, reply, { values: {} })
  })

  app.post('/admin/municipalities/new', { config: adminOnly }, async (request, reply) => {
    const form = parseForm(municipalitySchema, request.body)
    if (!form.ok) return renderForm(request, reply, form, 422)
    const saved = await createMunicipality(db, request.user!, form.data, clock.now())
    if (!saved.ok) return renderForm(request, reply, { errors: saved.errors, values: keepValues(bodyOf(request)) }, 422)
    reply.flash('municipalities.flash.created')
    return reply.redirect(`/admin/municipalities/${saved.id}`, 303)
  })

  app.get('/admin/municipalities/:id', { config: adminOnly }, async (request, reply) => {
    return renderDetails(request, reply, parseId(request.params))
  })

  app.get('/admin/municipalities/:id/edit', { config: adminOnly }, async (request, reply) => {
    const municipality = await findMunicipality(db, parseId(request.params))
    if (!municipality) throw notFound()
    const { name, kind, district, ags } = municipality
    return renderForm(request, reply, { values: { name, kind, district, ags: ags ?? '' }, id: municipality.id })
  })

  app.post('/admin/municipalities/:id/edit', { config: adminOnly }, async (request, reply) => {
    const id = parseId(request.params)
    if (!(await findMunicipality(db, id))) throw notFound()
    const form = parseForm(municipalitySchema, request.body)
    if (!form.ok) return renderForm(request, reply, { ...form, id }, 422)
    const saved = await editMunicipality(db, request.user!, id, form.data, clock.now())
    if (!saved.ok) return renderForm(request, reply, { errors: saved.errors, values: keepValues(bodyOf(request)), id }, 422)
    reply.flash('municipalities.flash.updated')
    return reply.redirect(`/admin/municipalities/${id}`, 303)
  })

  app.post('/admin/municipalities/:id/deactivate', { config: adminOnly }, async (request, reply) => {
    const id = await existingMunicipalityId(request)
    const outcome = await deactivateMunicipality(db, request.user!, id, clock.now())
    if (outcome === 'municipalities.refused.own') return renderDetails(request, reply, id, outcome, 409)
    if (outcome === 'done') reply.flash('municipalities.flash.deactivated')
    return reply.redirect(`/admin/municipalities/${id}`, 303)
  })

  app.post('/admin/municipalities/:id/reactivate', { config: adminOnly }, async (request, reply) => {
    const id = await existingMunicipalityId(request)
    const outcome = await reactivateMunicipality(db, request.user!, id, clock.now())
    if (outcome === 'done') reply.flash('municipalities.flash.reactivated')
    return reply.redirect(`/admin/municipalities/${id}`, 303)
  })

  async function existingMunicipalityId(request: FastifyRequest): Promise<number> {
    const id = parseButtonForm(request.params, request.body)
    if (!(await findMunicipality(db, id))) throw notFound()
    return id
  }

  async function renderDetails(request: FastifyRequest, reply: FastifyReply, id: number, problem?: string, status = 200) {
    const municipality = await findMunicipality(db, id)
    if (!municipality) throw notFound()
    const users = await listUsersOfMunicipality(db, id)
    return reply.page(
      'municipalities/show.hbs',
      {
        title: municipality.name,
        municipality: { ...municipality, kind: kindLabel(request.locale, municipality.kind) },
        users,
        activeUsers: users.filter((u) => u.active).length,
        problem,
      },
      status,
    )
  }

  async function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, string>; errors?: FieldErrors; id?: number },
    status = 200,
  ) {
    const locale = request.locale
    const editing = form.id !== undefined
    return reply.page(
      'municipalities/form.hbs',
      {
        title: t(locale, editing ? 'municipalities.edit.title' : 'municipalities.new.title'),
        action: editing ? `/admin/municipalities/${form.id}/edit` : '/admin/municipalities/new',
        cancel: editing ? `/admin/municipalities/${form.id}` : '/admin/municipalities',
        values: form.values,
        errors: form.errors,
        kinds: [
          { value: '', label: t(locale, 'municipalities.kindChoose') },
          ...municipalityKinds.map((kind) => ({ value: kind, label: kindLabel(locale, kind) })),
        ],
        districts: await listDistricts(db),
      },
      status,
    )
  }
}

function bodyOf(request: FastifyRequest): Record<string, unknown> {
  return (request.body ?? {}) as Record<string, unknown>
}
