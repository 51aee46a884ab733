/**
 * `npm run bench:districts`: how long the district view's and the radar's queries and pages take on a large database.
 * Each query runs `--runs` times after one warm-up; the minimum and median are printed, and the pages
 * are fetched in-process (app.inject) by a signed-in staff account. Runs the migrations first.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kf_copy npm run bench:districts -- --at 2026-11-30T18:00:00Z
 */
import { parseArgs } from 'node:util'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { connectDatabase } from '../src/db/connect.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { districtActivity, municipalitiesOfDistrict, weeklyDistrictActivity } from '../src/features/trends/districts.queries.ts'
import { ACTIVITY_WEEKS, openQuestionsAsOf, radarAsOf } from '../src/features/trends/trends.radar.ts'
import { DAY_MS, silentMunicipalities, weeklyActivity, weeklyParticipation } from '../src/features/trends/trends.queries.ts'
import { BENCH_PASSWORD, BENCH_STAFF_EMAIL } from './data.ts'

const { values } = parseArgs({ options: { at: { type: 'string' }, runs: { type: 'string', default: '9' } } })
const databaseUrl = process.env.DATABASE_URL
if (!databaseUrl) throw new Error('DATABASE_URL must name a database with benchmark data (a copy: the migrations run)')
const runs = Number(values.runs)

async function time(name: string, fn: () => Promise<unknown>) {
  await fn()
  const ms: number[] = []
  for (let i = 0; i < runs; i++) {
    const started = performance.now()
    await fn()
    ms.push(performance.now() - started)
  }
  ms.sort((a, b) => a - b)
  console.log(`${name.padEnd(44)} min ${ms[0]!.toFixed(1).padStart(7)} ms   median ${ms[Math.floor(ms.length / 2)]!.toFixed(1).padStart(7)} ms`)
}

const handle = await connectDatabase({ databaseUrl })
try {
  await migrateToLatest(handle.db)
  const db = handle.db
  const latest = await db.selectFrom('posts').select((eb) => eb.fn.max('created_at').as('at')).executeTakeFirstOrThrow()
  const at = values.at ? new Date(values.at) : new Date(latest.at!)
  const [busiest] = (await districtActivity(db, at)).sort((a, b) => b.municipalities - a.municipalities)
  const district = busiest!.district
  console.log(`as of ${at.toISOString()}, district ${district} (${busiest!.municipalities} municipalities), ${runs} runs each`)
  await time('districtActivity (all districts)', () => districtActivity(db, at))
  await time('districtActivity (one district)', () => districtActivity(db, at, district))
  await time('openQuestionsAsOf', () => openQuestionsAsOf(db, at))
  await time('municipalitiesOfDistrict', () => municipalitiesOfDistrict(db, district, at, new Date(at.getTime() - ACTIVITY_WEEKS * 7 * DAY_MS)))
  await time('weeklyDistrictActivity', () => weeklyDistrictActivity(db, district, ACTIVITY_WEEKS, at))
  await time('weeklyParticipation (radar)', () => weeklyParticipation(db, ACTIVITY_WEEKS, at))
  await time('weeklyActivity (radar)', () => weeklyActivity(db, ACTIVITY_WEEKS, at))
  await time('silentMunicipalities (radar)', () => silentMunicipalities(db, new Date(at.getTime() - 118 * DAY_MS), new Date(at.getTime() - 28 * DAY_MS), at))
  await time('radarAsOf (all radar queries)', () => radarAsOf(db, at, 'de'))

  // The pages, as a staff member sees them (the trend computation is cached per minute, as on the dashboard).
  const config = loadConfig({ DATABASE_URL: databaseUrl, DEMO: 'true', LOG_LEVEL: 'silent', SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0' })
  const app = await buildApp({ config, db, mailer: { kind: 'outbox', send: async () => {}, close: async () => {} }, clock: { now: () => at } })
  try {
    const loginPage = await app.inject({ url: '/login' })
    const csrf = /name="_csrf" value="([^"]+)"/.exec(loginPage.body)?.[1] ?? ''
    const cookies = (res: { cookies: { name: string; value: string }[] }) => Object.fromEntries(res.cookies.map((c) => [c.name, c.value]))
    const signedIn = await app.inject({
      method: 'POST',
      url: '/login',
      cookies: cookies(loginPage),
      payload: new URLSearchParams({ _csrf: csrf, email: BENCH_STAFF_EMAIL, password: BENCH_PASSWORD }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    const session = { ...cookies(loginPage), ...cookies(signedIn) }
    const page = async (url: string) => {
      const res = await app.inject({ url, cookies: session })
      if (res.statusCode !== 200) throw new Error(`${url} → ${res.statusCode}`)
    }
    const started = performance.now()
    await page('/dashboard/districts')
    console.log(`${'first /dashboard/districts (computes trends)'.padEnd(44)} ${(performance.now() - started).toFixed(1).padStart(11)} ms`)
    await time('GET /dashboard/districts', () => page('/dashboard/districts'))
    await time('GET /dashboard/districts?sort=rise', () => page('/dashboard/districts?sort=rise'))
    await time(`GET /dashboard/districts/${district}`, () => page(`/dashboard/districts/${encodeURIComponent(district)}`))
    await time('GET /dashboard/districts.csv', () => page('/dashboard/districts.csv'))
    await time('GET /dashboard/radar', () => page('/dashboard/radar'))
  } finally {
    await app.close()
  }
} finally {
  await handle.close()
}
