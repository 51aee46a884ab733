import type { Kysely } from 'kysely'
import type { Database } from '../../../src/db/database.ts'
import type { ThreadKind } from '../../../src/features/threads/threads.table.ts'
import { buildUser } from '../../factories.ts'

type Author = { id: number; municipality_id: number | null }
let sequence = 0

/** A thread with its opening post (position 1), inserted directly; makes an author unless one is given. */
export async function buildThread(
  db: Kysely<Database>,
  options: Partial<{ author: Author; forum: string; title: string; body: string; kind: ThreadKind; createdAt: Date }> = {},
) {
  const author = options.author ?? (await buildUser(db))
  const forum = await db
    .selectFrom('forums')
    .select('id')
    .where('slug', '=', options.forum ?? 'integration')
    .executeTakeFirstOrThrow()
  const createdAt = options.createdAt ?? new Date('2026-03-01T10:00:00Z')
  const thread = await db
    .insertInto('threads')
    .values({
      forum_id: forum.id,
      author_id: author.id,
      municipality_id: author.municipality_id,
      kind: options.kind ?? 'question',
      title: options.title ?? `Thema ${++sequence}`,
      created_at: createdAt,
      last_post_at: createdAt,
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
      created_at: createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { thread, post, author }
}

/** A reply at the next position; keeps reply_count and last_post_at current like the thread feature does. */
export async function buildReply(
  db: Kysely<Database>,
  threadId: number,
  options: Partial<{ author: Author; body: string; createdAt: Date }> = {},
) {
  const author = options.author ?? (await buildUser(db))
  const createdAt = options.createdAt ?? new Date('2026-03-01T11:00:00Z')
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
      body: options.body ?? 'So machen wir das.',
      created_at: createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await db
    .updateTable('threads')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_post_at: createdAt }))
    .where('id', '=', threadId)
    .execute()
  return { post, author }
}
