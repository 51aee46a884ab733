import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/connect.ts'
import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import { indexNewPosts, rebuildIndex, trendingAsOf } from '../../../src/features/trends/trends.service.ts'
import { createTestDatabase } from '../../helpers/database.ts'
import { dayAt, history } from './history.ts'

// The whole path on the database: posts become evidence, the evidence becomes trends as of a moment.

const NOW = new Date('2026-01-01T00:00:00Z')
let handle: DatabaseHandle

const schimmel = { title: 'Schimmelbefall in der Unterkunft', body: 'Wir haben Schimmelbefall in zwei Wohnungen. Wer hat ein Schimmelgutachten beauftragt?' }

beforeAll(async () => {
  handle = await createTestDatabase()
  const lines = history([
    { day: 196, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], ...schimmel },
    // One municipality writing a lot: never a trend.
    ...Array.from({ length: 8 }, (_, i) => ({ day: 190 + i, municipalities: [11], title: 'Kanalsanierung und Anliegerbeitrag', body: 'Die Kanalsanierung bringt Anliegerbeiträge.' })),
  ])
  const summary = await importInterchange(handle.db, lines, NOW, () => {})
  expect(summary.thread.skipped + summary.post.skipped).toBe(0)
})
afterAll(() => handle.close())

const labels = (r: { terms: { words: string[] }[] }) => r.terms.flatMap((t) => t.words.map((w) => w.toLowerCase()))

describe('trends on the database', () => {
  it('a word many municipalities in several districts start using trends, with written words as its label', async () => {
    const result = await trendingAsOf(handle.db, dayAt(197, 12), NOW)
    const theme = result.terms.find((t) => t.words.some((w) => /schimmel/i.test(w)))
    expect(theme, JSON.stringify(result.terms.map((t) => t.label))).toBeDefined()
    expect(theme!.label).toMatch(/Schimmel/)
    expect(theme!.municipalities).toBe(10)
    expect(theme!.districts).toBe(6)
    expect(theme!.posts).toBeGreaterThanOrEqual(10)
    expect(theme!.rise).toBeGreaterThan(1)
    expect(theme!.series.length).toBe(42)
    expect(theme!.series.at(-2)).toBe(10)
  })

  it('the flood of one municipality and the steady topics do not trend', async () => {
    const result = await trendingAsOf(handle.db, dayAt(197, 12), NOW)
    const words = labels(result)
    expect(words.some((w) => /kanal|anlieger/.test(w))).toBe(false)
    expect(words.some((w) => /kita|dolmetscher|turnhalle|unterbringung/.test(w))).toBe(false)
  })

  it('as of a moment before the rise nothing trends: later posts are ignored', async () => {
    const before = await trendingAsOf(handle.db, dayAt(196, 8), NOW)
    expect(labels(before).some((w) => /schimmel/.test(w))).toBe(false)
    // The same day, after the posts at 09:00: read live for the day of the moment.
    const after = await trendingAsOf(handle.db, dayAt(196, 12), NOW)
    expect(labels(after).some((w) => /schimmel/.test(w))).toBe(true)
  })

  it('new posts are added to the evidence incrementally; a rebuild gives the same answer', async () => {
    const at = dayAt(199, 20)
    const planted = [1, 3, 5, 7, 9, 12, 14, 16].map((m, i) =>
      JSON.stringify({ type: 'thread', id: `late${i}`, forum: 'integration', author: `u${m}`, title: 'Bettwanzen im Wohnheim', body: 'Bettwanzen: wer kennt einen Kammerjäger?', created_at: dayAt(199, 9).toISOString() }),
    )
    await importInterchange(handle.db, planted, NOW, () => {})
    expect(await indexNewPosts(handle.db, NOW)).toBe(8)
    const incremental = await trendingAsOf(handle.db, at, NOW)
    expect(labels(incremental).some((w) => /bettwanzen/.test(w))).toBe(true)
    await rebuildIndex(handle.db, NOW)
    const rebuilt = await trendingAsOf(handle.db, at, NOW)
    expect(rebuilt.terms.map((t) => [t.stem, t.score])).toEqual(incremental.terms.map((t) => [t.stem, t.score]))
  })
})

describe('scheduled indexing', () => {
  it('the job adds new posts to the evidence', async () => {
    const { trendIndexJob } = await import('../../../src/features/trends/trends.job.ts')
    await importInterchange(
      handle.db,
      [JSON.stringify({ type: 'thread', id: 'job1', forum: 'integration', author: 'u2', title: 'Rattenplage', body: 'Rattenplage am Wohnheim.', created_at: dayAt(199, 10).toISOString() })],
      NOW,
      () => {},
    )
    const before = await handle.db.selectFrom('trend_municipality_forms').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    await trendIndexJob.run({ db: handle.db }, NOW)
    const after = await handle.db.selectFrom('trend_municipality_forms').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
    expect(Number(after.n)).toBeGreaterThan(Number(before.n))
    expect(await indexNewPosts(handle.db, NOW)).toBe(0)
  })
})
