import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { MentionLink } from '../../lib/markdown.ts'
import { mentionCandidates } from '../../lib/mentions.ts'
import { listListedHandles } from './people.queries.ts'

/** A person's entry in the member directory. */
export function personUrl(handle: string): string {
  return `/people?${new URLSearchParams({ handle })}`
}

/** Caps what one page may ask about; a page with more distinct handles than this links the first ones. */
const MAX_HANDLES_PER_PAGE = 500

/**
 * Links for the mentions in all texts of a page, resolved in one query: pass the result to
 * renderMarkdown for each text. Handles nobody listed has stay plain text.
 */
export async function mentionLinks(db: Kysely<Database> | Transaction<Database>, sources: string[]): Promise<MentionLink> {
  const candidates = mentionCandidates(sources.join('\n'), MAX_HANDLES_PER_PAGE)
  const known = new Set(await listListedHandles(db, candidates))
  return (handle) => (known.has(handle) ? personUrl(handle) : undefined)
}
