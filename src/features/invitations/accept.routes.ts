import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { hashPassword, passwordProblem } from '../../lib/passwords.ts'
import { hashToken } from '../../lib/tokens.ts'
import { startSession } from '../auth/sign-in.ts'
import { invitationState } from './invitations.access.ts'
import { findImportedUserName, findInvitationByTokenHash } from './invitations.queries.ts'
import { acceptSchema, tokenParamSchema } from './invitations.schemas.ts'
import { acceptInvitation } from './invitations.service.ts'

type Invitation = NonNullable<Awaited<ReturnType<typeof findInvitationByTokenHash>>>
type Usable = { ok: true; token: string; tokenHash: string; invitation: Invitation } | { ok: false; status: number; reason: string }

/**
 * The link from the invitation mail. GET only shows (mail scanners open links); POST creates the account.
 * Public: the invitee has no account yet.
 */
export default async function acceptInvitationRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  const config = { access: 'public' as const, allowWithout2fa: true }

  async function lookUp(request: FastifyRequest): Promise<Usable> {
    const params = tokenParamSchema.safeParse(request.params)
    if (!params.success) return { ok: false, status: 404, reason: 'unknown' }
    const tokenHash = hashToken(params.data.token)
    const invitation = await findInvitationByTokenHash(db, tokenHash)
    if (!invitation) return { ok: false, status: 404, reason: 'unknown' }
    const state = invitationState(invitation, clock.now())
    if (state !== 'pending') return { ok: false, status: 410, reason: state }
    // Without an explicit choice, the page speaks the language the invitation was written in.
    if (!request.session.lang && !request.user) request.locale = invitation.locale
    return { ok: true, token: params.data.token, tokenHash, invitation }
  }

  function renderInvalid(request: FastifyRequest, reply: FastifyReply, status: number, reason: string) {
    return reply.page(
      'invitations/invalid.hbs',
      { title: t(request.locale, 'invitations.invalid.title'), reason: `invitations.invalid.${reason}` },
      status,
    )
  }

  function renderForm(
    request: FastifyRequest,
    reply: FastifyReply,
    usable: Usable & { ok: true },
    form: { values: Record<string, string>; errors?: FieldErrors },
    status = 200,
  ) {
    const { invitation, token } = usable
    return reply.page(
      'invitations/accept.hbs',
      {
        title: t(request.locale, 'invitations.accept.title'),
        action: `/invite/${token}`,
        email: invitation.email,
        role: invitation.role,
        municipalityName: invitation.municipality_name,
        values: form.values,
        errors: form.errors,
      },
      status,
    )
  }

  app.get('/invite/:token', { config }, async (request, reply) => {
    const usable = await lookUp(request)
    if (!usable.ok) return renderInvalid(request, reply, usable.status, usable.reason)
    const { invitation } = usable
    const name = invitation.name ?? (await findImportedUserName(db, invitation.email.toLowerCase())) ?? ''
    return renderForm(request, reply, usable, { values: { name } })
  })

  app.post('/invite/:token', { config }, async (request, reply) => {
    const usable = await lookUp(request)
    if (!usable.ok) return renderInvalid(request, reply, usable.status, usable.reason)
    const { invitation, tokenHash } = usable
    const form = parseForm(acceptSchema, request.body)
    if (!form.ok) return renderForm(request, reply, usable, form, 422)
    const { name, position, password, password_confirm } = form.data
    const problem = passwordProblem(password, { email: invitation.email, name, municipalityName: invitation.municipality_name })
    const errors: FieldErrors = {}
    if (problem) errors.password = problem
    else if (password !== password_confirm) errors.password_confirm = 'password.mismatch'
    if (problem || errors.password_confirm) {
      return renderForm(request, reply, usable, { values: { name, position: position ?? '' }, errors }, 422)
    }
    const now = clock.now()
    const result = await acceptInvitation(db, tokenHash, { name, position, passwordHash: await hashPassword(password) }, now)
    if (!result.ok) {
      // Someone (or a second click) redeemed the link meanwhile: say what state it is in now.
      if (result.reason === 'accountExists') return renderInvalid(request, reply, 409, 'accountExists')
      const again = await lookUp(request)
      return again.ok ? renderInvalid(request, reply, 410, 'accepted') : renderInvalid(request, reply, again.status, again.reason)
    }
    await startSession(request, db, result.userId, now)
    reply.flash('invitations.accept.welcome')
    return reply.redirect('/', 303)
  })
}
