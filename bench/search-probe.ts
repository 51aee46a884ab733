/**
 * Times the search, similar-threads and start-page queries directly against a database (no HTTP), one
 * query kind after the other: first one at a time, then with PROBE_CONCURRENCY queries in flight.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kf_bench_perf npx tsx bench/search-probe.ts
 *
 * PROBE_RUNS (default 20) runs per kind, PROBE_CONCURRENCY (default 10; 0 skips the concurrent round).
 */
import { connectDatabase } from '../src/db/connect.ts'
import { startPageActivity } from '../src/features/forums/forums.queries.ts'
import { findSimilarThreads, searchThreads } from '../src/features/search/search.queries.ts'
import { writeResult } from './lib.ts'

const url = process.env.DATABASE_URL
if (!url) throw new Error('DATABASE_URL is required')
const runs = Number(process.env.PROBE_RUNS ?? 20)
const concurrency = Number(process.env.PROBE_CONCURRENCY ?? 10)
const { db, close } = await connectDatabase({ databaseUrl: url })
const now = new Date()
const page = { limit: 20, offset: 0, now }
const someUser = await db.selectFrom('forum_visits').select('user_id').limit(1).executeTakeFirst()
const userId = someUser?.user_id ?? 1

const kinds: [string, () => Promise<unknown>][] = [
  ['search common word', () => searchThreads(db, 'Unterbringung', {}, page)],
  ['search two words', () => searchThreads(db, 'Dolmetscher Kosten', {}, page)],
  ['search phrase', () => searchThreads(db, '"Sprachkurs Kita"', {}, page)],
  ['search OR / minus', () => searchThreads(db, 'Dolmetscher OR Sprachkurs -Kosten', {}, page)],
  ['search rare word', () => searchThreads(db, 'Trinkwasserampel', {}, page)],
  ['search common, forum filter', () => searchThreads(db, 'Unterbringung', { forumId: 1 }, page)],
  ['search common, page 5', () => searchThreads(db, 'Unterbringung', {}, { ...page, offset: 80 })],
  ['similar threads', () => findSimilarThreads(db, 'Kosten für Dolmetscher bei der Unterbringung')],
  ['start page (one statement)', () => startPageActivity(db, userId)],
]

function figures(ms: number[]) {
  const s = [...ms].sort((a, b) => a - b)
  const at = (q: number) => Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10
  return { p50Ms: at(0.5), p95Ms: at(0.95), maxMs: Math.round(s.at(-1)! * 10) / 10 }
}

function stats(ms: number[]) {
  const f = figures(ms)
  return `p50 ${f.p50Ms.toFixed(1).padStart(7)}  p95 ${f.p95Ms.toFixed(1).padStart(7)}  max ${f.maxMs.toFixed(1).padStart(7)} ms`
}

const results: { kind: string; serial: ReturnType<typeof figures>; concurrent: ReturnType<typeof figures> | null }[] = []

async function timed(fn: () => Promise<unknown>) {
  const start = performance.now()
  await fn()
  return performance.now() - start
}

for (const [name, fn] of kinds) {
  await fn() // warm-up
  const one: number[] = []
  for (let i = 0; i < runs; i++) one.push(await timed(fn))
  let line = `${name.padEnd(30)} serial: ${stats(one)}`
  const result: (typeof results)[number] = { kind: name, serial: figures(one), concurrent: null }
  results.push(result)
  if (concurrency > 0) {
    const many: number[] = []
    let left = runs
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (left-- > 0) many.push(await timed(fn))
      }),
    )
    line += ` | ${concurrency} at once: ${stats(many)}`
    result.concurrent = figures(many)
  }
  console.log(line)
}
await close()
const database = new URL(url).pathname.slice(1)
console.log(`Ergebnis: ${writeResult('search-probe', { at: new Date().toISOString(), database, runs, concurrency, results })}`)
