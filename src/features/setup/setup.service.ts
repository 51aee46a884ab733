import type { Kysely } from 'kysely'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/database.ts'
import { HOUR } from '../../lib/clock.ts'
import { newToken } from '../../lib/tokens.ts'
import { putSetting } from '../sessions/sessions.queries.ts'
import { countAdmins } from '../users/users.queries.ts'

export const SETUP_SETTING = 'first_admin_setup'
export type SetupToken = { hash: string; expiresAt: string }

/**
 * On a real installation without any admin, makes a one-time link to create the first admin account.
 * A new link replaces the previous one; returns null once an admin exists.
 */
export async function firstAdminLink(db: Kysely<Database>, config: Config, now: Date): Promise<string | null> {
  if ((await countAdmins(db)) > 0) return null
  const { token, hash } = newToken()
  const value: SetupToken = { hash, expiresAt: new Date(now.getTime() + 24 * HOUR).toISOString() }
  await putSetting(db, SETUP_SETTING, value, now)
  return `${config.baseUrl}/setup/${token}`
}
