/**
 * `npm run bench`: the load test. Starts the app in a child process (so the load generator does not
 * share its event loop) and measures the pages members hit most with autocannon, signed in.
 * With DATABASE_URL pointing at a database filled by `npm run bench:data`, it measures that large forum;
 * otherwise it makes a throwaway database (in memory, or `kf_bench_…` on the server) with a small
 * generated forum. Never part of `npm test`. See bench/README.md.
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon, { type RequestSpec } from 'autocannon'
import pg from 'pg'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { connectDatabase, type DatabaseHandle } from '../src/db/connect.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { systemClock } from '../src/lib/clock.ts'
import { createMailer } from '../src/plugins/mailer.ts'
import { BENCH_MARKER, BENCH_PASSWORD, BENCH_STAFF_EMAIL, generate, sizes } from './data.ts'
import { BEHIND_TLS_PROXY, enrollTotp, signIn } from './sign-in.ts'

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const here = dirname(fileURLToPath(import.meta.url))

type Ready = {
  type: 'ready'
  port: number
  memberEmail: string
  staffEmail: string
  /** Staff sign in with a second factor in production: the app process enrolls this secret for them. */
  staffTotpSecret: string
  password: string
  database: string
  threadId: number
  /** The app's PID and, on a server, the PIDs of Postgres: CPU time per request is read from /proc. */
  postgres: boolean
}
type Memory = { type: 'memory'; rssMb: number; maxRssMb: number; cpuMs: number }
type Scenario = { name: string; path: string; method?: 'GET' | 'POST'; as: 'anonymous' | 'member' | 'staff'; body?: () => string; contentType?: string }

if (process.argv.includes('--serve')) await serve()
else await main()

// ---- the load generator (parent process) ----

