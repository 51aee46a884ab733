import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { trendingAsOf } from '../trends/trends.service.ts'
import { listBusiestThreads, listNewThreads, listWatchedActivity } from './digest.queries.ts'
import type { DigestRecipient } from './mail.queries.ts'

const SECTION_LIMIT = 8
const TRENDING_LIMIT = 3

type NewThread = Awaited<ReturnType<typeof listNewThreads>>[number]
type BusyThread = Awaited<ReturnType<typeof listBusiestThreads>>[number]
type Watched = Awaited<ReturnType<typeof listWatchedActivity>>[number]

/** What the digest of a window can contain; the same for everyone sharing that window. */
export type WindowContent = {
  threads: NewThread[]
  busiest: BusyThread[]
  /** What the staff dashboard sees spreading across municipalities at the end of the window. */
  trending: { label: string; query: string; municipalities: number }[]
  watchedByUser: Map<number, Watched[]>
}

export type DigestItem = { title: string; url: string; from?: string | null; ownDistrict?: boolean; unanswered?: boolean; count?: number }
export type DigestContent = {
  questions: DigestItem[]
  moreQuestions: number
  bestPractices: DigestItem[]
  busiest: DigestItem[]
  watched: DigestItem[]
  /** A line on what is moving across the state; never a reason on its own to send a digest. */
  trending: DigestItem[]
  itemCount: number
}

export async function loadWindowContent(db: Kysely<Database>, since: Date, until: Date): Promise<Omit<WindowContent, 'watchedByUser'>> {
  const [threads, busiest, trends] = await Promise.all([
    listNewThreads(db, since, until),
    listBusiestThreads(db, since, until, SECTION_LIMIT * 2),
    trendingAsOf(db, until, until),
  ])
  return { threads, busiest, trending: trends.terms.slice(0, TRENDING_LIMIT).map((t) => ({
      label: t.label,
      // any of the theme's two leading words: a post need not use all of them
      query: (t.words.length ? t.words.slice(0, 2) : [t.label]).join(' OR '),
      municipalities: t.municipalities,
    })) }
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
  // Members cannot open the dashboard; a search for the theme shows them the posts behind it.
  const trending = content.trending.map((t) => ({ title: t.label, url: `${baseUrl}/search?q=${encodeURIComponent(t.query)}`, count: t.municipalities }))
  return { questions, moreQuestions: open.length - questions.length, bestPractices, busiest, watched, trending, itemCount }
}
