import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/connect.ts'
import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import { hidePostRow, unhidePostRow } from '../../../src/features/moderation/moderation.queries.ts'
import { deletePost, editPost, restorePost } from '../../../src/features/threads/threads.queries.ts'
import { dayNumber } from '../../../src/features/trends/trends.queries.ts'
import { indexNewPosts, rebuildIndex, recomputeIndex, trendingAsOf } from '../../../src/features/trends/trends.service.ts'
import { stemOfTerm } from '../../../src/features/trends/trends.text.ts'
import { createTestDatabase } from '../../helpers/database.ts'
import { dayAt, history } from './history.ts'

// Edits, deletions and hiding reach the trend index with the next index run, without a rebuild.

const NOW = new Date('2026-01-01T00:00:00Z')
const AT = dayAt(197, 12)
const TITLE = 'Schimmelbefall in der Unterkunft'
let handle: DatabaseHandle
let posts: { id: number; thread_id: number; author_id: number }[] = []
let moderatorId = 0

beforeAll(async () => {
  handle = await createTestDatabase()
  const lines = history([
    { day: 196, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], title: TITLE, body: 'Wir haben Schimmelbefall in zwei Wohnungen. Wer hat ein Gutachten beauftragt?' },
  ])
  await importInterchange(handle.db, lines, NOW, () => {})
  posts = await handle.db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .select(['posts.id', 'posts.thread_id', 'posts.author_id'])
    .where('threads.title', '=', TITLE)
    .orderBy('posts.id')
    .execute()
  moderatorId = posts[0]!.author_id
  expect(posts).toHaveLength(10)
  await indexNewPosts(handle.db, NOW)
})
afterAll(() => handle.close())

const stem = stemOfTerm('Schimmelbefall')!

/** Municipalities the index counts for the stem on the day of the posts. */
async function counted(): Promise<number> {
  const row = await handle.db
    .selectFrom('trend_stem_days')
    .select('municipalities')
    .where('stem', '=', stem)
    .where('day', '=', dayNumber(dayAt(196)))
    .executeTakeFirst()
  return row?.municipalities ?? 0
}

async function trends(): Promise<boolean> {
  const result = await trendingAsOf(handle.db, AT, NOW)
  return result.terms.some((t) => t.stems.includes(stem))
}

const seven = () => posts.slice(0, 7)

