/**
 * `npm run bench:data`: a large, realistic forum for the benchmarks — by default 1,000 municipalities in
 * 45 districts, 10,000 users, 100,000 threads and 1,000,000 posts of German text over three years, with
 * reactions, "betrifft uns auch" marks and attachment metadata. Written straight into the database with
 * set-based SQL (the interchange import would take an hour for this), in chunks with a progress bar.
 * Reusable: a second run on the same database sees the marker and does nothing.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kf_bench npm run bench:data
 *   npm run bench:data -- --data-dir ./bench-data          (embedded database; slow at full size)
 *   npm run bench:data -- --scale 0.01                     (a tiny forum: smoke runs)
 *
 * Every generated user signs in with BENCH_PASSWORD; bench/run.ts uses them.
 */
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import { connectDatabase } from '../src/db/connect.ts'
import type { Database } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { indexNewPosts } from '../src/features/trends/trends.service.ts'
import { hashPassword } from '../src/lib/passwords.ts'
import { isMainScript } from './main.ts'

export const BENCH_PASSWORD = 'Bench-Kommunalforum-2026'
export const BENCH_MARKER = 'bench:data'
/** The first user is staff (the dashboard scenario), the rest are members. */
export const BENCH_STAFF_EMAIL = 'bench.user1@bench.invalid'

// Words of the domain; a few rare ones make the "rare word" search scenario meaningful.
const COMMON = `Unterbringung Wohnraum Turnhalle Container Erstaufnahme Zuweisung Landesaufnahmebehörde Sozialamt
Sprachkurs Integrationskurs Kita Schule Ehrenamt Ehrenamtliche Dolmetscher Übersetzung Arztbesuch Gesundheitskarte
Kosten Erstattung Pauschale Landkreis Antrag Formular Leistungen Asylbewerberleistungsgesetz Ausländerbehörde
Wohnungsmarkt Mietvertrag Hausmeister Sicherheitsdienst Brandschutz Hygiene Verpflegung Kleiderkammer Tafel
Fahrdienst Busverbindung Fahrrad Patenschaft Begegnungscafé Sportverein Feuerwehr Arbeitsmarkt Praktikum
Ausbildung Jobcenter Anerkennung Abschluss Kinderbetreuung Elternabend Jugendhilfe Vormundschaft
Beratung Sprechstunde Netzwerk Koordination Stelle Personal Überstunden Haushalt Förderprogramm Richtlinie
Erfahrung Lösung Vorschlag Frage Problem Vorgehen Ergebnis Vertrag Vorlage Muster Ratsbeschluss Bürgerversammlung`
  .split(/\s+/)
const GLUE = `wir haben die der das und mit für bei im in zur zum von auf nach seit sehr gute schnelle erste neue
unsere eine einen kein keine noch schon auch aber leider bisher derzeit dringend gemeinsam regelmäßig`.split(/\s+/)
const RARE = ['Wärmepumpenförderung', 'Gebärdensprachdolmetscher', 'Photovoltaikpflicht', 'Trinkwasserampel', 'Starkregenvorsorge']
const DISTRICT_NAMES = `Ammerland Aurich Celle Cloppenburg Cuxhaven Diepholz Emsland Friesland Gifhorn Goslar Göttingen
Grafschaft-Bentheim Hameln-Pyrmont Harburg Heidekreis Helmstedt Hildesheim Holzminden Leer Lüchow-Dannenberg Lüneburg
Nienburg Northeim Oldenburg Osnabrück Osterholz Peine Rotenburg Schaumburg Stade Uelzen Vechta Verden Wesermarsch
Wittmund Wolfenbüttel Region-Hannover Ostholstein Plön Segeberg Stormarn Pinneberg Steinburg Dithmarschen Nordfriesland`
  .split(/\s+/)
const KINDS = ['Stadt', 'Gemeinde', 'Samtgemeinde', 'Einheitsgemeinde']

export type Sizes = { municipalities: number; districts: number; users: number; threads: number; postsPerThread: number }

export function sizes(scale: number): Sizes {
  return {
    municipalities: Math.max(20, Math.round(1000 * scale)),
    districts: Math.min(45, Math.max(5, Math.round(45 * Math.sqrt(scale)))),
    users: Math.max(50, Math.round(10_000 * scale)),
    threads: Math.max(100, Math.round(100_000 * scale)),
    postsPerThread: 10,
  }
}

const quote = (words: string[]) => `ARRAY[${words.map((w) => `'${w.replace(/'/g, "''")}'`).join(',')}]::text[]`

