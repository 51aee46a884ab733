import type { Insertable, Kysely } from 'kysely'
import type { Database } from '../src/db/database.ts'
import { importInterchange } from '../src/features/interchange/interchange.import.ts'
import type { MunicipalityMarksTable, PostReactionsTable } from '../src/features/threads/threads.table.ts'
import { aufnahmeThreads } from './demo-forum/aufnahme.ts'
import { type DemoThread, municipalities, type Person, people, type Town } from './demo-forum/cast.ts'
import { engagementThreads } from './demo-forum/engagement.ts'
import { integrationThreads } from './demo-forum/integration.ts'
import { trendThreads } from './demo-forum/trends.ts'

// Living forums for the demo: threads of every kind across the three forums, written as
// administration staff in Lower Saxony write, dated in the months before the seeding, with two
// themes planted in the last days so the staff dashboard shows trends (seeds/demo-forum/trends.ts).
// The content lives in seeds/demo-forum/, one module per forum; this file only turns it into rows.
// They go in through the interchange import (the same path a migrated forum takes); adoptions,
// reactions and "betrifft uns auch" are not part of the format and are inserted after it.

const HOUR = 3_600_000
const DAY = 24 * HOUR

const threads: DemoThread[] = [...aufnahmeThreads, ...integrationThreads, ...engagementThreads, ...trendThreads]

export const demoForumSize = { threads: threads.length }

/** Mistakes in the demo data that the forum itself would refuse or that would look wrong. */
export function demoForumMistakes(list: DemoThread[] = threads): string[] {
  const mistakes: string[] = []
  const townOf = (p: Person) => people[p].town
  for (const t of list) {
    const where = `„${t.title}“`
    if ((t.kind === 'best_practice') !== (t.bestPractice !== undefined)) mistakes.push(`${where}: Gute Praxis genau dann mit bestPractice`)
    if (t.adoptedBy && t.kind !== 'best_practice') mistakes.push(`${where}: nur Gute Praxis wird übernommen`)
    if (t.replies.some((r) => r.solution) && t.kind !== 'question') mistakes.push(`${where}: Lösungen gibt es nur bei Fragen`)
    if (t.replies.filter((r) => r.solution).length > 1) mistakes.push(`${where}: mehr als eine Lösung`)
    for (const p of [...(t.adoptedBy ?? []), ...(t.concerns ?? [])]) {
      if (!townOf(p) || townOf(p) === townOf(t.by)) mistakes.push(`${where}: ${p} markiert für die eigene oder keine Kommune`)
    }
    for (const p of t.helpful ?? []) if (p === t.by) mistakes.push(`${where}: ${p} findet den eigenen Beitrag hilfreich`)
    for (const r of t.replies) for (const p of r.helpful ?? []) if (p === r.by) mistakes.push(`${where}: ${p} findet die eigene Antwort hilfreich`)
  }
  return mistakes
}

const externalId = {
  municipality: (key: Town) => `demo-m-${key}`,
  person: (key: Person) => `demo-u-${key}`,
  thread: (index: number) => `demo-t-${index + 1}`,
  post: (thread: number, reply: number) => `demo-p-${thread + 1}-${reply + 1}`,
}

/** The demo forum as interchange lines, dated relative to `now`. */
export function demoForumLines(now: Date): string[] {
  const lines: Record<string, unknown>[] = []
  for (const [key, m] of Object.entries(municipalities) as [Town, (typeof municipalities)[Town]][]) {
    lines.push({ type: 'municipality', id: externalId.municipality(key), name: m.name, kind: m.kind, district: m.district, ...(m.ags ? { ags: m.ags } : {}) })
  }
  for (const [key, p] of Object.entries(people) as [Person, (typeof people)[Person]][]) {
    lines.push({ type: 'user', id: externalId.person(key), ...(p.town ? { municipality: externalId.municipality(p.town) } : {}), name: p.name, email: p.email, role: p.role })
  }
  const openedAt = (t: DemoThread, i: number) => now.getTime() - t.daysAgo * DAY + ((i * 7) % 9) * HOUR - 6 * HOUR
  for (const [i, t] of threads.entries()) {
    lines.push({
      type: 'thread',
      id: externalId.thread(i),
      forum: t.forum,
      author: externalId.person(t.by),
      title: t.title,
      body: t.body,
      kind: t.kind,
      created_at: new Date(openedAt(t, i)).toISOString(),
      ...t.bestPractice,
    })
  }
  for (const [i, t] of threads.entries()) {
    for (const [j, r] of t.replies.entries()) {
      // Never in the future: the newest threads' replies arrive at most up to the seeding moment.
      const at = Math.min(openedAt(t, i) + r.after * HOUR, now.getTime() - (t.replies.length - j) * 7 * 60_000)
      lines.push({
        type: 'post',
        id: externalId.post(i, j),
        thread: externalId.thread(i),
        author: externalId.person(r.by),
        body: r.body,
        created_at: new Date(at).toISOString(),
        ...(r.solution ? { solution: true } : {}),
      })
    }
  }
  return lines.map((l) => JSON.stringify(l))
}

