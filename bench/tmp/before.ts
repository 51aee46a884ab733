import { sql } from 'kysely'
import { connectDatabase } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { indexNewPosts, rebuildIndex, trendingAsOf } from '../../src/features/trends/trends.service.ts'
const handle = await connectDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR })
const db = handle.db
await migrateToLatest(db)
const now = new Date()
const ms = async (f: () => Promise<unknown>) => { const t = performance.now(); const r = await f(); return [Math.round(performance.now() - t), r] as const }
const max = (await sql<{ m: number }>`select max(id) m from posts`.execute(db)).rows[0]!.m
await sql`delete from trend_evidence`.execute(db); await sql`delete from trend_surface`.execute(db)
await sql`insert into trend_index_state (id, last_post_id, updated_at) values (1, ${max - 1000}, now()) on conflict (id) do update set last_post_id = excluded.last_post_id`.execute(db)
console.log('incremental 1000 posts', await ms(() => indexNewPosts(db, now)))
if (!process.env.SKIP_FULL) console.log('full rebuild', await ms(() => rebuildIndex(db, now)))
for (const at of ['2026-11-30T12:00:00Z', '2026-06-15T12:00:00Z', '2025-03-01T12:00:00Z']) {
  const [t, r] = await ms(() => trendingAsOf(db, new Date(at), now))
  console.log('trending', at, t, 'ms', (r as { terms: unknown[] }).terms.length, 'terms', (r as { threads: unknown[] }).threads.length, 'threads')
}
await handle.close()
