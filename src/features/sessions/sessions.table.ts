import type { Generated, JSONColumnType } from 'kysely'

export interface SessionsTable {
  sid: string
  user_id: number | null
  data: JSONColumnType<Record<string, unknown>, string, string>
  created_at: Generated<Date>
  updated_at: Generated<Date>
  expires_at: Date
  ip: string | null
  user_agent: string | null
}

export interface RateLimitsTable {
  key: string
  hits: number
  reset_at: Date
}

export interface AppSettingsTable {
  key: string
  value: JSONColumnType<object, string, string>
  updated_at: Generated<Date>
}