/**
 * Seeds the demo forum after the demo accounts exist (their municipalities and addresses are matched,
 * not duplicated). Throws if a line is refused: the demo data must be complete.
 */
export async function seedDemoForum(db: Kysely<Database>, now: Date): Promise<void> {
  const mistakes = demoForumMistakes()
  if (mistakes.length > 0) throw new Error(`Demo-Forum fehlerhaft:\n${mistakes.join('\n')}`)
  const problems: string[] = []
  await importInterchange(db, demoForumLines(now), now, (p) => problems.push(`Zeile ${p.line}: ${p.reason}`))
  if (problems.length > 0) throw new Error(`Demo-Forum unvollständig:\n${problems.join('\n')}`)

  const ids = async (table: 'municipalities' | 'users' | 'threads' | 'posts', prefix: string) => {
    const rows = await db.selectFrom(table).select(['id', 'external_id']).where('external_id', 'like', `${prefix}%`).execute()
    return new Map(rows.map((r) => [r.external_id!, r.id]))
  }
  const userIds = await ids('users', 'demo-u-')
  const threadIds = await ids('threads', 'demo-t-')
  const postIds = await ids('posts', 'demo-p-')
  const townIds = await ids('municipalities', 'demo-m-')
  const townOf = (p: Person) => {
    const town = people[p].town
    if (!town) throw new Error(`${p} gehört zu keiner Kommune`)
    return townIds.get(externalId.municipality(town))!
  }
  const userOf = (p: Person) => userIds.get(externalId.person(p))!
  const at = (t: DemoThread, hours: number) => new Date(Math.min(now.getTime() - t.daysAgo * DAY + hours * HOUR, now.getTime() - 60_000))

  const adoptions: Insertable<MunicipalityMarksTable>[] = []
  const concerns: Insertable<MunicipalityMarksTable>[] = []
  const reactions: Insertable<PostReactionsTable>[] = []
  const openings = await db
    .selectFrom('posts')
    .select(['id', 'thread_id'])
    .where('thread_id', 'in', [...threadIds.values()])
    .where('position', '=', 1)
    .execute()
  const openingOf = new Map(openings.map((p) => [p.thread_id, p.id]))
  for (const [i, t] of threads.entries()) {
    const threadId = threadIds.get(externalId.thread(i))!
    for (const [k, p] of (t.adoptedBy ?? []).entries()) {
      adoptions.push({ thread_id: threadId, municipality_id: townOf(p), user_id: userOf(p), created_at: at(t, 24 * (k + 1)) })
    }
    for (const [k, p] of (t.concerns ?? []).entries()) {
      concerns.push({ thread_id: threadId, municipality_id: townOf(p), user_id: userOf(p), created_at: at(t, 2 + 5 * k) })
    }
    for (const [k, p] of (t.helpful ?? []).entries()) {
      reactions.push({ post_id: openingOf.get(threadId)!, user_id: userOf(p), created_at: at(t, 1 + 3 * k) })
    }
    for (const [j, r] of t.replies.entries()) {
      for (const [k, p] of (r.helpful ?? []).entries()) {
        reactions.push({ post_id: postIds.get(externalId.post(i, j))!, user_id: userOf(p), created_at: at(t, r.after + 1 + 2 * k) })
      }
    }
  }
  if (adoptions.length) await db.insertInto('adoptions').values(adoptions).onConflict((oc) => oc.doNothing()).execute()
  if (concerns.length) await db.insertInto('thread_concerns').values(concerns).onConflict((oc) => oc.doNothing()).execute()
  if (reactions.length) await db.insertInto('post_reactions').values(reactions).onConflict((oc) => oc.doNothing()).execute()
}