async function main() {
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'], stdio: 'inherit' })
  const ask = <T>(message: string, type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return
        child.off('message', onMessage)
        resolve(m as T)
      }
      child.on('message', onMessage)
      child.once('exit', (code) => reject(new Error(`app process ended (${code})`)))
      if (message) child.send(message)
    })
  try {
    const server = await ask<Ready>('', 'ready')
    const origin = `http://127.0.0.1:${server.port}`
    const member = await signIn(origin, server.memberEmail, server.password)
    const staff = await signIn(origin, server.staffEmail, server.password, server.staffTotpSecret)
    const replyToken = await csrfToken(origin, `/threads/${server.threadId}/reply`, member)
    let replyNo = 0

    const scenarios: Scenario[] = [
      { name: 'Anmeldeseite (anonym)', path: '/login', as: 'anonymous' },
      { name: 'Startseite', path: '/', as: 'member' },
      { name: 'Forum', path: '/forums/integration', as: 'member' },
      { name: 'Thema mit 20 Antworten', path: `/threads/${server.threadId}`, as: 'member' },
      { name: 'Suche (häufiges Wort)', path: `/search?q=${encodeURIComponent('Unterbringung')}`, as: 'member' },
      { name: 'Suche (seltenes Wort)', path: `/search?q=${encodeURIComponent('Trinkwasserampel')}`, as: 'member' },
      { name: 'Dashboard (Geschäftsstelle)', path: '/dashboard', as: 'staff' },
      {
        name: 'Antwort schreiben',
        path: `/threads/${server.threadId}/replies`,
        method: 'POST',
        as: 'member',
        contentType: 'application/x-www-form-urlencoded',
        body: () => new URLSearchParams({ _csrf: replyToken, body: `Antwort ${++replyNo} aus dem Lasttest: Wir haben gute Erfahrungen mit Dolmetschern gemacht.` }).toString(),
      },
    ]
    console.log(`\n${server.database}, ${CONNECTIONS} Verbindungen, je ${DURATION_SECONDS} s\n`)
    const results = []
    for (const scenario of scenarios) {
      const cookie = scenario.as === 'member' ? member.cookie : scenario.as === 'staff' ? staff.cookie : undefined
      const headers: Record<string, string> = { ...BEHIND_TLS_PROXY, origin: 'https://forum.bench.invalid', ...(cookie ? { cookie } : {}) }
      if (scenario.contentType) headers['content-type'] = scenario.contentType
      const check = await fetch(origin + scenario.path, { method: scenario.method ?? 'GET', headers, body: scenario.body?.(), redirect: 'manual' })
      const expected = scenario.method === 'POST' ? 303 : 200
      if (check.status !== expected) throw new Error(`${scenario.path} answered ${check.status}, expected ${expected}`)
      // Warm-up: caches, JIT and connection pools settle before the measured run.
      await autocannon({ url: origin, connections: CONNECTIONS, duration: 2, requests: [request(scenario, headers)] })
      const before = await ask<Memory>('memory', 'memory')
      const pgBefore = server.postgres ? postgresCpuMs() : 0
      const result = await autocannon({ url: origin, connections: CONNECTIONS, duration: DURATION_SECONDS, requests: [request(scenario, headers)] })
      const memory = await ask<Memory>('memory', 'memory')
      const pgMs = server.postgres ? postgresCpuMs() - pgBefore : 0
      const requests = Math.max(1, result.requests.total)
      const row = {
        scenario: scenario.name,
        path: scenario.path,
        requestsPerSecond: Math.round(result.requests.average),
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        latencyMaxMs: result.latency.max,
        requests: result.requests.total,
        // 3xx is the expected answer of a form POST; anything 4xx/5xx, a timeout or a dropped connection is not.
        errors: result.errors + result.timeouts + result['4xx'] + result['5xx'],
        appCpuMsPerRequest: round2((memory.cpuMs - before.cpuMs) / requests),
        postgresCpuMsPerRequest: server.postgres ? round2(pgMs / requests) : null,
        rssMb: memory.rssMb,
        maxRssMb: memory.maxRssMb,
      }
      results.push(row)
      console.log(
        `${row.scenario.padEnd(30)} ${String(row.requestsPerSecond).padStart(6)} req/s   p50 ${row.latencyP50Ms} ms   p99 ${row.latencyP99Ms} ms   ` +
          `Fehler ${row.errors}   CPU/Anfrage ${row.appCpuMsPerRequest} ms App${row.postgresCpuMsPerRequest === null ? '' : ` + ${row.postgresCpuMsPerRequest} ms Postgres`}   RSS ${row.rssMb} MB (max ${row.maxRssMb} MB)`,
      )
    }
    const report = {
      at: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      database: server.database,
      connections: CONNECTIONS,
      durationSeconds: DURATION_SECONDS,
      results,
    }
    const dir = join(here, 'results')
    mkdirSync(dir, { recursive: true })
    const file = join(dir, `${report.at.replace(/:/g, '-').replace(/\..+$/, '')}.json`)
    writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
    console.log(`\nErgebnis: ${file}`)
  } finally {
    if (child.connected) child.send('stop')
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)))
  }
}

function request(scenario: Scenario, headers: Record<string, string>): RequestSpec {
  return {
    method: scenario.method ?? 'GET',
    path: scenario.path,
    headers,
    // The rate limiter (600 a minute per address) would otherwise answer most requests with 429;
    // a new client address per request measures the page, limiter bookkeeping included.
    setupRequest: (req) => ({
      ...req,
      ...(scenario.body ? { body: scenario.body() } : {}),
      headers: { ...req.headers, 'x-forwarded-for': randomAddress() },
    }),
  }
}

function round2(n: number) {
  return Math.round(n * 100) / 100
}

/** CPU time (user + system) of every Postgres process on this machine, in ms, from /proc. */
function postgresCpuMs(): number {
  const ticksPerSecond = 100
  let ticks = 0
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const close = stat.lastIndexOf(')')
      if (!stat.slice(stat.indexOf('(') + 1, close).startsWith('postgres')) continue
      const fields = stat.slice(close + 2).split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      // the process ended meanwhile
    }
  }
  return (ticks * 1000) / ticksPerSecond
}

