import type { Kysely } from 'kysely'
import type { Database } from '../../../src/db/database.ts'
import type { ThreadKind } from '../../../src/features/threads/threads.table.ts'
import { buildUser } from '../../factories.ts'

type Author = { id: number; municipality_id: number | null }

/** A thread with its opening post (position 1); makes an author (and municipality) unless one is given. */
export async function buildThread(
  db: Kysely<Database>,
  o: { title?: string; body?: string; forum?: string; kind?: ThreadKind; author?: Author; createdAt?: Date } = {},
) {
  const author = o.author ?? (await buildUser(db))
  const forum = await db
    .selectFrom('forums')
    .select('id')
    .where('slug', '=', o.forum ?? 'integration')
    .executeTakeFirstOrThrow()
  const createdAt = o.createdAt ?? new Date('2026-03-01T10:00:00Z')
  const thread = await db
    .insertInto('threads')
    .values({
      forum_id: forum.id,
      author_id: author.id,
      municipality_id: author.municipality_id,
      kind: o.kind ?? 'question',
      title: o.title ?? 'Ein Thema',
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
      body: o.body ?? 'Der Text zum Thema.',
      created_at: createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { thread, post, author }
}

/** A reply at the next position. */
export async function buildPost(db: Kysely<Database>, o: { threadId: number; body: string; author?: Author; createdAt?: Date }) {
  const author = o.author ?? (await buildUser(db))
  const { max } = await db
    .selectFrom('posts')
    .select((eb) => eb.fn.max('position').as('max'))
    .where('thread_id', '=', o.threadId)
    .executeTakeFirstOrThrow()
  const createdAt = o.createdAt ?? new Date('2026-03-01T12:00:00Z')
  const post = await db
    .insertInto('posts')
    .values({
      thread_id: o.threadId,
      position: Number(max ?? 0) + 1,
      author_id: author.id,
      municipality_id: author.municipality_id,
      body: o.body,
      created_at: createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await db
    .updateTable('threads')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_post_at: createdAt }))
    .where('id', '=', o.threadId)
    .execute()
  return post
}
