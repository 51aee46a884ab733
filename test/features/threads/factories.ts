import type { Kysely } from 'kysely'
import type { Database } from '../../../src/db/database.ts'
import type { ThreadKind } from '../../../src/features/threads/threads.table.ts'
import type { Role } from '../../../src/features/users/users.table.ts'
import { buildUser } from '../../factories.ts'
import { login, submitForm, type TestApp } from '../../helpers/app.ts'

type Agent = ReturnType<TestApp['agent']>
export type Author = { id: number; municipality_id: number | null }
let sequence = 0

/** A thread with its opening post (position 1), inserted directly; makes an author unless one is given. */
export async function buildThread(
  db: Kysely<Database>,
  options: Partial<{
    author: Author
    forum: string
    title: string
    body: string
    kind: ThreadKind
    at: Date
    pinned: boolean
    locked: boolean
    bp: Partial<Record<'bp_situation' | 'bp_approach' | 'bp_effort' | 'bp_contact', string>>
  }> = {},
) {
  const author = options.author ?? (await buildUser(db))
  const forum = await db.selectFrom('forums').select('id').where('slug', '=', options.forum ?? 'integration').executeTakeFirstOrThrow()
  const at = options.at ?? new Date('2026-03-01T10:00:00Z')
  const thread = await db
    .insertInto('threads')
    .values({
      forum_id: forum.id,
      author_id: author.id,
      municipality_id: author.municipality_id,
      kind: options.kind ?? 'question',
      title: options.title ?? `Thema ${++sequence}`,
      created_at: at,
      last_post_at: at,
      pinned_at: options.pinned ? at : null,
      locked_at: options.locked ? at : null,
      ...options.bp,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  const post = await db
    .insertInto('posts')
    .values({
      thread_id: thread.id,
      position: 1,
      author_id: author.id,
      municipality_id: author.municipality_id,
      body: options.body ?? 'Wie machen Sie das?',
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { thread, post, author }
}

/** A reply at the next position; keeps reply_count and last_post_at current as the feature does. */
export async function buildReply(db: Kysely<Database>, threadId: number, options: Partial<{ author: Author; body: string; at: Date }> = {}) {
  const author = options.author ?? (await buildUser(db))
  const at = options.at ?? new Date('2026-03-01T11:00:00Z')
  const last = await db
    .selectFrom('posts')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('thread_id', '=', threadId)
    .executeTakeFirstOrThrow()
  const post = await db
    .insertInto('posts')
    .values({
      thread_id: threadId,
      position: Number(last.position ?? 0) + 1,
      author_id: author.id,
      municipality_id: author.municipality_id,
      body: options.body ?? `Antwort ${++sequence}`,
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await db
    .updateTable('threads')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_post_at: at }))
    .where('id', '=', threadId)
    .execute()
  return post
}

/** A user of the given role, signed in through the real login form in their own "browser". */
export async function signedIn(t: TestApp, role: Role, overrides: Parameters<typeof buildUser>[1] = {}) {
  const user = await buildUser(t.db, { role, ...overrides })
  const agent = t.agent()
  await login(agent, user.email, user.password)
  return { user, agent }
}

/** Posts a small form as a browser would, with the CSRF token of the user's session. */
export function post(agent: Agent, action: string, fields: Record<string, string> = {}) {
  return submitForm(agent, '/', action, fields)
}

/** The visible text of a page, without tags: what a reader (or screen reader) gets. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x3D;/g, '=')
    .replace(/\s+/g, ' ')
}
