import type { FastifyInstance, FastifyReply } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { hashPassword, passwordProblem } from '../../lib/passwords.ts'
import { startSession } from '../auth/sign-in.ts'
import { findUserByEmail } from '../users/users.queries.ts'
import { firstAdminSchema } from './setup.schemas.ts'
import { createFirstAdmin, setupLinkIsValid } from './setup.service.ts'

type TokenParams = { Params: { token: string } }

/**
 * The one-time link server.ts prints on a real installation without an admin. Opening it (GET)
 * changes nothing; the POST uses it up and creates the first admin, who must then set up 2FA.
 */
export default async function setupRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  function invalidLink(reply: FastifyReply) {
    return reply.page('setup/invalid.hbs', { title: t(reply.request.locale, 'setup.invalid.title') }, 404)
  }

  app.get<TokenParams>('/setup/:token', { config: { access: 'public' } }, async (request, reply) => {
    if (!(await setupLinkIsValid(db, request.params.token, clock.now()))) return invalidLink(reply)
    return reply.page('setup/form.hbs', { title: t(request.locale, 'setup.title'), token: request.params.token, values: {} })
  })

  app.post<TokenParams>('/setup/:token', { config: { access: 'public' } }, async (request, reply) => {
    const { token } = request.params
    if (!(await setupLinkIsValid(db, token, clock.now()))) return invalidLink(reply)
    const title = t(request.locale, 'setup.title')
    const form = parseForm(firstAdminSchema, request.body)
    const errors = form.ok ? await detailErrors(form.data) : form.errors
    if (!form.ok || Object.keys(errors).length > 0) {
      const values = form.ok ? { name: form.data.name, email: form.data.email } : form.values
      return reply.page('setup/form.hbs', { title, token, errors, values }, 422)
    }
    const { name, email, password } = form.data
    const passwordHash = await hashPassword(password)
    const now = clock.now()
    const userId = await createFirstAdmin(db, token, { name, email, passwordHash, locale: request.locale }, now)
    if (userId === null) return invalidLink(reply)
    await startSession(request, db, userId, now)
    reply.flash('setup.created')
    return reply.redirect('/', 303)
  })

  async function detailErrors(data: { name: string; email: string; password: string; password_confirm: string }) {
    const errors: Record<string, string> = {}
    const problem = passwordProblem(data.password, { email: data.email, name: data.name })
    if (problem) errors.password = problem
    else if (data.password !== data.password_confirm) errors.password_confirm = 'password.mismatch'
    if (await findUserByEmail(db, data.email)) errors.email = 'setup.emailTaken'
    return errors
  }
}
