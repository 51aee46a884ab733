import type { Generated } from 'kysely'

export interface RecoveryCodesTable {
  id: Generated<number>
  user_id: number
  code_hash: string
  used_at: Date | null
}

export interface PasswordResetsTable {
  id: Generated<number>
  user_id: number
  token_hash: string
  created_at: Generated<Date>
  expires_at: Date
  used_at: Date | null
}

export interface LoginThrottleTable {
  key: string
  failures: number
  last_failure_at: Date
}
