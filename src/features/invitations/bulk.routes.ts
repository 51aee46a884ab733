import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { decodeCsv, MAX_ROWS, parseInvitationCsv } from './invitations.csv.ts'
import { INVITERS, localeOptions, municipalityOptions } from './invitations.options.ts'
import { findActiveMunicipality } from './invitations.queries.ts'
import { bulkSendSchema, bulkUploadSchema } from './invitations.schemas.ts'
import { checkRows, issueInvitation } from './invitations.service.ts'

/** Inviting many at once from a CSV file (or pasted CSV): upload, preview with a verdict per row, send. */
export default async function bulkInvitationRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  const access = { access: INVITERS }

  async function renderUpload(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { values: Record<string, string>; errors?: FieldErrors },
    status = 200,
  ) {
    const user = request.user!
    const locale = request.locale
    return reply.page(
      'invitations/bulk.hbs',
      {
        title: t(locale, 'invitations.bulk.title'),
        values: form.values,
        errors: form.errors,
        maxRows: MAX_ROWS,
        municipalityOptions: await municipalityOptions(db, user, locale),
        localeOptions: localeOptions(locale),
      },
      status,
    )
  }

  /** Reads and checks the CSV; either the rows with their verdicts or the form errors. */
  async function check(request: FastifyRequest, text: string, municipalityField: number | null) {
    const user = request.user!
    const errors: FieldErrors = {}
    // A municipality admin's rows always go to their own municipality; an admin's to the chosen one.
    const municipalityId = user.role === 'admin' ? municipalityField : user.municipality_id
    const municipality = municipalityId === null ? undefined : await findActiveMunicipality(db, municipalityId)
    if (municipalityId !== null && !municipality) errors.municipality_id = 'invitations.error.municipalityUnknown'
    const parsed = parseInvitationCsv(text)
    if (!parsed.ok) errors.csv = text.trim() === '' ? 'invitations.bulk.nothing' : parsed.error
    if (!parsed.ok || Object.keys(errors).length > 0) return { ok: false as const, errors }
    const rows = await checkRows(db, user, parsed.rows, municipality?.id ?? null, clock.now())
    return { ok: true as const, rows, municipality }
  }

  app.get('/invitations/bulk', { config: access }, async (request, reply) => {
    return renderUpload(request, reply, { values: { locale: 'de' } })
  })

  app.post('/invitations/bulk/preview', { config: access }, async (request, reply) => {
    const form = parseForm(bulkUploadSchema, request.body)
    if (!form.ok) return renderUpload(request, reply, form, 422)
    const { file, csv, municipality_id, locale } = form.data
    const text = file && file.data.length > 0 ? decodeCsv(file.data) : (csv ?? '')
    const values = { csv: csv ?? '', municipality_id: municipality_id ? String(municipality_id) : '', locale }
    const result = await check(request, text, municipality_id)
    if (!result.ok) return renderUpload(request, reply, { values, errors: result.errors }, 422)
    const valid = result.rows.filter((r) => r.invitee).length
    return reply.page('invitations/bulk-preview.hbs', {
      title: t(request.locale, 'invitations.preview.title'),
      rows: result.rows.map((r) => ({ ...r, roleLabel: r.invitee ? t(request.locale, `role.${r.invitee.role}`) : r.role })),
      total: result.rows.length,
      valid,
      municipalityName: result.municipality?.name,
      localeLabel: t(request.locale, `invitations.field.locale${locale === 'en' ? 'En' : 'De'}`),
      // The rows travel back as the CSV text itself; the send step checks everything again.
      hidden: { csv: text, municipality_id: values.municipality_id, locale },
    })
  })

  app.post('/invitations/bulk/send', { config: access }, async (request, reply) => {
    const user = request.user!
    const form = parseForm(bulkSendSchema, request.body)
    if (!form.ok) return renderUpload(request, reply, form, 422)
    const { csv, municipality_id, locale } = form.data
    const result = await check(request, csv, municipality_id)
    if (!result.ok) {
      const values = { csv, municipality_id: municipality_id ? String(municipality_id) : '', locale }
      return renderUpload(request, reply, { values, errors: result.errors }, 422)
    }
    let sent = 0
    for (const row of result.rows) {
      if (!row.invitee) continue
      const municipalityName = row.invitee.municipalityId === null ? null : (result.municipality?.name ?? null)
      await issueInvitation(deps, { inviter: user, municipalityName }, row.invitee, locale)
      sent++
    }
    // The layout translates flash keys; a text already translated (it has a number in it) passes through unchanged.
    reply.flash(sent === 1 ? 'invitations.flash.bulkSentOne' : 'invitations.flash.bulkSent', { count: sent })
    return reply.redirect('/invitations', 303)
  })
}
