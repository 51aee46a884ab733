import pg from 'pg'
import { Kysely, PostgresDialect } from 'kysely'
import { searchThreads } from './src/features/search/search.queries.ts'
const url = 'postgres://postgres@127.0.0.1:5432/kf_bench'
const pool = new pg.Pool({ connectionString: url, max: 1 })
const captured: { sql: string; params: readonly unknown[] }[] = []
const db = new Kysely<any>({ dialect: new PostgresDialect({ pool }), log: (e) => { if (e.level === 'query') captured.push({ sql: e.query.sql, params: e.query.parameters }) } })
const text = process.argv[2] ?? 'Dolmetscher Kosten'
const filters = process.argv[3] ? JSON.parse(process.argv[3]) : {}
await searchThreads(db, text, filters, { limit: 20, offset: 0, now: new Date() })
const main = captured.find((c) => c.sql.includes('WITH matching'))!
const details = captured.find((c) => c.sql.includes('ts_headline'))
const client = await pool.connect()
await client.query("SET max_parallel_workers_per_gather = 0; SET jit = off")
for (const q of [main, details]) {
  if (!q) continue
  for (let i = 0; i < 3; i++) await client.query(q.sql, q.params as unknown[])
  const t = performance.now(); await client.query(q.sql, q.params as unknown[]); console.log('time', (performance.now() - t).toFixed(1))
  const { rows } = await client.query('EXPLAIN (ANALYZE, BUFFERS, TIMING) ' + q.sql, q.params as unknown[])
  console.log(rows.map((r) => r['QUERY PLAN']).join('\n'))
}
client.release(); await pool.end()
