import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/connect.ts'
import { seedDemo } from '../../../seeds/demo.ts'
import { createTestDatabase } from '../../helpers/database.ts'

const NOW = new Date('2026-03-02T08:00:00Z')
let handle: DatabaseHandle
beforeAll(async () => {
  handle = await createTestDatabase()
  expect(await seedDemo(handle.db, NOW)).toBe(true)
})
afterAll(() => handle.close())

const one = async <T>(query: string) => (await sql<T>`${sql.raw(query)}`.execute(handle.db)).rows[0]!

describe('demo forum', () => {
  it('fills all three forums with dozens of threads of every kind, with replies', async () => {
    const perForum = (await sql<{ slug: string; kind: string; n: number }>`
      SELECT f.slug, t.kind, count(*)::int AS n FROM threads t JOIN forums f ON f.id = t.forum_id GROUP BY f.slug, t.kind`.execute(handle.db)).rows
    const total = perForum.reduce((n, r) => n + r.n, 0)
    expect(total).toBeGreaterThanOrEqual(30)
    expect(new Set(perForum.map((r) => r.slug)).size).toBe(3)
    expect(new Set(perForum.map((r) => r.kind))).toEqual(new Set(['question', 'best_practice', 'discussion']))
    const replied = await one<{ n: number }>(`SELECT count(*)::int AS n FROM threads WHERE reply_count > 0`)
    expect(replied.n).toBeGreaterThanOrEqual(25)
    // One question stays unanswered, for the "unbeantwortet" filter.
    const unanswered = await one<{ n: number }>(`SELECT count(*)::int AS n FROM threads WHERE kind = 'question' AND reply_count = 0`)
    expect(unanswered.n).toBeGreaterThanOrEqual(1)
    // Counters match the posts.
    const wrong = await one<{ n: number }>(`
      SELECT count(*)::int AS n FROM threads t
       WHERE t.reply_count <> (SELECT count(*) - 1 FROM posts p WHERE p.thread_id = t.id)
          OR t.last_post_at <> (SELECT max(created_at) FROM posts p WHERE p.thread_id = t.id)`)
    expect(wrong.n).toBe(0)
  })

  it('has solved questions, adopted best practices and reactions', async () => {
    const solved = await one<{ n: number }>(`
      SELECT count(*)::int AS n FROM threads t JOIN posts p ON p.id = t.solution_post_id AND p.thread_id = t.id
       WHERE t.kind = 'question' AND p.position > 1`)
    expect(solved.n).toBeGreaterThanOrEqual(8)
    const bp = await one<{ n: number; structured: number; adopted: number }>(`
      SELECT count(*)::int AS n,
             count(*) FILTER (WHERE bp_situation IS NOT NULL AND bp_approach IS NOT NULL AND bp_effort IS NOT NULL AND bp_contact IS NOT NULL)::int AS structured,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM adoptions a WHERE a.thread_id = threads.id))::int AS adopted
        FROM threads WHERE kind = 'best_practice'`)
    expect(bp.n).toBeGreaterThanOrEqual(5)
    expect(bp.structured).toBe(bp.n)
    expect(bp.adopted).toBe(bp.n)
    // Nobody adopts their own practice, likes their own post, or marks anything outside a municipality.
    const ownAdoption = await one<{ n: number }>(`SELECT count(*)::int AS n FROM adoptions a JOIN threads t ON t.id = a.thread_id WHERE a.municipality_id = t.municipality_id`)
    expect(ownAdoption.n).toBe(0)
    const selfLike = await one<{ n: number }>(`SELECT count(*)::int AS n FROM post_reactions r JOIN posts p ON p.id = r.post_id WHERE r.user_id = p.author_id`)
    expect(selfLike.n).toBe(0)
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM post_reactions`)).n).toBeGreaterThanOrEqual(40)
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM thread_concerns`)).n).toBeGreaterThanOrEqual(30)
  })

  it('spans at least eight municipalities in five districts, dated in the weeks before now', async () => {
    const breadth = await one<{ municipalities: number; districts: number }>(`
      SELECT count(DISTINCT m.id)::int AS municipalities, count(DISTINCT m.district)::int AS districts
        FROM posts p JOIN municipalities m ON m.id = p.municipality_id`)
    expect(breadth.municipalities).toBeGreaterThanOrEqual(8)
    expect(breadth.districts).toBeGreaterThanOrEqual(5)
    const span = await one<{ first: Date; last: Date }>(`SELECT min(created_at) AS first, max(created_at) AS last FROM posts`)
    expect(new Date(span.last).getTime()).toBeLessThanOrEqual(NOW.getTime())
    expect(NOW.getTime() - new Date(span.first).getTime()).toBeGreaterThan(28 * 24 * 3_600_000)
    expect(NOW.getTime() - new Date(span.first).getTime()).toBeLessThan(60 * 24 * 3_600_000)
  })

  it('reuses the demo accounts and municipalities, and gives extra authors no password', async () => {
    const dupes = await one<{ n: number }>(`SELECT count(*)::int AS n FROM (SELECT lower(name) FROM municipalities GROUP BY 1 HAVING count(*) > 1) d`)
    expect(dupes.n).toBe(0)
    const karin = await one<{ threads: number; password: boolean }>(`
      SELECT (SELECT count(*) FROM threads t WHERE t.author_id = u.id)::int AS threads, u.password_hash IS NOT NULL AS password
        FROM users u WHERE u.email = 'kontakt@wolfenbuettel.demo.kommunalforum.de'`)
    expect(karin).toEqual({ threads: expect.any(Number), password: true })
    expect(karin.threads).toBeGreaterThan(0)
    const passwordless = await one<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE password_hash IS NULL`)
    expect(passwordless.n).toBeGreaterThanOrEqual(8)
  })

  it('seeds nothing a second time', async () => {
    const before = await one<{ n: number }>(`SELECT count(*)::int AS n FROM posts`)
    expect(await seedDemo(handle.db, NOW)).toBe(false)
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM posts`)).n).toBe(before.n)
  })
})
