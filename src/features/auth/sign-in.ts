import type { FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { recordLogin } from '../users/users.queries.ts'

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
