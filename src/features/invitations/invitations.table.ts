import type { Generated } from 'kysely'
import type { Locale, Role } from '../users/users.table.ts'

export interface InvitationsTable {
  id: Generated<number>
  token_hash: string
  email: string
  name: string | null
  role: Role
  municipality_id: number | null
  invited_by: number | null
  locale: Generated<Locale>
  created_at: Generated<Date>
  sent_at: Generated<Date>
  expires_at: Date
  used_at: Date | null
  user_id: number | null
  revoked_at: Date | null
}
