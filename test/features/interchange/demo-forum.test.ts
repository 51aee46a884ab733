import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/connect.ts'
import { seedDemo } from '../../../seeds/demo.ts'
import { demoForumMistakes } from '../../../seeds/demo-forum.ts'
import { plantedTrends } from '../../../seeds/demo-forum/trends.ts'
import { trendingAsOf } from '../../../src/features/trends/trends.service.ts'
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
  it('has data the forum itself would accept', () => {
    expect(demoForumMistakes()).toEqual([])
  })

  it('fills all three forums with dozens of threads of every kind, with replies', async () => {
    const perForum = (await sql<{ slug: string; kind: string; n: number }>`
      SELECT f.slug, t.kind, count(*)::int AS n FROM threads t JOIN forums f ON f.id = t.forum_id GROUP BY f.slug, t.kind`.execute(handle.db)).rows
    const total = perForum.reduce((n, r) => n + r.n, 0)
    expect(total).toBeGreaterThanOrEqual(78)
    // Every forum has every kind, and every kind has at least 24 threads.
    expect(perForum).toHaveLength(9)
    const perKind = new Map<string, number>()
    for (const r of perForum) perKind.set(r.kind, (perKind.get(r.kind) ?? 0) + r.n)
    expect([...perKind.keys()].sort()).toEqual(['best_practice', 'discussion', 'question'])
    for (const [kind, n] of perKind) expect(n, kind).toBeGreaterThanOrEqual(24)
    const replied = await one<{ n: number }>(`SELECT count(*)::int AS n FROM threads WHERE reply_count > 0`)
    expect(replied.n).toBeGreaterThanOrEqual(70)
    // Lively threads and quiet ones.
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM threads WHERE reply_count >= 5`)).n).toBeGreaterThanOrEqual(5)
    // Some questions stay unanswered for more than three days, for the filter and the dashboard radar.
    const unanswered = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM threads WHERE kind = 'question' AND reply_count = 0 AND created_at < '${new Date(NOW.getTime() - 3 * 86_400_000).toISOString()}'`,
    )
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
    expect(solved.n).toBeGreaterThanOrEqual(20)
    const bp = await one<{ n: number; structured: number; adopted: number }>(`
      SELECT count(*)::int AS n,
             count(*) FILTER (WHERE bp_situation IS NOT NULL AND bp_approach IS NOT NULL AND bp_effort IS NOT NULL AND bp_contact IS NOT NULL)::int AS structured,
             count(*) FILTER (WHERE EXISTS (SELECT 1 FROM adoptions a WHERE a.thread_id = threads.id))::int AS adopted
        FROM threads WHERE kind = 'best_practice'`)
    expect(bp.n).toBeGreaterThanOrEqual(24)
    expect(bp.structured).toBe(bp.n)
    expect(bp.adopted).toBe(bp.n)
    const widelyAdopted = await one<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT thread_id FROM adoptions GROUP BY thread_id HAVING count(DISTINCT municipality_id) >= 3) t`,
    )
    expect(widelyAdopted.n).toBeGreaterThanOrEqual(10)
    // Nobody adopts their own practice, likes their own post, or marks anything outside a municipality.
    const ownAdoption = await one<{ n: number }>(`SELECT count(*)::int AS n FROM adoptions a JOIN threads t ON t.id = a.thread_id WHERE a.municipality_id = t.municipality_id`)
    expect(ownAdoption.n).toBe(0)
    const selfLike = await one<{ n: number }>(`SELECT count(*)::int AS n FROM post_reactions r JOIN posts p ON p.id = r.post_id WHERE r.user_id = p.author_id`)
    expect(selfLike.n).toBe(0)
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM post_reactions`)).n).toBeGreaterThanOrEqual(150)
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM thread_concerns`)).n).toBeGreaterThanOrEqual(100)
    // Posts, solutions, adoptions, reactions and concerns each come from many municipalities.
    const breadth = await one<Record<string, number>>(`
      SELECT (SELECT count(DISTINCT p.municipality_id) FROM threads t JOIN posts p ON p.id = t.solution_post_id)::int AS solutions,
             (SELECT count(DISTINCT municipality_id) FROM adoptions)::int AS adoptions,
             (SELECT count(DISTINCT u.municipality_id) FROM post_reactions r JOIN users u ON u.id = r.user_id)::int AS reactions,
             (SELECT count(DISTINCT municipality_id) FROM thread_concerns)::int AS concerns,
             (SELECT count(DISTINCT p.municipality_id) FROM posts p WHERE p.position > 1)::int AS replies`)
    expect(breadth.replies).toBeGreaterThanOrEqual(25)
    expect(breadth.adoptions).toBeGreaterThanOrEqual(20)
    expect(breadth.reactions).toBeGreaterThanOrEqual(20)
    expect(breadth.concerns).toBeGreaterThanOrEqual(20)
    expect(breadth.solutions).toBeGreaterThanOrEqual(10)
  })

  it('spans about thirty municipalities in about twenty districts, dated in the months before now', async () => {
    const breadth = await one<{ municipalities: number; districts: number }>(`
      SELECT count(DISTINCT m.id)::int AS municipalities, count(DISTINCT m.district)::int AS districts
        FROM posts p JOIN municipalities m ON m.id = p.municipality_id`)
    expect(breadth.municipalities).toBeGreaterThanOrEqual(28)
    expect(breadth.districts).toBeGreaterThanOrEqual(18)
    const span = await one<{ first: Date; last: Date }>(`SELECT min(created_at) AS first, max(created_at) AS last FROM posts`)
    expect(new Date(span.last).getTime()).toBeLessThanOrEqual(NOW.getTime())
    // Enough history before the last weeks for the trend baseline, and not so old that it looks abandoned.
    expect(NOW.getTime() - new Date(span.first).getTime()).toBeGreaterThan(90 * 24 * 3_600_000)
    expect(NOW.getTime() - new Date(span.first).getTime()).toBeLessThan(150 * 24 * 3_600_000)
  })

  it('plants trends the staff dashboard reports as of the seeding, and nothing else', async () => {
    const { terms } = await trendingAsOf(handle.db, NOW, NOW)
    expect(terms.map((t) => t.term).sort()).toEqual(plantedTrends.map((p) => p.word).sort())
    for (const planted of plantedTrends) {
      const term = terms.find((t) => t.term === planted.word)!
      expect(term.label).toContain(planted.word)
      expect(term.municipalities, planted.word).toBeGreaterThanOrEqual(planted.municipalities)
      expect(term.districts, planted.word).toBeGreaterThanOrEqual(planted.districts)
      expect(term.window_days, planted.word).toBeLessThanOrEqual(7)
    }
    // The planted words are new: none of the older threads uses them.
    for (const planted of plantedTrends) {
      const older = await one<{ n: number }>(
        `SELECT count(*)::int AS n FROM posts WHERE body ILIKE '%${planted.word}%' AND created_at < '${new Date(NOW.getTime() - 7 * 86_400_000).toISOString()}'`,
      )
      expect(older.n, planted.word).toBe(0)
    }
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
    expect(passwordless.n).toBeGreaterThanOrEqual(25)
  })

  it('seeds nothing a second time', async () => {
    const before = await one<{ n: number }>(`SELECT count(*)::int AS n FROM posts`)
    expect(await seedDemo(handle.db, NOW)).toBe(false)
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM posts`)).n).toBe(before.n)
  })
})
