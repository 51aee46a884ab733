import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { MINUTE } from '../../lib/clock.ts'
import { verifyPassword } from '../../lib/passwords.ts'
import { findUserById, recordLogin } from '../users/users.queries.ts'
import { accountThrottleKey, noteFailure, noteSuccess, retryAfterSeconds } from './throttle.ts'

/** How long the password step counts while the second factor is still owed. */
export const PENDING_SECOND_FACTOR_MS = 10 * MINUTE

/** Starts a signed-in session under a new id (no session fixation), keeping only the language choice. */
export async function startSession(request: FastifyRequest, db: Kysely<Database>, userId: number, now: Date) {
  const lang = request.session.lang
  await request.session.regenerate()
  const session = request.session
  session.userId = userId
  session.createdAt = now.getTime()
  session.lastSeenAt = now.getTime()
  session.lang = lang
  session.ip = request.ip
  session.userAgent = request.headers['user-agent']?.slice(0, 300)
  await recordLogin(db, userId, now)
}

/** After the password step, a user with a second factor waits here until the code is checked. */
export async function startPendingSecondFactor(request: FastifyRequest, userId: number, now: Date) {
  const lang = request.session.lang
  await request.session.regenerate()
  request.session.pendingUserId = userId
  request.session.pendingAt = now.getTime()
  request.session.lang = lang
}

/** The user who passed the password step in the last ten minutes, if any. */
export function pendingSecondFactorUser(request: FastifyRequest, now: Date): number | undefined {
  const { pendingUserId, pendingAt } = request.session
  if (!pendingUserId || pendingAt === undefined) return undefined
  if (now.getTime() - pendingAt > PENDING_SECOND_FACTOR_MS) return undefined
  return pendingUserId
}

/** Gives the signed-in session a new id, keeping its sign-in state (after a password change). */
export async function renewSessionId(request: FastifyRequest) {
  await request.session.regenerate(['userId', 'createdAt', 'lastSeenAt', 'lang', 'ip', 'userAgent'])
}

/** Ends whatever session this browser has (after a password reset), keeping only the language choice. */
export async function endSession(request: FastifyRequest) {
  await request.session.regenerate(['lang'])
}

export type PasswordCheck = { ok: true } | { ok: false; waitSeconds: number }

/**
 * Re-confirms the signed-in user's password before a sensitive change. Failures count against the
 * same throttle as sign-in, so the account page is no way around it.
 */
export async function confirmPassword(db: Kysely<Database>, userId: number, password: string, now: Date): Promise<PasswordCheck> {
  const user = await findUserById(db, userId)
  if (!user) return { ok: false, waitSeconds: 0 }
  const key = accountThrottleKey(user.email)
  const wait = await retryAfterSeconds(db, [key], now)
  if (wait > 0) return { ok: false, waitSeconds: wait }
  if (user.password_hash && (await verifyPassword(user.password_hash, password))) {
    await noteSuccess(db, key)
    return { ok: true }
  }
  await noteFailure(db, [key], now)
  return { ok: false, waitSeconds: 0 }
}
