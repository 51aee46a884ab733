/**
 * `npm run bench:trends`: how fast the trend index and the trends are, on a database filled by
 * `npm run bench:data` (DATABASE_URL, or --data-dir for the embedded database). Writes to that database
 * (index tables, one day re-derived, a TOTP secret for the staff user): use a copy. See bench/README.md.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kf_copy npm run bench:trends
 *   npm run bench:trends -- --data-dir ./bench-data --dates 3 --requests 100
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { sql } from 'kysely'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import { connectDatabase } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { indexAndSnapshot, indexNewPosts, recomputeIndex, trendingAsOf } from '../../src/features/trends/trends.service.ts'
import { createMailer } from '../../src/plugins/mailer.ts'
import { BENCH_PASSWORD, BENCH_STAFF_EMAIL } from '../data.ts'
import { writeResult } from '../lib.ts'
import { BEHIND_TLS_PROXY, enrollTotp, signIn } from '../sign-in.ts'

const { values } = parseArgs({
  options: {
    'data-dir': { type: 'string' },
    dates: { type: 'string', default: '4' },
    requests: { type: 'string', default: '200' },
    repeat: { type: 'string', default: '3' },
    'dashboard-only': { type: 'boolean', default: false },
  },
})
const handle = await connectDatabase({ databaseUrl: process.env.DATABASE_URL, dataDir: values['data-dir'] })
const db = handle.db
const repeat = Number(values.repeat)
const figures: Record<string, unknown> = {}

async function timed<T>(label: string, fn: () => Promise<T>, note?: (r: T) => string): Promise<T> {
  const started = performance.now()
  const result = await fn()
  const ms = Math.round(performance.now() - started)
  figures[label] = ms
  console.log(`${label.padEnd(52)} ${String(ms).padStart(7)} ms${note ? `   ${note(result)}` : ''}`)
  return result
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!

try {
  await migrateToLatest(db)
  const [{ posts, last }] = (await sql<{ posts: number; last: Date }>`SELECT count(*)::integer AS posts, max(created_at) AS last FROM posts`.execute(db)).rows as [
    { posts: number; last: Date },
  ]
  console.log(`${posts} Beiträge, der letzte am ${new Date(last).toISOString()}\n`)
  const now = new Date(new Date(last).getTime() + 60_000)

  // Whatever is marked (after the migration: every municipality-day) is derived from the text first.
  if (!values['dashboard-only']) await indexFigures()
  else await timed('Job: Index + Stand für das Dashboard', () => indexAndSnapshot(db, now))
  await dashboardFigures()
  console.log(`\n${JSON.stringify(figures)}`)
  console.log(`Ergebnis: ${writeResult('trends', { at: new Date().toISOString(), database: process.env.DATABASE_URL ? 'PostgreSQL-Server' : 'eingebettet', figures })}`)

async function indexFigures() {
  await timed('Index aus dem Text (alles Markierte)', () => indexNewPosts(db, now), (n) => `${n} neue Beiträge`)

  // Two connections aggregate side by side on the server (its pool); the embedded database has one.
  const readers = handle.kind === 'postgres' ? 2 : 1
  for (let i = 1; i <= repeat; i++) await timed(`Volle Neuberechnung #${i} (${readers} Verbindung${readers > 1 ? 'en' : ''})`, () => recomputeIndex(db, now, { readers }))

  // One day of posts derived again, as the job does after a day of new posts.
  const lastDay = Math.floor(new Date(last).getTime() / 86_400_000)
  for (let i = 1; i <= repeat; i++) {
    await sql`INSERT INTO trend_dirty (municipality_id, day)
      SELECT DISTINCT municipality_id, ${lastDay}::integer FROM posts
      WHERE municipality_id IS NOT NULL AND created_at >= ${new Date(lastDay * 86_400_000)}`.execute(db)
    const [{ n }] = (await sql<{ n: number }>`SELECT count(*)::integer AS n FROM posts WHERE created_at >= ${new Date(lastDay * 86_400_000)}`.execute(db))
      .rows as [{ n: number }]
    await timed(`Inkrementell: ein Tag (${n} Beiträge) #${i}`, () => indexNewPosts(db, now))
  }

  await timed('Job: Index + Stand für das Dashboard', () => indexAndSnapshot(db, now))

  const dates = Array.from({ length: Number(values.dates) }, (_, i) => new Date(now.getTime() - i * 173 * 86_400_000 - i * 3_600_000))
  for (const at of dates) {
    for (let i = 1; i <= repeat; i++) {
      await timed(`Trends am ${at.toISOString().slice(0, 16)} #${i}`, () => trendingAsOf(db, at, now), (r) => `${r.terms.length} Begriffe, ${r.threads.length} Themen`)
    }
  }
}

async function dashboardFigures() {

  // The dashboard through the HTTP app, signed in as staff with the second factor, as in production.
  const secret = await enrollTotp(db, BENCH_STAFF_EMAIL)
  const dataDir = mkdtempSync(join(tmpdir(), 'kf-bench-trends-'))
  const config = loadConfig({
    NODE_ENV: 'production',
    BASE_URL: 'https://forum.bench.invalid',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    DEMO: 'false',
    LOG_LEVEL: 'warn',
    TRUST_PROXY: 'true',
  })
  const mailer = createMailer(config)
  // The app's clock stands just after the job's run, so the stored state is fresh.
  const started = Date.now()
  const app = await buildApp({ config, db, mailer, clock: { now: () => new Date(now.getTime() + (Date.now() - started)) } })
  await app.listen({ host: '127.0.0.1', port: 0 })
  try {
    const origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    const { cookie } = await signIn(origin, BENCH_STAFF_EMAIL, BENCH_PASSWORD, { totpSecret: secret, at: new Date(now.getTime() + (Date.now() - started)) })
    const get = async () => {
      const t = performance.now()
      const res = await fetch(`${origin}/dashboard`, { headers: { ...BEHIND_TLS_PROXY, cookie } })
      await res.text()
      if (res.status !== 200) throw new Error(`/dashboard answered ${res.status}`)
      return performance.now() - t
    }
    figures['Dashboard kalt (erste Anfrage)'] = Math.round(await get())
    console.log(`${'Dashboard kalt (erste Anfrage, Stand des Jobs)'.padEnd(52)} ${String(figures['Dashboard kalt (erste Anfrage)']).padStart(7)} ms`)
    for (let i = 0; i < 20; i++) await get()
    const times: number[] = []
    for (let i = 0; i < Number(values.requests); i++) times.push(await get())
    times.sort((a, b) => a - b)
    const p50 = Math.round(percentile(times, 50) * 10) / 10
    const p95 = Math.round(percentile(times, 95) * 10) / 10
    figures['Dashboard p50'] = p50
    figures['Dashboard p95'] = p95
    console.log(`${`Dashboard warm, ${times.length} Anfragen nacheinander`.padEnd(52)} p50 ${p50} ms, p95 ${p95} ms, max ${Math.round(times.at(-1)!)} ms`)
  } finally {
    await app.close()
    await mailer.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
} finally {
  await handle.close()
}
