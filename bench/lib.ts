/**
 * What the bench scripts share: the app in a child process (as in production, so the load generator does
 * not share its event loop), signing in through the real form, and writing results to
 * bench/results/<name>-<timestamp>.json. Used by bench/run.ts, bench/soak.ts and bench/faults.ts.
 */
import { type ChildProcess, fork } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { type Kysely, sql } from 'kysely'
import pg from 'pg'
import { type AppDeps, buildApp } from '../src/app.ts'
import { loadConfig } from '../src/config.ts'
import { connectDatabase, type DatabaseHandle } from '../src/db/connect.ts'
import type { Database } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { startScheduler } from '../src/features/jobs/jobs.service.ts'
import { jobs } from '../src/jobs.ts'
import { systemClock } from '../src/lib/clock.ts'
import { createMailer } from '../src/plugins/mailer.ts'
import { BENCH_MARKER, generate, sizes } from './data.ts'
import { BEHIND_TLS_PROXY } from './sign-in.ts'

export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results')
export { BEHIND_TLS_PROXY, signIn } from './sign-in.ts'
export const BENCH_ORIGIN = 'https://forum.bench.invalid'
/** The node options `npm start` and the Dockerfile give the app: the measured app runs as in production. */
export const PRODUCTION_NODE_FLAGS = ['--max-old-space-size=256', '--enable-source-maps']
/**
 * The environment `npm start` and the Dockerfile give the app. glibc's malloc otherwise raises its mmap
 * threshold after the first large free: each sign-in's 19 MiB of argon2 memory then stays in the arenas
 * of the threads that hashed (200 sign-ins: +90 MB RSS that never went back).
 */
export const PRODUCTION_ENV = { MALLOC_MMAP_THRESHOLD_: '131072' }

/** What the app process reports once it listens; `extra` is whatever the script's `prepare` returned. */
export type Ready<Extra = Record<string, unknown>> = {
  type: 'ready'
  port: number
  pid: number
  database: string
  /** On a server, the database whose backends' CPU time per request is read from /proc (other databases' is not). */
  databaseName: string | null
  /** The port of the companion app (ServeOptions.companion), if any: bench/run.ts's floor. */
  companionPort: number | null
  extra: Extra
}
export type Memory = { type: 'memory'; rssMb: number; maxRssMb: number; heapUsedMb: number; heapTotalMb: number; externalMb: number; cpuMs: number }

export type AppProcess<Extra> = {
  child: ChildProcess
  ready: Ready<Extra>
  origin: string
  memory(): Promise<Memory>
  /** Asks one of the app process's `handlers` (ServeOptions) and waits for its answer. */
  request<T>(type: string, payload?: Record<string, unknown>): Promise<T>
  stop(): Promise<void>
}

/**
 * Forks `script` with `--serve` (the script then calls serveApp) and waits until the app listens.
 * `env` is added to the child's environment (DATABASE_URL of a fault cluster, for example).
 */
export async function startAppProcess<Extra>(script: string, env: Record<string, string> = {}): Promise<AppProcess<Extra>> {
  // BENCH_APP_NODE_ARGS: extra node options for the app process only ("--cpu-prof --cpu-prof-dir=prof", for a profile).
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS?.split(' ').filter(Boolean) ?? []
  // Compiled like `npm start` compiles the app (scripts/build.js), in a directory of its own so that
  // it does not replace the app's build: the child runs in node itself, not through tsx.
  // Imported here, not at the top: the app process runs this file bundled, and must not carry the build.
  const { appEntries, ensureBuilt, projectRoot } = await import('../scripts/build.js')
  const source = relative(projectRoot, script)
  const outdir = await ensureBuilt({ outdir: join(projectRoot, 'dist-bench'), entries: [...appEntries(), source] })
  const child = fork(join(outdir, source.replace(/\.ts$/, '.js')), ['--serve'], {
    execArgv: [...PRODUCTION_NODE_FLAGS, ...nodeArgs],
    stdio: 'inherit',
    env: { ...process.env, ...PRODUCTION_ENV, ...env },
  })
  const ask = <T>(message: string | object, type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: { type: string }) => {
        if (m.type !== type) return
        done()
        resolve(m as T)
      }
      const onExit = (code: number | null) => {
        done()
        reject(new Error(`app process ended (${code})`))
      }
      const done = () => {
        child.off('message', onMessage)
        child.off('exit', onExit)
      }
      child.on('message', onMessage)
      child.once('exit', onExit)
      if (!message) return
      if (!child.connected) onExit(child.exitCode)
      else child.send(message)
    })
  const ready = await ask<Ready<Extra>>('', 'ready')
  return {
    child,
    ready,
    origin: `http://127.0.0.1:${ready.port}`,
    memory: () => ask<Memory>('memory', 'memory'),
    async request<T>(type: string, payload: Record<string, unknown> = {}) {
      const answer = await ask<{ type: string; result?: T; error?: string }>({ type, ...payload }, `${type}:done`)
      if (answer.error) throw new Error(`${type}: ${answer.error}`)
      return answer.result as T
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      if (child.connected) child.send('stop')
      else child.kill('SIGTERM')
      await exited
    },
  }
}

