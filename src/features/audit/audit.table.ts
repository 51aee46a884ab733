import type { Generated, JSONColumnType } from 'kysely'

export interface AuditLogTable {
  id: Generated<number>
  at: Generated<Date>
  actor_id: number | null
  action: string
  target_type: string | null
  target_id: number | null
  municipality_id: number | null
  details: JSONColumnType<Record<string, unknown>, string | undefined, string>
}
