/**
 * `npm run bench`: a first load test. Starts the app in a child process (so the load generator does not
 * share its event loop) on an in-memory embedded database, or on a fresh database on the server in
 * DATABASE_URL, seeds one member and measures pages with autocannon. Never part of `npm test`.
 * See bench/README.md.
 */
import { fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import pg from 'pg'
import { buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { connectDatabase, type DatabaseHandle } from '../src/db/connect.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { systemClock } from '../src/lib/clock.ts'
import { createMailer } from '../src/plugins/mailer.ts'
import { buildUser } from '../test/factories.ts'

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
const here = dirname(fileURLToPath(import.meta.url))
// The app runs as in production, behind a TLS proxy (TRUST_PROXY): without this, Secure cookies are never set.
const BEHIND_TLS_PROXY = { 'x-forwarded-proto': 'https' }

type Ready = { type: 'ready'; port: number; email: string; password: string; database: string }
type Memory = { type: 'memory'; rssMb: number; maxRssMb: number }

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
    const cookie = await signIn(origin, server.email, server.password)

    const scenarios = [
      { name: 'Anmeldeseite (anonym)', path: '/login', headers: { ...BEHIND_TLS_PROXY } },
      { name: 'Startseite (angemeldet)', path: '/', headers: { ...BEHIND_TLS_PROXY, cookie } },
    ]
    console.log(`\n${server.database}, ${CONNECTIONS} Verbindungen, je ${DURATION_SECONDS} s\n`)
    const results = []
    for (const scenario of scenarios) {
      const check = await fetch(origin + scenario.path, { headers: scenario.headers, redirect: 'manual' })
      if (check.status !== 200) throw new Error(`${scenario.path} answered ${check.status}, expected 200`)
      const result = await autocannon({
        url: origin,
        connections: CONNECTIONS,
        duration: DURATION_SECONDS,
        requests: [
          {
            method: 'GET',
            path: scenario.path,
            headers: scenario.headers,
            // The rate limiter (600 a minute per address) would otherwise answer most requests with 429;
            // a new client address per request measures the page, limiter bookkeeping included.
            setupRequest: (request) => ({ ...request, headers: { ...request.headers, 'x-forwarded-for': randomAddress() } }),
          },
        ],
      })
      const memory = await ask<Memory>('memory', 'memory')
      const row = {
        scenario: scenario.name,
        path: scenario.path,
        requestsPerSecond: Math.round(result.requests.average),
        latencyP50Ms: result.latency.p50,
        latencyP99Ms: result.latency.p99,
        requests: result.requests.total,
        errors: result.errors + result.timeouts + result.non2xx,
        rssMb: memory.rssMb,
        maxRssMb: memory.maxRssMb,
      }
      results.push(row)
      console.log(
        `${row.scenario.padEnd(26)} ${String(row.requestsPerSecond).padStart(6)} req/s   p50 ${row.latencyP50Ms} ms   p99 ${row.latencyP99Ms} ms   Fehler ${row.errors}   RSS ${row.rssMb} MB (max ${row.maxRssMb} MB)`,
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

/** Signs in through the real form (CSRF token and all) and returns the session cookie. */
async function signIn(origin: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${origin}/login`, { headers: BEHIND_TLS_PROXY })
  const anonymous = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
  const token = (await page.text()).match(/name="_csrf" value="([^"]+)"/)?.[1]
  if (!token) throw new Error('no CSRF token on /login')
  const res = await fetch(`${origin}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...BEHIND_TLS_PROXY, cookie: anonymous, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password }),
  })
  if (res.status !== 303) throw new Error(`sign-in failed: ${res.status}`)
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
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
  const member = await buildUser(handle.db)
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
  process.send!({ type: 'ready', port, email: member.email, password: member.password, database } satisfies Ready)

  process.on('message', async (message) => {
    if (message === 'memory') {
      const rssMb = Math.round(process.memoryUsage().rss / 2 ** 20)
      const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
      process.send!({ type: 'memory', rssMb, maxRssMb } satisfies Memory)
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
