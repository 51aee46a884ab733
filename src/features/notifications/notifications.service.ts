import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'

type Db = Kysely<Database> | Transaction<Database>

// INTERFACE STUB (lead): helper F4 implements these; helper F1 calls them when posts, solutions and adoptions happen.

/** A new post (opening or reply): notifies watchers of the thread/forum and @mentioned people; the author watches the thread. */
export async function notifyNewPost(
  _db: Db,
  _input: { threadId: number; postId: number; authorId: number; body: string; isOpening: boolean; now: Date },
): Promise<void> {}

/** A reply was marked as the solution of a question: notifies the asker (unless they marked it) and the reply's author. */
export async function notifySolution(_db: Db, _input: { threadId: number; postId: number; actorId: number; now: Date }): Promise<void> {}

/** A municipality adopted a best practice: notifies the author. */
export async function notifyAdoption(_db: Db, _input: { threadId: number; actorId: number; now: Date }): Promise<void> {}

/** Remembers how far the user has read a thread (the highest position seen). */
export async function markThreadRead(_db: Db, _input: { userId: number; threadId: number; position: number; now: Date }): Promise<void> {}