describe('the trend index follows changed posts', () => {
  it('a post edited away from the word no longer counts; edited back it counts again', async () => {
    expect(await counted()).toBe(10)
    expect(await trends()).toBe(true)
    const edit = (title: string, body: string) =>
      handle.db.transaction().execute(async (trx) => {
        for (const p of seven()) {
          await editPost(trx, { postId: p.id, threadId: p.thread_id, editorId: p.author_id, body, now: NOW, thread: { title, bestPractice: null } })
        }
      })
    await edit('Wasserschaden in der Unterkunft', 'Wir haben einen Wasserschaden in zwei Wohnungen.')
    expect(await counted(), 'before the index run').toBe(10)
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(3)
    expect(await trends()).toBe(false)
    await edit(TITLE, 'Wir haben Schimmelbefall in zwei Wohnungen.')
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(10)
    expect(await trends()).toBe(true)
  })

  it('hidden posts no longer count; shown again they count', async () => {
    for (const p of seven()) expect(await hidePostRow(handle.db, { postId: p.id, actorId: moderatorId, reason: 'Test', now: NOW })).toBe(true)
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(3)
    expect(await trends()).toBe(false)
    for (const p of seven()) expect(await unhidePostRow(handle.db, p.id)).toBe(true)
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(10)
    expect(await trends()).toBe(true)
  })

  it('deleted posts no longer count; restored they count', async () => {
    const each = (fn: typeof deletePost | typeof restorePost) =>
      handle.db.transaction().execute(async (trx) => {
        for (const p of seven()) await fn(trx, { postId: p.id, threadId: p.thread_id, position: 1, actorId: p.author_id, now: NOW })
      })
    await each(deletePost)
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(3)
    expect(await trends()).toBe(false)
    await each(restorePost)
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(10)
    expect(await trends()).toBe(true)
  })

  it('posts removed for good no longer count', async () => {
    await handle.db.deleteFrom('threads').where('id', '=', posts[9]!.thread_id).execute()
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(9)
  })

  it('a failed index run leaves its marks for the next one', async () => {
    await handle.db.updateTable('posts').set({ hidden_at: NOW }).where('id', '=', posts[0]!.id).execute()
    // The run fails halfway through its transaction, after it took the marks.
    await sql`ALTER TABLE trend_stem_days ADD CONSTRAINT fail_for_test CHECK (municipalities < 0) NOT VALID`.execute(handle.db)
    await expect(indexNewPosts(handle.db, NOW)).rejects.toThrow(/fail_for_test/)
    await sql`ALTER TABLE trend_stem_days DROP CONSTRAINT fail_for_test`.execute(handle.db)
    expect(await counted()).toBe(9)
    await indexNewPosts(handle.db, NOW)
    expect(await counted()).toBe(8)
  })

  it('full recomputation and a rebuild from the text give the index the runs kept', async () => {
    const snapshot = async () =>
      (await sql<{ day: number; stem: string; municipalities: number; posts: number }>`SELECT * FROM trend_stem_days ORDER BY day, stem`.execute(handle.db)).rows
    const surface = async () => (await sql`SELECT * FROM trend_surface ORDER BY stem, word`.execute(handle.db)).rows
    const kept = await snapshot()
    const keptSurface = await surface()
    await recomputeIndex(handle.db, NOW)
    expect(await snapshot()).toEqual(kept)
    expect(await surface()).toEqual(keptSurface)
    await rebuildIndex(handle.db, NOW)
    expect(await snapshot()).toEqual(kept)
    expect(await surface()).toEqual(keptSurface)
  })

  it('full recomputation repairs counts that drifted, whatever the day ranges and however many read at once', async () => {
    const snapshot = async () => (await sql`SELECT * FROM trend_stem_days ORDER BY day, stem`.execute(handle.db)).rows
    const surface = async () => (await sql`SELECT * FROM trend_surface ORDER BY stem, word`.execute(handle.db)).rows
    const kept = await snapshot()
    const keptSurface = await surface()
    const [{ days }] = (await sql<{ days: number }>`SELECT count(DISTINCT day)::integer AS days FROM trend_municipality_forms`.execute(handle.db))
      .rows as [{ days: number }]
    expect(days, 'the history spans many day ranges').toBeGreaterThan(30)
    // Two connections side by side where there is a pool; the embedded database has only one.
    const readers = handle.kind === 'postgres' ? 2 : 1
    for (const chunkDays of [1, 7, 10_000]) {
      await sql`UPDATE trend_stem_days SET municipalities = municipalities + 5 WHERE day % 2 = 0`.execute(handle.db)
      await sql`DELETE FROM trend_stem_days WHERE day % 3 = 0`.execute(handle.db)
      await sql`UPDATE trend_surface SET uses = uses * 2`.execute(handle.db)
      await sql`INSERT INTO trend_stem_days (day, stem, municipalities, posts) VALUES (1, 'gibtsnicht', 3, 3)`.execute(handle.db)
      expect(await snapshot()).not.toEqual(kept)
      await recomputeIndex(handle.db, NOW, { readers, chunkDays })
      expect(await snapshot(), `ranges of ${chunkDays} days`).toEqual(kept)
      expect(await surface(), `ranges of ${chunkDays} days`).toEqual(keptSurface)
    }
  })

  it('a failed full recomputation keeps the counts it found', async () => {
    const snapshot = async () => (await sql`SELECT * FROM trend_stem_days ORDER BY day, stem`.execute(handle.db)).rows
    const kept = await snapshot()
    expect(kept.length).toBeGreaterThan(0)
    await sql`ALTER TABLE trend_surface ADD CONSTRAINT fail_for_test CHECK (uses < 0) NOT VALID`.execute(handle.db)
    try {
      await expect(recomputeIndex(handle.db, NOW, { readers: handle.kind === 'postgres' ? 2 : 1, chunkDays: 5 })).rejects.toThrow(/fail_for_test/)
    } finally {
      await sql`ALTER TABLE trend_surface DROP CONSTRAINT fail_for_test`.execute(handle.db)
    }
    expect(await snapshot()).toEqual(kept)
  })
})
