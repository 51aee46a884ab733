import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { hashPassword } from '../../lib/passwords.ts'
import { deleteUserSessions } from '../sessions/sessions.queries.ts'
import { setPasswordHash } from '../users/users.queries.ts'
import { updateProfile, voidPasswordResets } from './auth.queries.ts'
import { changePasswordSchema, newPasswordErrors, profileSchema } from './auth.schemas.ts'
import { confirmPassword, renewSessionId } from './sign-in.ts'

type Problems = {
  profileErrors?: FieldErrors
  profileValues?: Record<string, string>
  passwordErrors?: FieldErrors
  waitSeconds?: number
}

/** The signed-in user's own account: profile, password, and a way to the second factor. */
export default async function accountRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/account', { config: { access: 'signed-in' } }, async (request, reply) => showAccount(request, reply))

  app.post('/account/profile', { config: { access: 'signed-in' } }, async (request, reply) => {
    const form = parseForm(profileSchema, request.body)
    if (!form.ok) return showAccount(request, reply, { profileErrors: form.errors, profileValues: form.values }, 422)
    await updateProfile(db, request.user!.id, form.data)
    request.session.lang = form.data.locale
    reply.flash('auth.account.profileSaved')
    return reply.redirect('/account', 303)
  })

  app.post('/account/password', { config: { access: 'signed-in' } }, async (request, reply) => {
    const user = request.user!
    const now = clock.now()
    const form = parseForm(changePasswordSchema, request.body)
    if (!form.ok) return showAccount(request, reply, { passwordErrors: form.errors }, 422)
    const check = await confirmPassword(db, user.id, form.data.current_password, now)
    if (!check.ok && check.waitSeconds > 0) {
      reply.header('retry-after', String(check.waitSeconds))
      return showAccount(request, reply, { passwordErrors: { _form: 'auth.throttled' }, waitSeconds: check.waitSeconds }, 429)
    }
    if (!check.ok) return showAccount(request, reply, { passwordErrors: { current_password: 'auth.wrongPassword' } }, 422)
    const errors = newPasswordErrors(form.data, user)
    if (errors) return showAccount(request, reply, { passwordErrors: errors }, 422)
    await setPasswordHash(db, user.id, await hashPassword(form.data.new_password))
    // Whoever else knew the old password is signed out everywhere; this browser continues under a new id.
    await renewSessionId(request)
    await deleteUserSessions(db, user.id, request.session.sessionId)
    await voidPasswordResets(db, user.id, now)
    reply.flash('auth.account.passwordChanged')
    return reply.redirect('/account', 303)
  })
}

function showAccount(request: FastifyRequest, reply: FastifyReply, problems: Problems = {}, status = 200) {
  const user = request.user!
  const locale = request.locale
  return reply.page(
    'auth/account.hbs',
    {
      title: t(locale, 'auth.account.title'),
      currentPath: '/account',
      account: user,
      roleLabel: t(locale, `role.${user.role}`),
      profile: problems.profileValues ?? { name: user.name, position: user.position ?? '', locale: user.locale },
      languages: [
        { value: 'de', label: 'Deutsch' },
        { value: 'en', label: 'English' },
      ],
      ...problems,
    },
    status,
  )
}
