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

/** Threads and posts per forum, kept by triggers on threads (see the forum_counts migration). */
export interface ForumCountsTable {
  forum_id: number
  threads: number
  posts: number
}
