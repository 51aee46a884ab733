import fastifyCookie, { Signer } from '@fastify/cookie'
import fastifySession from '@fastify/session'
import type { FastifyInstance, Session } from 'fastify'
import fp from 'fastify-plugin'
import type { Locale } from '../lib/i18n.ts'
import type { CurrentUser } from '../features/users/users.queries.ts'
import { deleteSession, findSession, saveSession, updateSession } from '../features/sessions/sessions.queries.ts'
import type { AppDeps } from '../app.ts'

declare module 'fastify' {
  interface Session {
    userId?: number
    /** Epoch ms of sign-in, for the absolute lifetime. */
    createdAt?: number
    /** Epoch ms of the last request, for the idle timeout. */
    lastSeenAt?: number
    /** A user who passed the password step and still owes the second factor. */
    pendingUserId?: number
    pendingAt?: number
    lang?: Locale
    /** A one-time status message: an i18n key, or a key with its parameters. */
    flash?: string | { key: string; params: Record<string, string | number> }
    ip?: string
    userAgent?: string
    /** The id this data was stored under; differs from the current id right after regenerate(). */
    persistedSid?: string
    /** Loaded with the session in one query (findSession), never stored: the person, while their account is active. */
    currentUser?: CurrentUser | null
    /** Loaded with the session, never stored: their unread notifications (capped), for the page header. */
    unreadNotifications?: number | null
  }
}

export const SESSION_COOKIE = 'kf_sid'

type Unsigned = { valid: true; renew: boolean; value: string } | { valid: false; renew: false; value: null }

/**
 * @fastify/cookie's signer that remembers its answers for the session ids in use. Every request checks
 * the cookie's HMAC and @fastify/session signs the id again: two HMACs per page that give the same
 * answer each time. Only valid signatures are remembered (a forged cookie is checked in full every
 * time); bounded, the oldest entries go first.
 */
export class RememberingSigner {
  private readonly signer: Signer
  private readonly signed = new Map<string, string>()
  private readonly verified = new Map<string, Unsigned>()

  constructor(
    secret: string,
    private readonly capacity = 10_000,
  ) {
    this.signer = new Signer(secret)
  }

  sign(value: string): string {
    let signed = this.signed.get(value)
    if (signed === undefined) {
      signed = this.signer.sign(value)
      remember(this.signed, value, signed, this.capacity)
    }
    return signed
  }

  unsign(signedValue: string): Unsigned {
    const known = this.verified.get(signedValue)
    if (known) return known
    const result = Object.freeze({ ...(this.signer.unsign(signedValue) as Unsigned) })
    if (result.valid) remember(this.verified, signedValue, result, this.capacity)
    return result
  }
}

function remember<V>(map: Map<string, V>, key: string, value: V, capacity: number) {
  if (map.size >= capacity) map.delete(map.keys().next().value!)
  map.set(key, value)
}

/** Server-side sessions in Postgres, so any app instance can serve any request. */
export const sessionPlugin = fp(
  async function sessionPlugin(app: FastifyInstance, deps: AppDeps) {
    const { db, config, clock } = deps
    const store = {
      get(sid: string, callback: (err: unknown, session?: Session | null) => void) {
        findSession(db, sid, clock.now()).then(
          (row) =>
            callback(null, row ? ({ ...(row.data as object), currentUser: row.user, unreadNotifications: row.unreadNotifications } as Session) : null),
          (err) => callback(err),
        )
      },
      set(sid: string, session: Session, callback: (err?: unknown) => void) {
        const now = clock.now()
        const started = session.createdAt ?? session.pendingAt ?? now.getTime()
        // Anonymous sessions (CSRF secret, language) live as long as a signed-in one may.
        const expiresAt = new Date(started + config.sessionMaxMs)
        const { cookie: _cookie, persistedSid, currentUser: _user, unreadNotifications: _unread, ...rest } = session
        const data = { ...rest, persistedSid: sid }
        const row = { sid, userId: session.userId ?? null, data, expiresAt, now }
        // A session loaded from the store is only updated: if an admin ended it while this request ran,
        // writing it back must not bring it to life again. New ids (sign-in, regenerate) are inserted.
        const write =
          persistedSid === sid
            ? updateSession(db, row)
            : saveSession(db, { ...row, ip: session.ip ?? null, userAgent: session.userAgent ?? null })
        write.then(
          () => callback(),
          (err) => callback(err),
        )
      },
      destroy(sid: string, callback: (err?: unknown) => void) {
        deleteSession(db, sid).then(
          () => callback(),
          (err) => callback(err),
        )
      },
    }
    await app.register(fastifyCookie)
    await app.register(fastifySession, {
      secret: new RememberingSigner(config.sessionSecret),
      cookieName: SESSION_COOKIE,
      store,
      saveUninitialized: false,
      // Idle and absolute timeouts are enforced on the server (auth plugin), not by cookie age.
      rolling: false,
      // Secure whenever the forum is served over https (in production always behind a proxy, see config.ts).
      cookie: { httpOnly: true, secure: config.baseUrl.startsWith('https://'), sameSite: 'lax', path: '/' },
    })
  },
  { name: 'session' },
)
