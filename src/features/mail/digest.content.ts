import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { listBusiestThreads, listNewThreads, listWatchedActivity } from './digest.queries.ts'
import type { DigestRecipient } from './mail.queries.ts'

const SECTION_LIMIT = 8

type NewThread = Awaited<ReturnType<typeof listNewThreads>>[number]
type BusyThread = Awaited<ReturnType<typeof listBusiestThreads>>[number]
type Watched = Awaited<ReturnType<typeof listWatchedActivity>>[number]

/** What the digest of a window can contain; the same for everyone sharing that window. */
export type WindowContent = {
  threads: NewThread[]
  busiest: BusyThread[]
  watchedByUser: Map<number, Watched[]>
}

export type DigestItem = { title: string; url: string; from?: string | null; ownDistrict?: boolean; unanswered?: boolean; count?: number }
export type DigestContent = {
  questions: DigestItem[]
  moreQuestions: number
  bestPractices: DigestItem[]
  busiest: DigestItem[]
  watched: DigestItem[]
  itemCount: number
}

export async function loadWindowContent(db: Kysely<Database>, since: Date, until: Date): Promise<Omit<WindowContent, 'watchedByUser'>> {
  const [threads, busiest] = await Promise.all([listNewThreads(db, since, until), listBusiestThreads(db, since, until, SECTION_LIMIT * 2)])
  return { threads, busiest }
}

export async function loadWatchedActivity(db: Kysely<Database>, userIds: number[], since: Date, until: Date) {
  const byUser = new Map<number, Watched[]>()
  for (const row of await listWatchedActivity(db, userIds, since, until)) {
    const list = byUser.get(row.user_id) ?? []
    list.push(row)
    byUser.set(row.user_id, list)
  }
  return byUser
}

/**
 * One person's digest, or null when there is nothing for them. Never their own threads: open questions
 * of peers (unanswered first, own district marked), new best practices, the threads that drew the most
 * municipalities, and activity in the threads they watch.
 */
export function selectDigest(recipient: Pick<DigestRecipient, 'id' | 'district'>, content: WindowContent, baseUrl: string): DigestContent | null {
  const threadUrl = (id: number) => `${baseUrl}/threads/${id}`
  const others = content.threads.filter((t) => t.author_id !== recipient.id)
  const open = others
    .filter((t) => t.kind === 'question' && t.solution_post_id === null)
    .map((t) => ({
      title: t.title,
      url: threadUrl(t.id),
      from: t.municipality_name,
      ownDistrict: recipient.district !== null && t.district === recipient.district,
      unanswered: t.reply_count === 0,
    }))
    .sort((a, b) => Number(b.unanswered) - Number(a.unanswered))
  const questions = open.slice(0, SECTION_LIMIT)
  const bestPractices = others
    .filter((t) => t.kind === 'best_practice')
    .slice(0, SECTION_LIMIT)
    .map((t) => ({ title: t.title, url: threadUrl(t.id), from: t.municipality_name }))
  const busiest = content.busiest
    .filter((t) => t.author_id !== recipient.id)
    .slice(0, 5)
    .map((t) => ({ title: t.title, url: threadUrl(t.id), count: Number(t.municipalities) }))
  const watched = (content.watchedByUser.get(recipient.id) ?? [])
    .slice(0, SECTION_LIMIT)
    .map((t) => ({ title: t.title, url: `${baseUrl}/posts/${t.first_post_id}`, count: Number(t.posts) }))
  const itemCount = questions.length + bestPractices.length + busiest.length + watched.length
  if (itemCount === 0) return null
  return { questions, moreQuestions: open.length - questions.length, bestPractices, busiest, watched, itemCount }
}