async function csrfToken(origin: string, path: string, session: { cookie: string }): Promise<string> {
  const res = await fetch(origin + path, { headers: { ...BEHIND_TLS_PROXY, cookie: session.cookie } })
  const token = (await res.text()).match(/name="_csrf" value="([^"]+)"/)?.[1]
  if (!token) throw new Error(`no CSRF token on ${path} (${res.status})`)
  return token
}

/** A random address from TEST-NET-3 (RFC 5737): it only labels requests, nothing is sent there. */
function randomAddress(): string {
  const n = randomBytes(2)
  return `203.0.${n[0]}.${n[1]}`
}

// ---- the app (child process) ----

async function serve() {
  const dataDir = mkdtempSync(join(tmpdir(), 'kf-bench-'))
  const { handle, database, dropDatabase } = await benchDatabase()
  await migrateToLatest(handle.db)
  // A database from `npm run bench:data` is used as it is; a throwaway one gets a small forum.
  await generate(handle.db, sizes(Number(process.env.BENCH_SCALE ?? 0.02)), () => {})
  const thread = await handle.db
    .selectFrom('threads')
    .select('id')
    .where('reply_count', '=', 20)
    .where('locked_at', 'is', null)
    .orderBy('id')
    .executeTakeFirstOrThrow()
  const staffTotpSecret = await enrollTotp(handle.db, BENCH_STAFF_EMAIL)
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
  const app = await buildApp({ config, db: handle.db, mailer, clock: systemClock })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  process.send!({
    type: 'ready',
    port,
    memberEmail: 'bench.user2@bench.invalid',
    staffEmail: BENCH_STAFF_EMAIL,
    staffTotpSecret,
    password: BENCH_PASSWORD,
    database,
    threadId: thread.id,
    postgres: !!process.env.DATABASE_URL,
  } satisfies Ready)

  process.on('message', async (message) => {
    if (message === 'memory') {
      const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20)
      const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
      const cpu = process.cpuUsage()
      process.send!({ type: 'memory', rssMb, maxRssMb, cpuMs: (cpu.user + cpu.system) / 1000 } satisfies Memory)
    }
    if (message === 'stop') {
      // autocannon drops its connections at the deadline; let the requests already inside finish first.
      await new Promise((resolve) => setTimeout(resolve, 2000))
      await app.close()
      await mailer.close()
      await handle.close()
      await dropDatabase()
      rmSync(dataDir, { recursive: true, force: true })
      process.exit(0)
    }
  })
}

/** A throwaway database: in memory, or created on the server in DATABASE_URL and dropped afterwards. */
async function benchDatabase(): Promise<{ handle: DatabaseHandle; database: string; dropDatabase: () => Promise<void> }> {
  const url = process.env.DATABASE_URL
  if (!url) {
    return { handle: await connectDatabase({ inMemory: true }), database: 'eingebettetes PostgreSQL (PGlite, im Speicher)', dropDatabase: async () => {} }
  }
  const existing = await connectDatabase({ databaseUrl: url })
  const marker = await existing.db
    .selectFrom('app_settings')
    .select('key')
    .where('key', '=', BENCH_MARKER)
    .executeTakeFirst()
    .catch(() => undefined)
  if (marker) {
    return { handle: existing, database: `PostgreSQL-Server, Benchmark-Daten in ${new URL(url).pathname.slice(1)}`, dropDatabase: async () => {} }
  }
  await existing.close()
  const name = `kf_bench_${randomBytes(4).toString('hex')}`
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin.toString() })
    await client.connect()
    await client.query(statement)
    await client.end()
  }
  await run(`CREATE DATABASE ${name}`)
  const target = new URL(url)
  target.pathname = `/${name}`
  return {
    handle: await connectDatabase({ databaseUrl: target.toString() }),
    database: `PostgreSQL-Server (${target.host}, Datenbank ${name})`,
    dropDatabase: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  }
}
