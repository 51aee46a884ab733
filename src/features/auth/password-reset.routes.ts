import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { MINUTE } from '../../lib/clock.ts'
import { parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { hashPassword } from '../../lib/passwords.ts'
import { hashToken } from '../../lib/tokens.ts'
import { findUsableReset } from './auth.queries.ts'
import { forgotSchema, newPasswordErrors, resetSchema } from './auth.schemas.ts'
import { completeReset, sendResetLink } from './password-reset.service.ts'
import { endSession } from './sign-in.ts'
import { accountThrottleKey, noteSuccess } from './throttle.ts'

type TokenRequest = FastifyRequest<{ Params: { token: string } }>

export default async function passwordResetRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  // Reset mails are sent after the answer; shutting down waits for the ones still on their way.
  const sending = new Set<Promise<void>>()
  app.addHook('onClose', async () => {
    await Promise.allSettled([...sending])
  })

  app.get('/password/forgot', { config: { access: 'public' } }, async (request, reply) => {
    return reply.page('auth/forgot.hbs', { title: t(request.locale, 'auth.forgot.title'), values: {} })
  })

  app.post(
    '/password/forgot',
    { config: { access: 'public', rateLimit: { max: 10, timeWindow: 15 * MINUTE } } },
    async (request, reply) => {
      const form = parseForm(forgotSchema, request.body)
      if (!form.ok) {
        const title = t(request.locale, 'auth.forgot.title')
        return reply.page('auth/forgot.hbs', { title, errors: form.errors, values: form.values }, 422)
      }
      // Known or unknown address: the same answer at the same speed. Lookup and mail happen afterwards.
      const task: Promise<void> = sendResetLink(deps, form.data.email)
        .catch((err: unknown) => request.log.error({ err }, 'password reset mail failed'))
        .finally(() => sending.delete(task))
      sending.add(task)
      return reply.redirect('/password/forgot/sent', 303)
    },
  )

  app.get('/password/forgot/sent', { config: { access: 'public' } }, async (request, reply) => {
    return reply.page('auth/forgot-sent.hbs', { title: t(request.locale, 'auth.forgotSent.title') })
  })

  // Opening the link changes nothing (mail scanners prefetch links); only the form's POST uses it up.
  app.get('/password/reset/:token', { config: { access: 'public' } }, async (request: TokenRequest, reply) => {
    const reset = await findUsableReset(db, hashToken(request.params.token), clock.now())
    if (!reset) return invalidLink(request, reply)
    return reply.page('auth/reset.hbs', { title: t(request.locale, 'auth.reset.title'), token: request.params.token })
  })

  app.post('/password/reset/:token', { config: { access: 'public' } }, async (request: TokenRequest, reply) => {
    const now = clock.now()
    const tokenHash = hashToken(request.params.token)
    const reset = await findUsableReset(db, tokenHash, now)
    if (!reset) return invalidLink(request, reply)
    const form = parseForm(resetSchema, request.body)
    const errors = form.ok ? newPasswordErrors(form.data, reset) : form.errors
    if (!form.ok || errors) {
      const title = t(request.locale, 'auth.reset.title')
      return reply.page('auth/reset.hbs', { title, token: request.params.token, errors }, 422)
    }
    const userId = await completeReset(db, tokenHash, await hashPassword(form.data.new_password), now)
    if (userId === undefined) return invalidLink(request, reply)
    await noteSuccess(db, accountThrottleKey(reset.email))
    // Whoever was signed in in this browser is signed out too: every session of the account has ended.
    await endSession(request)
    reply.flash('auth.reset.done')
    return reply.redirect('/login', 303)
  })
}

function invalidLink(request: FastifyRequest, reply: FastifyReply) {
  return reply.page('auth/reset-invalid.hbs', { title: t(request.locale, 'auth.resetInvalid.title') }, 410)
}
