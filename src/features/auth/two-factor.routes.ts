import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Transaction } from 'kysely'
import QRCode from 'qrcode'
import type { AppDeps } from '../../app.ts'
import type { Database } from '../../db/database.ts'
import { forbidden, notFound } from '../../lib/errors.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { ROLES_REQUIRING_2FA, safeRedirectTarget } from '../../plugins/auth.ts'
import { audit } from '../audit/audit.queries.ts'
import { type CurrentUser, findUserById } from '../users/users.queries.ts'
import {
  claimTotpStep,
  countUnusedRecoveryCodes,
  disableTotp,
  enableTotp,
  findTotpState,
  replaceRecoveryCodes,
  setPendingTotpSecret,
  useRecoveryCode,
} from './auth.queries.ts'
import { disableTotpSchema, enableTotpSchema, regenerateCodesSchema, secondFactorSchema } from './auth.schemas.ts'
import { confirmPassword, pendingSecondFactorUser, renewSessionId, startSession } from './sign-in.ts'
import { noteFailure, noteSuccess, retryAfterSeconds } from './throttle.ts'
import { groupSecret, looksLikeTotpCode, matchTotp, newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpUri } from './two-factor.ts'

// Staff and admins without a second factor are sent here from every other page (plugins/auth.ts).
const setup = { access: 'signed-in', allowWithout2fa: true } as const