export type ServeOptions<Extra> = {
  /** Looks up what the load generator needs (thread ids, members…) once the forum is there. */
  prepare: (db: Kysely<Database>) => Promise<Extra>
  /** Runs the periodic jobs as src/server.ts does (sessions cleanup, mail rounds, …). */
  scheduler?: boolean
  /** Questions the load generator may ask afterwards (what is stored, for example), by message type. */
  handlers?: Record<string, (db: Kysely<Database>, message: Record<string, unknown>) => Promise<unknown>>
  /** A second app in the same process on its own port (bench/run.ts: the floor, bench/floor.ts). */
  companion?: (deps: AppDeps, extra: Extra) => Promise<FastifyInstance>
}

/** The app side (child process): database, small forum if needed, the app as in production, then serve. */
export async function serveApp<Extra>(options: ServeOptions<Extra>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kf-bench-'))
  const { handle, database, dropDatabase } = await benchDatabase()
  await migrateToLatest(handle.db)
  // A database from `npm run bench:data` is used as it is; a throwaway one gets a small forum.
  await generate(handle.db, sizes(Number(process.env.BENCH_SCALE ?? 0.02)), () => {})
  const extra = await options.prepare(handle.db)
  const config = loadConfig({
    NODE_ENV: 'production',
    BASE_URL: BENCH_ORIGIN,
    SESSION_SECRET: randomBytes(32).toString('hex'),
    DATA_DIR: dataDir,
    DEMO: 'false',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    TRUST_PROXY: 'true',
  })
  const mailer = createMailer(config)
  const deps = { config, db: handle.db, mailer, clock: systemClock }
  const app = await buildApp(deps)
  const scheduler = options.scheduler ? startScheduler(deps, jobs, { tickMs: config.schedulerTickMs, log: app.log }) : undefined
  await app.listen({ host: '127.0.0.1', port: 0 })
  const { port } = app.server.address() as AddressInfo
  const companion = options.companion ? await options.companion(deps, extra) : undefined
  if (companion) await companion.listen({ host: '127.0.0.1', port: 0 })
  const databaseName = process.env.DATABASE_URL
    ? (await sql<{ name: string }>`SELECT current_database() AS name`.execute(handle.db)).rows[0]!.name
    : null
  process.send!({
    type: 'ready',
    port,
    pid: process.pid,
    database,
    databaseName,
    companionPort: companion ? (companion.server.address() as AddressInfo).port : null,
    extra,
  } satisfies Ready<Extra>)

  process.on('message', async (message) => {
    const handler = typeof message === 'object' && message ? options.handlers?.[(message as { type: string }).type] : undefined
    if (handler) {
      const type = `${(message as { type: string }).type}:done`
      handler(handle.db, message as Record<string, unknown>).then(
        (result) => process.send!({ type, result }),
        (err: unknown) => process.send!({ type, error: String(err) }),
      )
    }
    if (message === 'memory') {
      const usage = process.memoryUsage()
      const mb = (bytes: number) => Math.round(bytes / 2 ** 20)
      const maxRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
      const cpu = process.cpuUsage()
      process.send!({
        type: 'memory',
        rssMb: mb(usage.rss),
        maxRssMb,
        heapUsedMb: mb(usage.heapUsed),
        heapTotalMb: mb(usage.heapTotal),
        externalMb: mb(usage.external),
        cpuMs: (cpu.user + cpu.system) / 1000,
      } satisfies Memory)
    }
    if (message === 'stop') {
      // autocannon drops its connections at the deadline; let the requests already inside finish first.
      await new Promise((resolve) => setTimeout(resolve, 2000))
      await scheduler?.stop()
      await app.close()
      await companion?.close()
      await mailer.close()
      await handle.close()
      await dropDatabase()
      rmSync(dataDir, { recursive: true, force: true })
      process.exit(0)
    }
  })
}

