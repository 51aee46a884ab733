import type { Generated } from 'kysely'

export interface ScheduledJobsTable {
  name: string
  lease_until: Date | null
  last_started_at: Date | null
  last_finished_at: Date | null
  last_error: string | null
  runs: Generated<number>
  created_at: Generated<Date>
}