export default async function twoFactorRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  // --- second step of signing in ---------------------------------------------------------------------

  app.get<{ Querystring: { next?: string } }>('/login/2fa', { config: { access: 'public' } }, async (request, reply) => {
    if (request.user) return reply.redirect(safeRedirectTarget(request.query.next), 303)
    if (!pendingSecondFactorUser(request, clock.now())) return backToLogin(request, reply)
    const next = safeRedirectTarget(request.query.next, '')
    return reply.page('auth/login-2fa.hbs', { title: t(request.locale, 'auth.twoFactor.loginTitle'), values: { next } })
  })

  app.post('/login/2fa', { config: { access: 'public' } }, async (request, reply) => {
    const now = clock.now()
    const userId = pendingSecondFactorUser(request, now)
    if (!userId) return backToLogin(request, reply)
    const title = t(request.locale, 'auth.twoFactor.loginTitle')
    const form = parseForm(secondFactorSchema, request.body)
    if (!form.ok) return reply.page('auth/login-2fa.hbs', { title, errors: form.errors, values: form.values }, 422)
    const { code, next } = form.data
    const throttleKey = `2fa:${userId}`
    const wait = await retryAfterSeconds(db, [throttleKey], now)
    if (wait > 0) {
      reply.header('retry-after', String(wait))
      const errors = { _form: 'auth.twoFactor.throttled' }
      return reply.page('auth/login-2fa.hbs', { title, errors, waitSeconds: wait, values: { next } }, 429)
    }
    const user = await findUserById(db, userId)
    if (!user?.active || !user.totp_secret || !user.totp_enabled_at) return backToLogin(request, reply)
    const usedRecoveryCode = !looksLikeTotpCode(code)
    let valid: boolean
    if (usedRecoveryCode) {
      valid = await useRecoveryCode(db, userId, recoveryCodeHash(userId, code), now)
    } else {
      const step = matchTotp(user.totp_secret, code, now)
      valid = step !== null && (await claimTotpStep(db, userId, step))
    }
    if (!valid) {
      await noteFailure(db, [throttleKey], now)
      return reply.page('auth/login-2fa.hbs', { title, errors: { code: 'auth.twoFactor.invalid' }, values: { next } }, 422)
    }
    await noteSuccess(db, throttleKey)
    await startSession(request, db, userId, now)
    if (usedRecoveryCode) reply.flash('auth.twoFactor.recoveryUsed')
    return reply.redirect(safeRedirectTarget(next), 303)
  })

  // --- setting up, renewing and switching off ----------------------------------------------------------

  app.get('/account/2fa', { config: setup }, async (request, reply) => {
    return showSetupPage(request, reply)
  })

  app.post('/account/2fa/start', { config: setup }, async (request, reply) => {
    const user = request.user!
    if (!user.totp_enabled) await setPendingTotpSecret(db, user.id, newTotpSecret())
    return reply.redirect('/account/2fa', 303)
  })

  // The QR code is an image of its own (no-store like every page): CSP forbids data: URLs in <img>.
  app.get('/account/2fa/qr.svg', { config: setup }, async (request, reply) => {
    const user = request.user!
    const state = await findTotpState(db, user.id)
    if (!state.totp_secret || state.totp_enabled_at) throw notFound()
    const svg = await QRCode.toString(totpUri(state.totp_secret, user.email), { type: 'svg', margin: 2 })
    return reply.type('image/svg+xml; charset=utf-8').send(svg)
  })

  app.post('/account/2fa/enable', { config: setup }, async (request, reply) => {
    const user = request.user!
    const now = clock.now()
    const form = parseForm(enableTotpSchema, request.body)
    if (!form.ok) return showSetupPage(request, reply, form.errors, 422)
    const state = await findTotpState(db, user.id)
    if (state.totp_enabled_at) return reply.redirect('/account/2fa', 303)
    if (!state.totp_secret) return showSetupPage(request, reply, { code: 'auth.twoFactor.startFirst' }, 422)
    const step = matchTotp(state.totp_secret, form.data.code, now)
    if (step === null) return showSetupPage(request, reply, { code: 'auth.twoFactor.invalid' }, 422)
    const secret = state.totp_secret
    const { codes, hashes } = newRecoveryCodes(user.id)
    const enabled = await db.transaction().execute(async (trx) => {
      if (!(await enableTotp(trx, user.id, secret, step, now))) return false
      await replaceRecoveryCodes(trx, user.id, hashes)
      await auditSecondFactor(trx, user, 'auth.2fa_enabled', now)
      return true
    })
    if (!enabled) return reply.redirect('/account/2fa', 303)
    // A stronger sign-in (and, for staff and admins, access beyond this page) continues under a new session id.
    await renewSessionId(request)
    return showRecoveryCodes(request, reply, codes, 'auth.twoFactor.enabledNotice')
  })

  app.post('/account/2fa/recovery-codes', { config: { access: 'signed-in' } }, async (request, reply) => {
    const user = request.user!
    if (!user.totp_enabled) return reply.redirect('/account/2fa', 303)
    const form = parseForm(regenerateCodesSchema, request.body)
    if (!form.ok) return showSetupPage(request, reply, form.errors, 422)
    const problem = await recheckPassword(request, reply, form.data.password, 'password')
    if (problem) return showSetupPage(request, reply, problem.errors, problem.status, problem.waitSeconds)
    const { codes, hashes } = newRecoveryCodes(user.id)
    await replaceRecoveryCodes(db, user.id, hashes)
    return showRecoveryCodes(request, reply, codes, 'auth.twoFactor.regeneratedNotice')
  })

  app.post('/account/2fa/disable', { config: { access: 'signed-in' } }, async (request, reply) => {
    const user = request.user!
    if (ROLES_REQUIRING_2FA.includes(user.role)) throw forbidden('auth.twoFactor.requiredEnabled')
    if (!user.totp_enabled) return reply.redirect('/account/2fa', 303)
    const form = parseForm(disableTotpSchema, request.body)
    if (!form.ok) return showSetupPage(request, reply, form.errors, 422)
    const problem = await recheckPassword(request, reply, form.data.disable_password, 'disable_password')
    if (problem) return showSetupPage(request, reply, problem.errors, problem.status, problem.waitSeconds)
    const now = clock.now()
    await db.transaction().execute(async (trx) => {
      await disableTotp(trx, user.id)
      await auditSecondFactor(trx, user, 'auth.2fa_disabled', now)
    })
    reply.flash('auth.twoFactor.disabledNotice')
    return reply.redirect('/account/2fa', 303)
  })

  /** Re-checks the password of a confirmation form; returns what to show when it is not right. */
  async function recheckPassword(request: FastifyRequest, reply: FastifyReply, password: string, field: string) {
    const check = await confirmPassword(db, request.user!.id, password, clock.now())
    if (check.ok) return undefined
    if (check.waitSeconds > 0) {
      reply.header('retry-after', String(check.waitSeconds))
      return { errors: { _form: 'auth.throttled' }, status: 429, waitSeconds: check.waitSeconds }
    }
    return { errors: { [field]: 'auth.wrongPassword' }, status: 422 }
  }

  async function showSetupPage(request: FastifyRequest, reply: FastifyReply, errors?: FieldErrors, status = 200, waitSeconds?: number) {
    const user = request.user!
    const state = await findTotpState(db, user.id)
    const pendingSecret = !state.totp_enabled_at && state.totp_secret ? groupSecret(state.totp_secret) : null
    return reply.page(
      'auth/two-factor.hbs',
      {
        title: t(request.locale, 'auth.twoFactor.title'),
        currentPath: '/account/2fa',
        enabled: state.totp_enabled_at !== null,
        enabledAt: state.totp_enabled_at,
        required: ROLES_REQUIRING_2FA.includes(user.role),
        pendingSecret,
        unusedCodes: state.totp_enabled_at ? await countUnusedRecoveryCodes(db, user.id) : 0,
        errors,
        waitSeconds,
      },
      status,
    )
  }
}

function showRecoveryCodes(request: FastifyRequest, reply: FastifyReply, codes: string[], notice: string) {
  return reply.page('auth/recovery-codes.hbs', {
    title: t(request.locale, 'auth.recoveryCodes.title'),
    currentPath: '/account/2fa',
    codes,
    notice,
  })
}

function auditSecondFactor(db: Transaction<Database>, user: CurrentUser, action: string, now: Date) {
  return audit(db, { actorId: user.id, action, targetType: 'user', targetId: user.id, municipalityId: user.municipality_id, now })
}

function backToLogin(request: FastifyRequest, reply: FastifyReply) {
  request.session.pendingUserId = undefined
  reply.flash('auth.twoFactor.expired')
  return reply.redirect('/login', 303)
}
