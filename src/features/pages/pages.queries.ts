import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { type SitePageSlug, sitePageSlugs } from './pages.table.ts'

type Db = Kysely<Database> | Transaction<Database>

export async function findSitePage(db: Db, slug: SitePageSlug) {
  return db.selectFrom('site_pages').select(['slug', 'title', 'body', 'updated_at']).where('slug', '=', slug).executeTakeFirst()
}

/** The legal pages with who changed them last, in the order of the footer. */
export async function listSitePages(db: Db) {
  const rows = await db
    .selectFrom('site_pages')
    .leftJoin('users', 'users.id', 'site_pages.updated_by')
    .select(['site_pages.slug', 'site_pages.title', 'site_pages.updated_at', 'users.name as updated_by_name'])
    .execute()
  return rows.sort((a, b) => sitePageSlugs.indexOf(a.slug) - sitePageSlugs.indexOf(b.slug))
}

export async function updateSitePage(
  db: Db,
  slug: SitePageSlug,
  change: { title: string; body: string; userId: number; now: Date },
) {
  return db
    .updateTable('site_pages')
    .set({ title: change.title, body: change.body, updated_by: change.userId, updated_at: change.now })
    .where('slug', '=', slug)
    .returning('slug')
    .executeTakeFirst()
}
