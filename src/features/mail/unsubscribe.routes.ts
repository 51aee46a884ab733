import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { hashToken } from '../../lib/tokens.ts'
import { findUnsubscribeToken, unsubscribe } from './mail.queries.ts'
import { parseUnsubscribeToken } from './mail.schemas.ts'

/**
 * RFC 8058 one-click unsubscribe. The POST comes from mail clients without a session, cookie or CSRF
 * token (the unguessable token in the path is the authorisation), so only this route opts out of the
 * CSRF check (`csrf: false`); it is idempotent. GET only shows a confirmation: mail scanners prefetch links.
 */
export default async function unsubscribeRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  async function lookUp(request: FastifyRequest) {
    const token = parseUnsubscribeToken(request.params)
    return token ? findUnsubscribeToken(db, hashToken(token)) : undefined
  }

  app.get('/unsubscribe/:token', { config: { access: 'public' } }, async (request, reply) => {
    const found = await lookUp(request)
    if (!found) return invalid(request, reply)
    const locale = speakRecipientsLanguage(request, found.locale)
    return reply.page('mail/unsubscribe.hbs', { title: t(locale, 'unsubscribe.title'), action: request.url, question: t(locale, `unsubscribe.confirm.${found.list}`) })
  })

  app.post('/unsubscribe/:token', { config: { access: 'public', csrf: false } }, async (request, reply) => {
    const found = await lookUp(request)
    if (!found) return invalid(request, reply)
    await unsubscribe(db, found.user_id, found.list, clock.now())
    const locale = speakRecipientsLanguage(request, found.locale)
    return reply.page('mail/unsubscribe.hbs', { title: t(locale, 'unsubscribe.title'), done: t(locale, `unsubscribe.done.${found.list}`) })
  })
}

/** The page speaks the language of the person the mail went to, unless this browser chose one (or is signed in). */
function speakRecipientsLanguage(request: FastifyRequest, recipientLocale: Locale): Locale {
  if (!request.user && !request.session?.lang) request.locale = recipientLocale
  return request.locale
}

function invalid(request: FastifyRequest, reply: FastifyReply) {
  return reply.page('mail/unsubscribe.hbs', { title: t(request.locale, 'unsubscribe.title'), invalid: true }, 404)
}