/** A German-looking text of `n` words, different per row (the reference to a row column keeps it per row). */
function textSql(rowExpr: string, minWords: number, spread: number) {
  return `(SELECT string_agg(CASE WHEN random() < 0.45 THEN g[1 + floor(random() * ${GLUE.length})::int]
        WHEN random() < 0.00002 THEN r[1 + floor(random() * ${RARE.length})::int]
        ELSE c[1 + floor(random() * ${COMMON.length})::int] END, ' ')
      FROM generate_series(1, ${minWords} + (${rowExpr} % ${spread})) AS w(i),
        (SELECT ${quote(COMMON)} AS c, ${quote(GLUE)} AS g, ${quote(RARE)} AS r) AS v
      WHERE w.i > 0 AND ${rowExpr} IS NOT NULL) || '.'`
}

export async function generate(db: Kysely<Database>, s: Sizes, onProgress: (step: string, done: number, total: number) => void) {
  const existing = await db.selectFrom('app_settings').select('value').where('key', '=', BENCH_MARKER).executeTakeFirst()
  if (existing) return { reused: true, sizes: existing.value as unknown as Sizes }
  const passwordHash = await hashPassword(BENCH_PASSWORD)
  const end = new Date('2026-11-30T18:00:00Z')
  const threeYearsSeconds = 3 * 365 * 86_400
  const run = (statement: string) => sql.raw(statement).execute(db)

  onProgress('Kommunen und Personen', 0, 1)
  await run(`INSERT INTO municipalities (external_id, name, kind, district, created_at)
    SELECT 'bm' || i, 'Benchstadt ' || i, (${quote(KINDS)})[1 + i % ${KINDS.length}],
      'Landkreis ' || (${quote(DISTRICT_NAMES.slice(0, s.districts))})[1 + i % ${s.districts}], '2023-01-01'
    FROM generate_series(1, ${s.municipalities}) AS i`)
  await run(`INSERT INTO users (external_id, municipality_id, email, name, role, password_hash, created_at)
    SELECT 'bu' || i, (SELECT id FROM municipalities WHERE external_id = 'bm' || (1 + (i * 7) % ${s.municipalities})),
      'bench.user' || i || '@bench.invalid', 'Person ' || i || ' Bench', CASE WHEN i = 1 THEN 'staff' ELSE 'member' END,
      '${passwordHash}', '2023-01-01'
    FROM generate_series(1, ${s.users}) AS i`)
  // Dense numbering, so a random author is a cheap lookup.
  await run(`CREATE TEMP TABLE bench_authors AS
    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id, municipality_id FROM users WHERE external_id LIKE 'bu%'`)
  await run(`CREATE UNIQUE INDEX ON bench_authors (n)`)
  await run(`CREATE TEMP TABLE bench_forums AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM forums`)
  onProgress('Kommunen und Personen', 1, 1)

  const chunk = 2_000
  for (let from = 1; from <= s.threads; from += chunk) {
    const to = Math.min(s.threads, from + chunk - 1)
    await db.transaction().execute(async (trx) => {
      const q = (statement: string) => sql.raw(statement).execute(trx)
      await q(`INSERT INTO threads (external_id, forum_id, author_id, municipality_id, kind, title, created_at, last_post_at)
        SELECT 'bt' || i, f.id, a.id, a.municipality_id,
          (ARRAY['question','question','discussion','best_practice'])[1 + i % 4],
          left(initcap(${textSql('i', 4, 6)}), 200),
          ts, ts
        FROM generate_series(${from}, ${to}) AS i
        CROSS JOIN LATERAL (SELECT timestamptz '${end.toISOString()}' - make_interval(secs => ${threeYearsSeconds} * ((i * 7919) % ${s.threads})::float8 / ${s.threads}) AS ts) AS t
        JOIN bench_forums f ON f.n = i % 3
        JOIN bench_authors a ON a.n = (i * 7907) % ${s.users}`)
      // Every hundredth thread has exactly 21 posts (the "thread with 20 replies" page); the rest 1–19.
      await q(`INSERT INTO posts (external_id, thread_id, position, author_id, municipality_id, body, created_at)
        SELECT 'bp' || th.id || '-' || p, th.id, p, a.id, a.municipality_id,
          ${textSql('(th.id + p)', 25, 60)},
          least(th.created_at + make_interval(secs => (p - 1) * (3600 + (th.id * p) % 86400)), timestamptz '${end.toISOString()}')
        FROM threads th
        CROSS JOIN LATERAL generate_series(1, CASE WHEN th.id % 100 = 0 THEN 21 ELSE 1 + (th.id * 7919) % 19 END) AS p
        JOIN bench_authors a ON a.n = CASE WHEN p = 1 THEN (SELECT n FROM bench_authors WHERE id = th.author_id) ELSE (th.id * 31 + p * 7) % ${s.users} END
        WHERE th.external_id IN (SELECT 'bt' || i FROM generate_series(${from}, ${to}) AS i)`)
      await q(`UPDATE threads th SET reply_count = x.n - 1, last_post_at = x.last
        FROM (SELECT thread_id, count(*) AS n, max(created_at) AS last FROM posts
              WHERE thread_id IN (SELECT id FROM threads WHERE external_id IN (SELECT 'bt' || i FROM generate_series(${from}, ${to}) AS i))
              GROUP BY thread_id) AS x
        WHERE th.id = x.thread_id`)
    })
    onProgress('Themen und Beiträge', to, s.threads)
  }

  onProgress('Reaktionen und Anhänge', 0, 1)
  await run(`INSERT INTO post_reactions (post_id, user_id, created_at)
    SELECT p.id, a.id, p.created_at + interval '1 hour' FROM posts p JOIN bench_authors a ON a.n = (p.id * 13) % ${s.users}
    WHERE p.id % 10 = 0 AND a.id <> p.author_id ON CONFLICT DO NOTHING`)
  await run(`INSERT INTO thread_concerns (thread_id, municipality_id, user_id, created_at)
    SELECT t.id, a.municipality_id, a.id, t.created_at + interval '2 hours' FROM threads t
    JOIN bench_authors a ON a.n = (t.id * 17) % ${s.users}
    WHERE t.id % 20 = 0 AND t.external_id LIKE 'bt%' ON CONFLICT DO NOTHING`)
  await run(`INSERT INTO attachments (post_id, uploaded_by, original_name, stored_name, content_type, size_bytes, created_at)
    SELECT p.id, p.author_id, 'Vorlage ' || p.id || '.pdf', 'bench-' || p.id, 'application/pdf', 50000 + p.id % 100000, p.created_at
    FROM posts p WHERE p.id % 50 = 0 AND p.external_id LIKE 'bp%'`)
  // A forum that has been running is vacuumed: without it every full-text query also reads the GIN
  // indexes' pending lists (10 ms per search on the attachments alone) and no index-only scan skips the heap.
  await run(`VACUUM ANALYZE`)
  onProgress('Reaktionen und Anhänge', 1, 1)
  // The trend index is what a running forum's job keeps current: derived once here, not in each benchmark.
  onProgress('Trend-Index', 0, 1)
  await indexNewPosts(db, end)
  // The marks came in the order the posts were generated, not by day; a running forum's daily runs (and
  // a rebuild, see markAllDirty) store the municipality-days by day, which the full recomputation's day
  // ranges rely on. Building also took and deleted a mark for every municipality-day: vacuumed, as
  // autovacuum would, before measuring.
  await run(`CLUSTER trend_municipality_forms USING trend_municipality_forms_pkey`)
  await run(`VACUUM ANALYZE trend_dirty, trend_municipality_forms, trend_forms, trend_stem_days, trend_surface`)
  onProgress('Trend-Index', 1, 1)
  await db
    .insertInto('app_settings')
    .values({ key: BENCH_MARKER, value: JSON.stringify(s) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute()
  return { reused: false, sizes: s }
}

async function main() {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, scale: { type: 'string', default: '1' } } })
  const scale = Number(values.scale)
  if (!(scale > 0 && scale <= 1)) throw new Error('--scale erwartet eine Zahl zwischen 0 und 1')
  const databaseUrl = process.env.DATABASE_URL
  if (!databaseUrl && !values['data-dir']) throw new Error('Bitte DATABASE_URL setzen oder --data-dir DIR angeben.')
  if (databaseUrl) await createDatabaseIfMissing(databaseUrl)
  const handle = await connectDatabase({ databaseUrl, dataDir: values['data-dir'] })
  const started = Date.now()
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar({ stream: process.stderr, format: '{step} [{bar}] {percentage} % | noch {eta_formatted}' }, cliProgress.Presets.shades_classic)
    : undefined
  let current = ''
  try {
    await migrateToLatest(handle.db)
    const result = await generate(handle.db, sizes(scale), (step, done, total) => {
      if (step !== current) {
        bar?.stop()
        current = step
        if (bar) bar.start(total, done, { step })
        else console.error(step)
      } else bar?.update(done)
    })
    bar?.stop()
    const counts = await sql<{ threads: string; posts: string; users: string }>`SELECT
      (SELECT count(*) FROM threads) AS threads, (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM users) AS users`.execute(handle.db)
    const row = counts.rows[0]!
    console.log(
      `${result.reused ? 'Vorhandene Benchmark-Daten wiederverwendet' : `Benchmark-Daten erzeugt in ${((Date.now() - started) / 1000).toFixed(0)} s`}: ` +
        `${row.users} Personen, ${row.threads} Themen, ${row.posts} Beiträge. Passwort aller Personen: ${BENCH_PASSWORD}`,
    )
  } finally {
    await handle.close()
  }
}

async function createDatabaseIfMissing(url: string) {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.slice(1))
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Datenbankname „${name}“ nicht erlaubt`)
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
  if (!rowCount) await client.query(`CREATE DATABASE ${name}`)
  await client.end()
}

if (isMainScript('bench/data.ts')) {
  main().catch((err: unknown) => {
    console.error('Benchmark-Daten konnten nicht erzeugt werden:', err instanceof Error ? err.message : err)
    process.exitCode = 1
  })
}
