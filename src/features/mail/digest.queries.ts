import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'

type Db = Kysely<Database> | Transaction<Database>

// The digest's content for everyone whose digest covers the same window, in three queries however
// many people share it (the window is the same for all whose digests are due together).

/** Questions and best practices opened in the window, with where they come from. */
export async function listNewThreads(db: Db, since: Date, until: Date) {
  return db
    .selectFrom('threads')
    .leftJoin('municipalities', 'municipalities.id', 'threads.municipality_id')
    .select([
      'threads.id',
      'threads.kind',
      'threads.title',
      'threads.author_id',
      'threads.reply_count',
      'threads.solution_post_id',
      'threads.created_at',
      'municipalities.name as municipality_name',
      'municipalities.district',
    ])
    .where('threads.deleted_at', 'is', null)
    .where('threads.kind', 'in', ['question', 'best_practice'])
    .where('threads.created_at', '>=', since)
    .where('threads.created_at', '<', until)
    .orderBy('threads.created_at', 'desc')
    .limit(500)
    .execute()
}

/** The threads where the most municipalities wrote in the window (at least two). */
export async function listBusiestThreads(db: Db, since: Date, until: Date, limit: number) {
  return db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .select((eb) => [
      'threads.id',
      'threads.title',
      'threads.author_id',
      eb.fn.count<string>('posts.municipality_id').distinct().as('municipalities'),
    ])
    .where('posts.created_at', '>=', since)
    .where('posts.created_at', '<', until)
    .where('posts.deleted_at', 'is', null)
    .where('posts.hidden_at', 'is', null)
    .where('threads.deleted_at', 'is', null)
    .groupBy(['threads.id', 'threads.title', 'threads.author_id'])
    .having((eb) => eb.fn.count('posts.municipality_id').distinct(), '>=', 2)
    .orderBy('municipalities', 'desc')
    .orderBy('threads.id', 'desc')
    .limit(limit)
    .execute()
}

/** Per person: watched threads with posts by others in the window, and how many. */
export async function listWatchedActivity(db: Db, userIds: number[], since: Date, until: Date) {
  if (userIds.length === 0) return []
  return db
    .selectFrom('thread_watches')
    .innerJoin('posts', 'posts.thread_id', 'thread_watches.thread_id')
    .innerJoin('threads', 'threads.id', 'thread_watches.thread_id')
    .select((eb) => [
      'thread_watches.user_id',
      'threads.id',
      'threads.title',
      eb.fn.countAll<string>().as('posts'),
      eb.fn.min('posts.id').as('first_post_id'),
    ])
    .where('thread_watches.user_id', 'in', userIds)
    .where('thread_watches.level', '=', 'watching')
    .whereRef('posts.author_id', '<>', 'thread_watches.user_id')
    .where('posts.created_at', '>=', since)
    .where('posts.created_at', '<', until)
    .where('posts.deleted_at', 'is', null)
    .where('posts.hidden_at', 'is', null)
    .where('threads.deleted_at', 'is', null)
    .groupBy(['thread_watches.user_id', 'threads.id', 'threads.title'])
    .execute()
}
