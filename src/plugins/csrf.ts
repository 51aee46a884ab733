import fastifyCsrf from '@fastify/csrf-protection'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { AppDeps } from '../app.ts'
import { forbidden } from '../lib/errors.ts'

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * A CSRF token on every state-changing request plus an Origin check. Runs as a preHandler:
 * on onRequest the form body is not parsed yet and valid posts would be rejected.
 */
export const csrfPlugin = fp(
  async function csrfPlugin(app: FastifyInstance, deps: AppDeps) {
    const allowedOrigin = new URL(deps.config.baseUrl).origin
    await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' })

    app.addHook('preHandler', (request, reply, done) => {
      if (SAFE_METHODS.has(request.method) || request.routeOptions.config.csrf === false) return done()
      const origin = request.headers.origin ?? refererOrigin(request.headers.referer)
      if (origin && origin !== allowedOrigin && origin !== requestOrigin(request.protocol, request.host)) {
        return done(forbidden('error.csrf'))
      }
      app.csrfProtection(request, reply, done)
    })
  },
  { name: 'csrf', dependencies: ['session', 'auth'] },
)

function refererOrigin(referer: string | undefined): string | undefined {
  if (!referer) return undefined
  try {
    return new URL(referer).origin
  } catch {
    return 'invalid'
  }
}

function requestOrigin(protocol: string, host: string): string {
  return `${protocol}://${host}`
}
