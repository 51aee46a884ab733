import type { FastifyInstance, FastifyReply, FastifyRequest, Session } from 'fastify'
import fp from 'fastify-plugin'
import type { AppDeps } from '../app.ts'
import type { Config } from '../config.ts'
import { forbidden } from '../lib/errors.ts'
import { type Locale, resolveLocale } from '../lib/i18n.ts'
import { type CurrentUser, findCurrentUser } from '../features/users/users.queries.ts'
import type { Role } from '../features/users/users.table.ts'

/**
 * Who may use a route. Every route must declare one: `public` (anyone, signed in or not),
 * `signed-in` (any active account) or a list of roles.
 */
export type Access = 'public' | 'signed-in' | readonly Role[]

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access
    /** Reachable by a staff/admin account that has not set up its second factor yet. */
    allowWithout2fa?: boolean
    /** false only for the RFC 8058 one-click unsubscribe, which mail clients POST without a session. */
    csrf?: boolean
  }
  interface FastifyRequest {
    user: CurrentUser | null
    /** The signed-in person's unread notifications as loaded with the session; undefined: count them again. */
    unreadNotifications: number | undefined
    locale: Locale
  }
  interface FastifyInstance {
    routeTable: { method: string; url: string; access: Access | undefined; allowWithout2fa?: boolean }[]
  }
}

export const ROLES_REQUIRING_2FA: readonly Role[] = ['staff', 'admin']
const LAST_SEEN_GRANULARITY_MS = 60_000

/**
 * A session that still counts as signed in: it names a person and neither its idle timeout nor its
 * absolute lifetime has passed (checked on the server; whether the account is still active is looked up later).
 */
export function isLiveSignedInSession(session: Session | undefined, now: number, config: Pick<Config, 'sessionMaxMs' | 'sessionIdleMs'>): boolean {
  if (!session?.userId) return false
  return now - (session.createdAt ?? 0) <= config.sessionMaxMs && now - (session.lastSeenAt ?? 0) <= config.sessionIdleMs
}

export function requires2faSetup(user: CurrentUser): boolean {
  return ROLES_REQUIRING_2FA.includes(user.role) && !user.totp_enabled
}

export const authPlugin = fp(
  async function authPlugin(app: FastifyInstance, deps: AppDeps) {
    const { db, clock, config } = deps
    // The demo (never in production) lets evaluators in without an authenticator app; 2FA stays on offer.
    const enforce2fa = !(config.demo && !config.isProduction)
    app.decorate('routeTable', [])
    app.decorateRequest('user', null)
    app.decorateRequest('unreadNotifications', undefined)
    app.decorateRequest('locale', 'de')

    app.addHook('onRoute', (route) => {
      // Static files (CSS, scripts, icons) are public by nature.
      if (route.url.startsWith('/static/')) route.config = { ...route.config, access: 'public' }
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      for (const method of methods) {
        app.routeTable.push({ method, url: route.url, access: route.config?.access, allowWithout2fa: route.config?.allowWithout2fa })
      }
      // Deny by default: a route that forgot to say who may use it does not start.
      if (route.config?.access === undefined) {
        throw new Error(`Route ${methods.join(',')} ${route.url} declares no access (config.access)`)
      }
    })

    app.addHook('preHandler', async (request, reply) => {
      await loadUser(request)
      const access = request.routeOptions.config.access
      if (access === undefined) return // the not-found handler: nothing to protect
      if (access === 'public') return
      if (!request.user) return denyAnonymous(request, reply)
      if (access !== 'signed-in' && !access.includes(request.user.role)) {
        throw forbidden()
      }
      if (enforce2fa && requires2faSetup(request.user) && !request.routeOptions.config.allowWithout2fa) {
        return reply.redirect('/account/2fa', 303)
      }
    })

    async function loadUser(request: FastifyRequest) {
      const session = request.session
      const chosen = session?.lang
      if (!session?.userId) {
        request.locale = resolveLocale(chosen, request.headers['accept-language'])
        return
      }
      const now = clock.now().getTime()
      // The session store loaded the person with the session; asking again only when it could not.
      const loaded = session.currentUser?.id === session.userId ? session.currentUser : undefined
      const user = isLiveSignedInSession(session, now, config) ? (loaded ?? (await findCurrentUser(db, session.userId))) : undefined
      if (!user) {
        // regenerate() replaces request.session: the flash must go on the new one (and the language stays).
        await session.regenerate(['lang'])
        request.session.flash = 'layout.sessionExpired'
        request.locale = resolveLocale(chosen, request.headers['accept-language'])
        return
      }
      request.user = user
      request.unreadNotifications = user === loaded ? (session.unreadNotifications ?? undefined) : undefined
      request.locale = resolveLocale(user.locale, request.headers['accept-language'])
      if (now - (session.lastSeenAt ?? 0) > LAST_SEEN_GRANULARITY_MS) session.lastSeenAt = now
    }
  },
  { name: 'auth', dependencies: ['session'] },
)

function denyAnonymous(request: FastifyRequest, reply: FastifyReply) {
  if (request.method === 'GET' || request.method === 'HEAD') {
    const next = encodeURIComponent(request.url)
    return reply.redirect(`/login?next=${next}`, 303)
  }
  return reply.redirect('/login', 303)
}

/**
 * Only local paths are valid redirect targets: `?next=https://evil` and `//evil` are ignored. Visible ASCII
 * only (browsers send paths percent-encoded): anything else cannot go into a Location header.
 */
export function safeRedirectTarget(next: unknown, fallback = '/'): string {
  if (typeof next !== 'string') return fallback
  if (!/^\/(?![/\\])[\x21-\x7e]*$/.test(next)) return fallback
  return next
}
