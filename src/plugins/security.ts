import { join } from 'node:path'
import fastifyFormbody from '@fastify/formbody'
import fastifyMultipart from '@fastify/multipart'
import fastifyRateLimit from '@fastify/rate-limit'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import helmet from 'helmet'
import type { AppDeps } from '../app.ts'
import { hitRateLimit } from '../features/sessions/sessions.queries.ts'
import { isLiveSignedInSession } from './auth.ts'
import { projectRoot } from '../lib/paths.ts'

export const STATIC_PREFIX = '/static/'
const SAFE_METHODS = new Set(['GET', 'HEAD'])
/** A file from a multipart form, as a route's body schema sees it. */
export type UploadedFile = { filename: string; mimetype: string; data: Buffer }

export const UPLOAD_LIMITS = { fileSize: 10 * 1024 * 1024, files: 5, fields: 50 }
// The parser lets a file one byte over the limit (cut there) and a few files too many (left empty) through,
// so the form can re-render with the field error instead of failing the whole request; memory stays bounded.
const PARSER_LIMITS = { fileSize: UPLOAD_LIMITS.fileSize + 1, files: UPLOAD_LIMITS.files + 15, fields: UPLOAD_LIMITS.fields }

/** Files with a name seen so far in each multipart request. */
const filesSeen = new WeakMap<object, number>()

/** Headers, body parsing, static files and request limits: what every response and request goes through. */
export const securityPlugin = fp(
  async function securityPlugin(app: FastifyInstance, deps: AppDeps) {
    const { db, clock, config } = deps
    // helmet's middleware, built once: @fastify/helmet builds it anew on every request (options checked,
    // the policy joined again) and needs two hooks for it, one of them async.
    const securityHeaders = helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
        },
      },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.isProduction ? { maxAge: 31536000, includeSubDomains: true } : false,
      crossOriginEmbedderPolicy: false,
    })
    app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, () => done()))
    // Pages may show personal data: no shared or browser cache keeps them. Static files are the exception.
    app.addHook('onSend', async (request, reply) => {
      // A route that already forbids storing (downloads: "private, no-store") keeps its own header.
      if (request.url.startsWith(STATIC_PREFIX) || String(reply.getHeader('cache-control') ?? '').includes('no-store')) return
      reply.header('cache-control', 'no-store')
    })

    await app.register(fastifyFormbody, { bodyLimit: 1024 * 1024 })
    await app.register(fastifyMultipart, {
      attachFieldsToBody: 'keyValues',
      limits: PARSER_LIMITS,
      throwFileSizeLimit: false,
      // Files arrive in the body as { filename, mimetype, data }; a file input left empty has no filename.
      async onFile(part) {
        const count = (filesSeen.get(this) ?? 0) + (part.filename ? 1 : 0)
        filesSeen.set(this, count)
        if (count > UPLOAD_LIMITS.files) {
          // One too many is refused by the form anyway: its bytes are not kept.
          for await (const _chunk of part.file) void _chunk
          ;(part as unknown as { value: UploadedFile }).value = { filename: part.filename, mimetype: part.mimetype, data: Buffer.alloc(0) }
          return
        }
        const data = await part.toBuffer()
        ;(part as unknown as { value: UploadedFile }).value = { filename: part.filename, mimetype: part.mimetype, data }
      },
    })

    await app.register(fastifyRateLimit, {
      global: true,
      max: 600,
      timeWindow: 60_000,
      // Counters live in Postgres so that every app instance sees the same numbers.
      store: class PostgresRateLimitStore {
        private readonly prefix: string
        constructor(options: { prefix?: string } = {}) {
          this.prefix = options.prefix ?? 'global'
        }
        incr(key: string, callback: (err: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
          const now = clock.now()
          hitRateLimit(db, `${this.prefix}:${key}`, timeWindow, now).then(
            ({ hits, resetAt }) => callback(null, { current: hits, ttl: Math.max(0, resetAt.getTime() - now.getTime()) }),
            (err: Error) => callback(err),
          )
        }
        child(routeOptions: { method: string | string[]; url: string }) {
          return new PostgresRateLimitStore({ prefix: `${routeOptions.method}:${routeOptions.url}` })
        }
      },
      // Probes are never throttled; readiness must reach its own database check, not fail in the limiter.
      // Nor are pages a signed-in member reads: the limit guards what anyone can reach without an account
      // (sign-in, reset and invitation pages, scanning) and every request that changes something (POST
      // and the like, signed in or not). A GET with a live session is a member reading, accountable by name;
      // counting it would cost a Postgres write on every page view.
      allowList: (request) =>
        request.url.startsWith(STATIC_PREFIX) ||
        request.url === '/healthz' ||
        request.url === '/readyz' ||
        (SAFE_METHODS.has(request.method) && isLiveSignedInSession(request.session, clock.now().getTime(), config)),
      errorResponseBuilder: (_request, context) => {
        const error = new Error('Too many requests') as Error & { statusCode: number }
        error.statusCode = context.statusCode
        return error
      },
    })

    await app.register(fastifyStatic, {
      root: join(projectRoot, 'public'),
      prefix: STATIC_PREFIX,
      maxAge: config.isProduction ? '1d' : 0,
    })
  },
  { name: 'security', dependencies: ['auth'] },
)
