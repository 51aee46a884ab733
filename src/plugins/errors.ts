import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { isDatabaseUnavailable } from '../db/connect.ts'
import { HttpError } from '../lib/errors.ts'
import { t } from '../lib/i18n.ts'

/** One handler renders every error as a generic German (or English) page: no stack, no SQL, no versions. */
export const errorsPlugin = fp(
  async function errorsPlugin(app: FastifyInstance) {
    // An outage of the database fails every request at once: one warning when it starts, then at most
    // one every UNAVAILABLE_LOG_EVERY_MS with how many requests failed since, not an error with a stack each.
    let lastUnavailableLog = -Infinity
    let unavailableSince = 0
    app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
      const { status, key } = classify(error)
      if (status === 503 && !(error instanceof HttpError)) {
        unavailableSince++
        const now = Date.now()
        if (now - lastUnavailableLog >= UNAVAILABLE_LOG_EVERY_MS) {
          const { code, message } = error as FastifyError
          request.log.warn({ code, message, failedRequests: unavailableSince }, 'database unavailable: answering 503')
          lastUnavailableLog = now
          unavailableSince = 0
        }
      } else if (status >= 500) request.log.error({ err: error }, 'request failed')
      else request.log.info({ status, code: (error as FastifyError).code }, 'request rejected')
      if (status === 429 && !reply.getHeader('retry-after')) reply.header('retry-after', '60')
      return renderError(request, reply, status, key)
    })
    app.setNotFoundHandler((request, reply) => renderError(request, reply, 404, 'error.notFound'))
  },
  { name: 'errors' },
)

export const UNAVAILABLE_LOG_EVERY_MS = 10_000

function classify(error: FastifyError | HttpError): { status: number; key: string } {
  if (error instanceof HttpError) return { status: error.statusCode, key: error.messageKey }
  const code = error.code ?? ''
  if (code.startsWith('FST_CSRF')) return { status: 403, key: 'error.csrf' }
  if (code === 'FST_REQ_FILE_TOO_LARGE' || code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.statusCode === 413) {
    return { status: 413, key: 'error.payloadTooLarge' }
  }
  if (error.statusCode === 429) return { status: 429, key: 'error.tooMany' }
  if (isDatabaseUnavailable(error)) return { status: 503, key: 'error.unavailable' }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500
  return { status, key: status === 404 ? 'error.notFound' : status < 500 ? 'error.badRequest' : 'error.server' }
}

function renderError(request: FastifyRequest, reply: FastifyReply, status: number, key: string) {
  reply.header('cache-control', 'no-store')
  if (status === 503) {
    reply.header('retry-after', '30')
    // The database is unreachable: the full page would touch the session (CSRF token), which lives there too,
    // and a failing session save would end in Fastify's default JSON error with the driver's message.
    // Nor is the session written back afterwards: that write would fail too, and Fastify would answer the
    // second failure with its default JSON error (driver message included) instead of this page.
    ;(request as { session: unknown }).session = null
    return plainErrorPage(reply, status, key)
  }
  try {
    // The status belongs in the title too: "Fehler 403" and "Fehler 404" are different pages (WCAG 2.4.2).
    const title = `${t(request.locale, 'error.title')} ${status}`
    return reply.page('errors/error.hbs', { title, message: t(request.locale, key), status, formless: true }, status)
  } catch {
    // The view itself failed (for example before the session was read): a plain page still says what happened.
    return plainErrorPage(reply, status, key)
  }
}

function plainErrorPage(reply: FastifyReply, status: number, key: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(
    `<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Fehler ${status}</title></head><body><main><h1>Fehler ${status}</h1><p>${t('de', key)}</p></main></body></html>`,
  )
}
