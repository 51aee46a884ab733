import type { Kysely } from 'kysely'
import type { AppDeps } from '../../app.ts'
import type { Database } from '../../db/database.ts'
import { HOUR, MINUTE } from '../../lib/clock.ts'
import { newToken } from '../../lib/tokens.ts'
import { renderMail } from '../../plugins/mailer.ts'
import { deleteUserSessions } from '../sessions/sessions.queries.ts'
import { findUserByEmail, setPasswordHash } from '../users/users.queries.ts'
import { consumePasswordReset, countResetsSince, createPasswordReset, voidPasswordResets } from './auth.queries.ts'

export const RESET_VALIDITY_MS = 60 * MINUTE
// However many IPs ask, one mailbox gets at most this many reset mails an hour.
const MAX_MAILS_PER_HOUR = 5

/**
 * Mails a reset link when the address belongs to an active account (imported accounts without a
 * password included) and does nothing otherwise. Runs after the response has gone out.
 */
export async function sendResetLink({ db, clock, config, mailer }: AppDeps, email: string): Promise<void> {
  const now = clock.now()
  const user = await findUserByEmail(db, email)
  if (!user || !user.active) return
  if ((await countResetsSince(db, user.id, new Date(now.getTime() - HOUR))) >= MAX_MAILS_PER_HOUR) return
  const { token, hash } = newToken()
  await db.transaction().execute((trx) =>
    createPasswordReset(trx, { userId: user.id, tokenHash: hash, now, expiresAt: new Date(now.getTime() + RESET_VALIDITY_MS) }),
  )
  // From the configured base URL, never from the request's Host header.
  const link = `${config.baseUrl}/password/reset/${token}`
  const mail = renderMail('password-reset', user.locale, { name: user.name, link, minutes: RESET_VALIDITY_MS / MINUTE })
  await mailer.send({ to: user.email, ...mail })
}

/**
 * Uses up the token and sets the new password in one transaction, voids the user's other reset links
 * and ends every session of the account. Returns the user id, or undefined when the token was gone.
 */
export async function completeReset(db: Kysely<Database>, tokenHash: string, passwordHash: string, now: Date) {
  return db.transaction().execute(async (trx) => {
    const userId = await consumePasswordReset(trx, tokenHash, now)
    if (userId === undefined) return undefined
    await setPasswordHash(trx, userId, passwordHash)
    await voidPasswordResets(trx, userId, now)
    await deleteUserSessions(trx, userId)
    return userId
  })
}
