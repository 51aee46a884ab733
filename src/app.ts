import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify'
import type { Kysely } from 'kysely'
import type { Config } from './config.ts'
import type { Database } from './db/database.ts'
import type { Clock } from './lib/clock.ts'
import { authPlugin } from './plugins/auth.ts'
import { csrfPlugin } from './plugins/csrf.ts'
import { errorsPlugin } from './plugins/errors.ts'
import type { Mailer } from './plugins/mailer.ts'
import { securityPlugin } from './plugins/security.ts'
import { sessionPlugin } from './plugins/session.ts'
import { viewPlugin } from './plugins/view.ts'
import { features } from './features/index.ts'

export type AppDeps = {
  config: Config
  db: Kysely<Database>
  mailer: Mailer
  clock: Clock
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: AppDeps
  }
}

// Secret-bearing paths (invitation, reset and setup links) never reach the logs in full.
const SECRET_PATH = /\/(invite|password\/reset|setup|unsubscribe)\/[^/?#]+/g

export function redactUrl(url: string): string {
  return url.replace(SECRET_PATH, '/$1/[redacted]').replace(/([?&](token|next)=)[^&#]*/g, '$1[redacted]')
}

export function loggerOptions(config: Config): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: {
      paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]', '*.password', '*.token'],
      censor: '[redacted]',
    },
    serializers: {
      req: (req: { method: string; url: string; id: string }) => ({ method: req.method, url: redactUrl(req.url), id: req.id }),
    },
  }
}

/** Builds the whole application from its dependencies; never listens (server.ts does). */
export async function buildApp(deps: AppDeps, options: { logger?: FastifyServerOptions['logger'] } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? loggerOptions(deps.config),
    // X-Forwarded-For counts only behind a configured proxy (TRUST_PROXY); a number is a hop count.
    trustProxy: deps.config.trustProxy as boolean | string,
    bodyLimit: 1024 * 1024,
  })
  app.decorate('deps', deps)
  await app.register(errorsPlugin)
  await app.register(sessionPlugin, deps)
  await app.register(authPlugin, deps)
  await app.register(csrfPlugin, deps)
  await app.register(securityPlugin, deps)
  await app.register(viewPlugin, deps)
  for (const feature of features) await app.register(feature, deps)
  return app
}
