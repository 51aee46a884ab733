import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { badRequest, forbidden, notFound } from '../../lib/errors.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { hasMessage, t } from '../../lib/i18n.ts'
import { claimTotpStep, useRecoveryCode } from '../auth/auth.queries.ts'
import { confirmPassword, endSession } from '../auth/sign-in.ts'
import { looksLikeTotpCode, matchTotp, recoveryCodeHash } from '../auth/two-factor.ts'
import { findUserById } from '../users/users.queries.ts'
import { parseId } from '../users/users.schemas.ts'
import { eraseUser } from './erasure.service.ts'
import { type DataExport, prepareExport, requestExport } from './export.service.ts'
import { findExportFor, listExportsRequestedBy } from './privacy.queries.ts'
import { closeAccountSchema, eraseAccountSchema, noFieldsSchema, parseExportId } from './privacy.schemas.ts'

const signedIn = { access: 'signed-in' } as const
const adminOnly = { access: ['admin'] } as const

/** Privacy (DSGVO): one's own data export (Art. 15/20), closing one's account (Art. 17), and the admins' part. */
export default async function privacyRoutes(app: FastifyInstance, { db, clock, config }: AppDeps) {
  /** Prepares right away, after the response; the scheduler picks up whatever this does not finish. */
  function prepareSoon(id: string) {
    setImmediate(() => {
      prepareExport(db, id, clock.now()).catch((err: unknown) => app.log.error({ err }, 'data export failed'))
    })
  }

  app.get('/account/data', { config: signedIn }, async (request, reply) => {
    const locale = request.locale
    const exports = await listExportsRequestedBy(db, request.user!.id, clock.now())
    return reply.page('privacy/data.hbs', {
      title: t(locale, 'privacy.data.title'),
      currentPath: '/account/data',
      exports: exports.map((e) => ({
        ...e,
        forSomeoneElse: e.user_id !== request.user!.id,
        ready: e.status === 'ready',
        statusLabel: t(locale, `privacy.status.${e.status}`),
      })),
    })
  })

  app.post('/account/data/export', { config: signedIn }, async (request, reply) => {
    if (!parseForm(noFieldsSchema, request.body).ok) throw badRequest('form.unknownField')
    const user = request.user!
    const id = await requestExport(db, { userId: user.id, requestedBy: user.id, municipalityId: user.municipality_id, now: clock.now() })
    prepareSoon(id)
    reply.flash('privacy.data.requested')
    return reply.redirect('/account/data', 303)
  })

  app.get('/account/data/exports/:id/json', { config: signedIn }, async (request, reply) => {
    const row = await readyExport(request)
    const day = row.created_at.toISOString().slice(0, 10)
    return reply
      .header('content-type', 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="datenauskunft-${day}.json"`)
      .send(row.content)
  })

  app.get('/account/data/exports/:id/html', { config: signedIn }, async (request, reply) => {
    const row = await readyExport(request)
    const data = JSON.parse(row.content!) as DataExport
    const locale = request.locale
    return reply.page('privacy/summary.hbs', {
      title: t(locale, 'privacy.summary.title'),
      createdAt: row.created_at,
      sections: Object.entries(data.tables).map(([table, rows]) => ({
        id: table,
        heading: hasMessage('de', `privacy.table.${table}`) ? t(locale, `privacy.table.${table}`) : table,
        count: rows.length,
        columns: rows.length ? Object.keys(rows[0]!) : [],
        rows: rows.map((r) => Object.values(r).map(cell)),
      })),
    })
  })

  async function readyExport(request: FastifyRequest) {
    // Someone else's export (or a guessed id) is simply not there.
    const row = await findExportFor(db, parseExportId(request.params), request.user!.id, clock.now())
    if (!row || row.status !== 'ready' || row.content === null) throw notFound()
    return row
  }

  // --- closing one's own account ----------------------------------------------------------------------

  app.get('/account/close', { config: signedIn }, async (request, reply) => showClose(request, reply))

  app.post('/account/close', { config: signedIn }, async (request, reply) => {
    const user = request.user!
    const now = clock.now()
    const form = parseForm(closeAccountSchema, request.body)
    if (!form.ok) return showClose(request, reply, form.errors, form.values, 422)
    const values = { posts: form.data.posts }
    const check = await confirmPassword(db, user.id, form.data.password, now)
    if (!check.ok && check.waitSeconds > 0) {
      reply.header('retry-after', String(check.waitSeconds))
      return showClose(request, reply, { _form: 'auth.throttled' }, values, 429)
    }
    if (!check.ok) return showClose(request, reply, { password: 'auth.wrongPassword' }, values, 422)
    const account = await findUserById(db, user.id)
    if (account?.totp_secret && account.totp_enabled_at) {
      const code = form.data.code ?? ''
      const valid = code === ''
        ? false
        : looksLikeTotpCode(code)
          ? await (async () => {
              const step = matchTotp(account.totp_secret!, code, now)
              return step !== null && (await claimTotpStep(db, user.id, step))
            })()
          : await useRecoveryCode(db, user.id, recoveryCodeHash(user.id, code), now)
      if (!valid) return showClose(request, reply, { code: 'auth.twoFactor.invalid' }, values, 422)
    }
    const outcome = await eraseUser(db, { userId: user.id, actorId: user.id, deletePosts: form.data.posts === 'delete', now, dataDir: config.dataDir })
    if (outcome !== 'done') return showClose(request, reply, { _form: outcome === 'notFound' ? 'error.notFound' : outcome }, values, 422)
    await endSession(request)
    reply.flash('privacy.close.done')
    return reply.redirect('/login', 303)
  })

  function showClose(request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, values: Record<string, string> = {}, status = 200) {
    const user = request.user!
    return reply.page(
      'privacy/close.hbs',
      {
        title: t(request.locale, 'privacy.close.title'),
        currentPath: '/account/close',
        needsCode: user.totp_enabled,
        errors,
        values,
        deleteChecked: values.posts === 'delete',
        keepChecked: values.posts === 'keep',
      },
      status,
    )
  }

  // --- admins --------------------------------------------------------------------------------------------

  app.post('/admin/users/:id/export', { config: adminOnly }, async (request, reply) => {
    const target = await findUserById(db, parseId(request.params))
    if (!target || target.erased_at) throw notFound()
    if (!parseForm(noFieldsSchema, request.body).ok) throw badRequest('form.unknownField')
    const id = await requestExport(db, { userId: target.id, requestedBy: request.user!.id, municipalityId: target.municipality_id, now: clock.now() })
    prepareSoon(id)
    reply.flash('privacy.admin.exportRequested')
    return reply.redirect(`/admin/users/${target.id}`, 303)
  })

  app.get('/admin/users/:id/erase', { config: adminOnly }, async (request, reply) => showErase(request, reply, parseId(request.params)))

  app.post('/admin/users/:id/erase', { config: adminOnly }, async (request, reply) => {
    const id = parseId(request.params)
    const form = parseForm(eraseAccountSchema, request.body)
    if (!form.ok) return showErase(request, reply, id, form.errors, form.values, 422)
    const values = { posts: form.data.posts }
    const outcome = await eraseUser(db, { userId: id, actorId: request.user!.id, deletePosts: form.data.posts === 'delete', now: clock.now(), dataDir: config.dataDir })
    if (outcome === 'notFound') throw notFound()
    if (outcome !== 'done') return showErase(request, reply, id, { _form: outcome }, values, 422)
    reply.flash('privacy.admin.erased')
    return reply.redirect(`/admin/users/${id}`, 303)
  })

  async function showErase(request: FastifyRequest, reply: FastifyReply, id: number, errors?: FieldErrors, values: Record<string, string> = {}, status = 200) {
    const target = await findUserById(db, id)
    if (!target || target.erased_at) throw notFound()
    // One's own account is closed on the account page, with the password.
    if (target.id === request.user!.id) throw forbidden()
    return reply.page(
      'privacy/erase.hbs',
      {
        title: t(request.locale, 'privacy.admin.eraseTitle', { name: target.name }),
        target,
        errors,
        values,
        deleteChecked: values.posts === 'delete',
        keepChecked: values.posts === 'keep',
      },
      status,
    )
  }
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '–'
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
