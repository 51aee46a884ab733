import type { Generated } from 'kysely'

export interface ForumsTable {
  id: Generated<number>
  slug: string
  name_de: string
  name_en: string
  description_de: string
  description_en: string
  position: number
}
