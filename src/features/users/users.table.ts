import type { Generated } from 'kysely'

export const roles = ['member', 'municipality_admin', 'staff', 'admin'] as const
export type Role = (typeof roles)[number]
export type Locale = 'de' | 'en'

export interface UsersTable {
  id: Generated<number>
  external_id: string | null
  municipality_id: number | null
  email: string
  name: string
  /** For @mentions; filled (and renewed on a name change) by a trigger, see migration add_users_handle. */
  handle: Generated<string>
  position: string | null
  role: Generated<Role>
  password_hash: string | null
  locale: Generated<Locale>
  active: Generated<boolean>
  totp_secret: string | null
  totp_enabled_at: Date | null
  /** Time step of the last accepted TOTP code (replay protection). */
  totp_last_step: number | null
  created_at: Generated<Date>
  last_login_at: Date | null
  deactivated_at: Date | null
  /** Set when the account was erased (Art. 17): the row stays, anonymised, so posts keep an author. */
  erased_at: Date | null
}
