import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { badRequest } from '../../lib/errors.ts'
import { parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { dummyPasswordHash, hashPassword, needsRehash, verifyPassword } from '../../lib/passwords.ts'
import { safeRedirectTarget } from '../../plugins/auth.ts'
import { findUserByEmail, setPasswordHash, setUserLocale } from '../users/users.queries.ts'
import { extendSessionSchema, languageSchema, loginSchema } from './auth.schemas.ts'
import { startPendingSecondFactor, startSession } from './sign-in.ts'
import { noteFailure, noteSuccess, retryAfterSeconds, throttleKeys } from './throttle.ts'

export default async function authRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get<{ Querystring: { next?: string } }>('/login', { config: { access: 'public' } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeRedirectTarget(request.query.next), 303)
    return reply.page('auth/login.hbs', {
      title: t(request.locale, 'auth.login.title'),
      values: { next: safeRedirectTarget(request.query.next, '') },
    })
  })

  app.post('/login', { config: { access: 'public' } }, async (request, reply) => {
    const title = t(request.locale, 'auth.login.title')
    const form = parseForm(loginSchema, request.body)
    if (!form.ok) return reply.page('auth/login.hbs', { title, errors: form.errors, values: form.values }, 422)
    const { email, password, next } = form.data
    const now = clock.now()
    const keys = throttleKeys(email, request.ip)
    const wait = await retryAfterSeconds(db, keys, now)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      return reply.page(
        'auth/login.hbs',
        { title, errors: { _form: 'auth.throttled' }, waitSeconds: wait, values: { email, next } },
        429,
      )
    }
    const user = await findUserByEmail(db, email)
    // Unknown, deactivated and password-less accounts are checked against a dummy hash: same answer, same time.
    const usable = user && user.active && user.password_hash !== null
    const valid = await verifyPassword(usable ? user.password_hash! : await dummyPasswordHash(), password)
    if (!usable || !valid) {
      await noteFailure(db, keys, now)
      return reply.page('auth/login.hbs', { title, errors: { _form: 'auth.invalid' }, values: { email, next } }, 422)
    }
    await noteSuccess(db, keys[0]!)
    if (needsRehash(user.password_hash!)) await setPasswordHash(db, user.id, await hashPassword(password))
    const target = safeRedirectTarget(next)
    if (user.totp_enabled_at) {
      await startPendingSecondFactor(request, user.id, now)
      return reply.redirect(`/login/2fa?next=${encodeURIComponent(target)}`, 303)
    }
    await startSession(request, db, user.id, now)
    return reply.redirect(target, 303)
  })

  app.post('/logout', { config: { access: 'public', allowWithout2fa: true } }, async (request, reply) => {
    await request.session.destroy()
    return reply.redirect('/login', 303)
  })

  app.post('/language', { config: { access: 'public', allowWithout2fa: true } }, async (request, reply) => {
    const form = parseForm(languageSchema, request.body)
    if (!form.ok) return reply.redirect('/', 303)
    request.session.lang = form.data.lang
    if (request.user) await setUserLocale(db, request.user.id, form.data.lang)
    return reply.redirect(safeRedirectTarget(form.data.next), 303)
  })

  // "Sitzung verlängern" (WCAG 2.2.1): any signed-in request counts as activity; this one does nothing else.
  app.post('/session/extend', { config: { access: 'signed-in', allowWithout2fa: true } }, async (request, reply) => {
    const form = parseForm(extendSessionSchema, request.body)
    if (!form.ok) throw badRequest('form.unknownField')
    request.session.lastSeenAt = clock.now().getTime()
    if (request.headers.accept?.includes('application/json')) return reply.code(204).send()
    reply.flash('layout.sessionExtended')
    return reply.redirect(safeRedirectTarget(form.data.next), 303)
  })
}
