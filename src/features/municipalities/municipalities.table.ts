import type { Generated } from 'kysely'

export interface MunicipalitiesTable {
  id: Generated<number>
  external_id: string | null
  name: string
  kind: string
  district: string
  ags: string | null
  active: Generated<boolean>
  created_at: Generated<Date>
  deactivated_at: Date | null
}
