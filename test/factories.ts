import type { Kysely } from 'kysely'
import type { Database } from '../src/db/database.ts'
import type { ThreadKind } from '../src/features/threads/threads.table.ts'
import type { Role } from '../src/features/users/users.table.ts'
import { hashPassword } from '../src/lib/passwords.ts'

export const PASSWORD = 'korrekt-Pferd-Batterie-Heftklammer'
let hashed: Promise<string> | undefined
let sequence = 0
const next = () => ++sequence + '-' + Math.random().toString(36).slice(2, 7)

export async function buildMunicipality(
  db: Kysely<Database>,
  overrides: Partial<{ name: string; kind: string; district: string; ags: string | null; active: boolean }> = {},
) {
  const n = next()
  return db
    .insertInto('municipalities')
    .values({ name: `Gemeinde ${n}`, kind: 'Gemeinde', district: 'Landkreis Testland', ags: null, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Inserts a user (and, for municipality roles, a municipality unless one is given). Password: PASSWORD. */
export async function buildUser(
  db: Kysely<Database>,
  overrides: Partial<{
    role: Role
    email: string
    name: string
    municipality_id: number | null
    active: boolean
    password_hash: string | null
    totp_secret: string | null
    totp_enabled_at: Date | null
    locale: 'de' | 'en'
  }> = {},
) {
  const role = overrides.role ?? 'member'
  let municipalityId = overrides.municipality_id
  if (municipalityId === undefined) {
    municipalityId = role === 'staff' || role === 'admin' ? null : (await buildMunicipality(db)).id
  }
  hashed ??= hashPassword(PASSWORD)
  const n = next()
  const user = await db
    .insertInto('users')
    .values({
      email: `person-${n}@example.de`,
      name: `Person ${n}`,
      password_hash: await hashed,
      ...overrides,
      role,
      municipality_id: municipalityId,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { ...user, password: PASSWORD }
}

export type Author = { id: number; municipality_id: number | null }
type BestPracticeParts = Partial<Record<'bp_situation' | 'bp_approach' | 'bp_effort' | 'bp_contact', string>>

/**
 * A thread with its opening post (position 1), inserted directly; makes an author (and with it a
 * municipality) unless one is given. `at` is when it was started (and its last activity).
 */
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
    bp: BestPracticeParts
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
      title: options.title ?? `Thema ${next()}`,
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

/**
 * A reply at the next position of a thread (a new thread unless one is given), by a new author unless
 * one is given; keeps reply_count and last_post_at current as the thread feature does.
 */
export async function buildReply(db: Kysely<Database>, threadId?: number, options: Partial<{ author: Author; body: string; at: Date }> = {}) {
  const thread = threadId ?? (await buildThread(db)).thread.id
  const author = options.author ?? (await buildUser(db))
  const at = options.at ?? new Date('2026-03-01T11:00:00Z')
  const last = await db
    .selectFrom('posts')
    .select((eb) => eb.fn.max('position').as('position'))
    .where('thread_id', '=', thread)
    .executeTakeFirstOrThrow()
  const post = await db
    .insertInto('posts')
    .values({
      thread_id: thread,
      position: Number(last.position ?? 0) + 1,
      author_id: author.id,
      municipality_id: author.municipality_id,
      body: options.body ?? `Antwort ${next()}`,
      created_at: at,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  await db
    .updateTable('threads')
    .set((eb) => ({ reply_count: eb('reply_count', '+', 1), last_post_at: at }))
    .where('id', '=', thread)
    .execute()
  return post
}
