import type { Generated } from 'kysely'

export const sitePageSlugs = ['datenschutz', 'impressum', 'barrierefreiheit'] as const
export type SitePageSlug = (typeof sitePageSlugs)[number]

export interface SitePagesTable {
  slug: SitePageSlug
  title: string
  body: string
  updated_at: Generated<Date>
  updated_by: number | null
}