/** A throwaway database: in memory, or created on the server in DATABASE_URL and dropped afterwards. */
export async function benchDatabase(): Promise<{ handle: DatabaseHandle; database: string; dropDatabase: () => Promise<void> }> {
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
  const { url: target, name, drop } = await createScratchDatabase(url, 'kf_bench')
  return {
    handle: await connectDatabase({ databaseUrl: target }),
    database: `PostgreSQL-Server (${new URL(target).host}, Datenbank ${name})`,
    dropDatabase: drop,
  }
}

/** A new empty database next to the one in `url` (same server), and how to drop it. */
export async function createScratchDatabase(url: string, prefix: string): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin.toString() })
    await client.connect()
    try {
      await client.query(statement)
    } finally {
      await client.end()
    }
  }
  await run(`CREATE DATABASE ${name}`)
  const target = new URL(url)
  target.pathname = `/${name}`
  return { url: target.toString(), name, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

export async function csrfToken(origin: string, path: string, session: { cookie: string }): Promise<string> {
  const res = await fetch(origin + path, { headers: { ...BEHIND_TLS_PROXY, cookie: session.cookie } })
  const token = (await res.text()).match(/name="_csrf" value="([^"]+)"/)?.[1]
  if (!token) throw new Error(`no CSRF token on ${path} (${res.status})`)
  return token
}

/** A random address from TEST-NET-3 (RFC 5737): it only labels requests, nothing is sent there. */
export function randomAddress(): string {
  const n = randomBytes(2)
  return `203.0.${n[0]}.${n[1]}`
}

export function round2(n: number) {
  return Math.round(n * 100) / 100
}

/** The q-quantile (0..1) of already sorted numbers. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}

/**
 * CPU ticks (user + system) of each Postgres backend serving `database`, by PID, from /proc. Only that
 * database's backends count: the machine's server is shared, and others' work is not this app's cost.
 */
export function postgresCpuTicks(database: string): Map<string, number> {
  const ticks = new Map<string, number>()
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      // A backend's title: "postgres: [cluster: ]<user> <database> <client> <state>"
      const title = /^postgres: (?:\S+: )?\S+ (\S+) /.exec(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))
      if (title?.[1] !== database) continue
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      ticks.set(pid, Number(fields[11]) + Number(fields[12]))
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks
}

/** CPU ms the database's backends used since `before`; a backend that ended meanwhile is not counted. */
export function postgresCpuMsSince(database: string, before: Map<string, number>): number {
  const ticksPerSecond = 100
  let ticks = 0
  for (const [pid, now] of postgresCpuTicks(database)) ticks += now - (before.get(pid) ?? 0)
  return (ticks * 1000) / ticksPerSecond
}

/** Writes bench/results/<name>-<timestamp>.json (bench/summary.ts reads the newest of each name). */
export function writeResult(name: string, report: object): string {
  mkdirSync(resultsDir, { recursive: true })
  const at = new Date().toISOString().replace(/:/g, '-').replace(/\..+$/, '')
  const file = join(resultsDir, `${name}-${at}.json`)
  writeFileSync(file, JSON.stringify(report, null, 2) + '\n')
  return file
}
