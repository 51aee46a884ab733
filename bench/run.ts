/**
 * `npm run bench`: the load test. Starts the app in a child process (so the load generator does not
 * share its event loop) and measures the pages members hit most with autocannon, signed in.
 * With DATABASE_URL pointing at a database filled by `npm run bench:data`, it measures that large forum;
 * otherwise it makes a throwaway database (in memory, or `kf_bench_…` on the server) with a small
 * generated forum. Never part of `npm test`. See bench/README.md.
 */
import { cpus } from 'node:os'
import { fileURLToPath } from 'node:url'
import autocannon, { type RequestSpec } from 'autocannon'
import { BENCH_PASSWORD, BENCH_STAFF_EMAIL } from './data.ts'
import { trendIndexJob } from '../src/features/trends/trends.job.ts'
import { buildFloorApp } from './floor.ts'
import { enrollTotp } from './sign-in.ts'
import {
  type AppProcess,
  BEHIND_TLS_PROXY,
  csrfToken,
  postgresCpuMsSince,
  postgresCpuTicks,
  randomAddress,
  round2,
  serveApp,
  signIn,
  startAppProcess,
  writeResult,
} from './lib.ts'

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)
// The app runs first and the floor after it in the same process, on code (templates, pg, the queries) the
// app's run has already optimised: 2 s of warm-up left the app's run partly unoptimised on a busy 2-core
// VM (thread page alternating: 75/75/80/66 % of the floor with 2 s, 92/92/100/107 % with 6 s).
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP ?? 6)
/** A fixed load (requests per second, all connections together) instead of as many as the app can answer:
 * CPU per request then compares two versions without the noise of a saturated machine. */
const RATE = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined
/** Only the scenarios whose name contains this text ("Thema", for a profile of one page). */
const ONLY = process.env.BENCH_ONLY
const MEMBER_EMAIL = 'bench.user2@bench.invalid'

type Extra = {
  memberEmail: string
  staffEmail: string
  /** Staff sign in with a second factor in production: the app process enrolls this secret for them. */
  staffTotpSecret: string
  password: string
  threadId: number
  memberId: number
  staffId: number
}
type Scenario = {
  name: string
  path: string
  method?: 'GET' | 'POST'
  as: 'anonymous' | 'member' | 'staff'
  body?: () => string
  contentType?: string
  /** Also measured on the floor app (bench/floor.ts). */
  floor?: boolean
}
type Measured = {
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP99Ms: number
  latencyMaxMs: number
  requests: number
  errors: number
  appCpuMsPerRequest: number
  postgresCpuMsPerRequest: number | null
  rssMb: number
  maxRssMb: number
  /** The JavaScript heap after the run: what RSS is made of besides code, buffers and the embedded database. */
  heapUsedMb: number
  heapTotalMb: number
  externalMb: number
}

if (process.argv.includes('--serve')) await serve()
else await main()

// ---- the load generator (parent process) ----

async function main() {
  const app = await startAppProcess<Extra>(fileURLToPath(import.meta.url))
  try {
    const server = { ...app.ready, ...app.ready.extra }
    const origin = app.origin
    const member = await signIn(origin, server.memberEmail, server.password)
    const staff = await signIn(origin, server.staffEmail, server.password, { totpSecret: server.staffTotpSecret })
    const replyToken = await csrfToken(origin, `/threads/${server.threadId}/reply`, member)
    let replyNo = 0

    const scenarios: Scenario[] = [
      { name: 'Anmeldeseite (anonym)', path: '/login', as: 'anonymous' },
      { name: 'Startseite', path: '/', as: 'member', floor: true },
      { name: 'Forum', path: '/forums/integration', as: 'member', floor: true },
      { name: 'Thema mit 20 Antworten', path: `/threads/${server.threadId}`, as: 'member', floor: true },
      { name: 'Suche (häufiges Wort)', path: `/search?q=${encodeURIComponent('Unterbringung')}`, as: 'member', floor: true },
      { name: 'Suche (seltenes Wort)', path: `/search?q=${encodeURIComponent('Trinkwasserampel')}`, as: 'member', floor: true },
      { name: 'Dashboard (Geschäftsstelle)', path: '/dashboard', as: 'staff', floor: true },
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
    for (const scenario of scenarios.filter((s) => !ONLY || s.name.includes(ONLY))) {
      const cookie = scenario.as === 'member' ? member.cookie : scenario.as === 'staff' ? staff.cookie : undefined
      const headers: Record<string, string> = { ...BEHIND_TLS_PROXY, origin: 'https://forum.bench.invalid', ...(cookie ? { cookie } : {}) }
      if (scenario.contentType) headers['content-type'] = scenario.contentType
      const check = await fetch(origin + scenario.path, { method: scenario.method ?? 'GET', headers, body: scenario.body?.(), redirect: 'manual' })
      const expected = scenario.method === 'POST' ? 303 : 200
      if (check.status !== expected) throw new Error(`${scenario.path} answered ${check.status}, expected ${expected}`)
      const row = { scenario: scenario.name, path: scenario.path, ...(await measure(app, origin, scenario, headers)) }
      const floor = scenario.floor
        ? await measure(app, `http://127.0.0.1:${server.companionPort}`, scenario, { ...headers, 'x-bench-as': scenario.as })
        : undefined
      // The ratio: how much of the bare page's throughput the page keeps with sessions, plugins and hooks.
      results.push(floor ? { ...row, floor: { ...floor, ratio: round2(row.requestsPerSecond / Math.max(1, floor.requestsPerSecond)) } } : row)
      console.log(`${row.scenario.padEnd(30)} ${summary(row)}`)
      if (floor) console.log(`${'  floor'.padEnd(30)} ${summary(floor)}   Anteil ${Math.round((100 * row.requestsPerSecond) / Math.max(1, floor.requestsPerSecond))} %`)
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
    const file = writeResult('run', report)
    console.log(`\nErgebnis: ${file}`)
  } finally {
    await app.stop()
  }
}

/** Warms up (caches, JIT and connection pools settle), then measures one scenario against `origin`. */
async function measure(
  app: AppProcess<Extra>,
  origin: string,
  scenario: Scenario,
  headers: Record<string, string>,
): Promise<Measured> {
  const { databaseName } = app.ready
  await autocannon({ url: origin, connections: CONNECTIONS, duration: WARMUP_SECONDS, requests: [request(scenario, headers)] })
  const before = await app.memory()
  const pgBefore = databaseName ? postgresCpuTicks(databaseName) : undefined
  const result = await autocannon({
    url: origin,
    connections: CONNECTIONS,
    duration: DURATION_SECONDS,
    overallRate: RATE,
    requests: [request(scenario, headers)],
  })
  const memory = await app.memory()
  const pgMs = databaseName && pgBefore ? postgresCpuMsSince(databaseName, pgBefore) : 0
  const requests = Math.max(1, result.requests.total)
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMaxMs: result.latency.max,
    requests: result.requests.total,
    // 3xx is the expected answer of a form POST; anything 4xx/5xx, a timeout or a dropped connection is not.
    errors: result.errors + result.timeouts + result['4xx'] + result['5xx'],
    appCpuMsPerRequest: round2((memory.cpuMs - before.cpuMs) / requests),
    postgresCpuMsPerRequest: databaseName ? round2(pgMs / requests) : null,
    rssMb: memory.rssMb,
    maxRssMb: memory.maxRssMb,
    heapUsedMb: memory.heapUsedMb,
    heapTotalMb: memory.heapTotalMb,
    externalMb: memory.externalMb,
  }
}

function summary(m: Measured): string {
  return (
    `${String(m.requestsPerSecond).padStart(6)} req/s   p50 ${m.latencyP50Ms} ms   p99 ${m.latencyP99Ms} ms   ` +
    `Fehler ${m.errors}   CPU/Anfrage ${m.appCpuMsPerRequest} ms App${m.postgresCpuMsPerRequest === null ? '' : ` + ${m.postgresCpuMsPerRequest} ms Postgres`}   RSS ${m.rssMb} MB (max ${m.maxRssMb} MB, Heap ${m.heapUsedMb}/${m.heapTotalMb} MB, extern ${m.externalMb} MB)`
  )
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

// ---- the app (child process) ----

async function serve() {
  await serveApp<Extra>({
    async prepare(db) {
      const thread = await db
        .selectFrom('threads')
        .select('id')
        .where('reply_count', '=', 20)
        .where('locked_at', 'is', null)
        .orderBy('id')
        .executeTakeFirstOrThrow()
      // As in production, where the index job stores the trends every five minutes: the dashboard reads them.
      await trendIndexJob.run({ db }, new Date())
      const people = await db.selectFrom('users').select(['id', 'email']).where('email', 'in', [MEMBER_EMAIL, BENCH_STAFF_EMAIL]).execute()
      const idOf = (email: string) => people.find((p) => p.email === email)!.id
      return {
        memberEmail: MEMBER_EMAIL,
        staffEmail: BENCH_STAFF_EMAIL,
        staffTotpSecret: await enrollTotp(db, BENCH_STAFF_EMAIL),
        password: BENCH_PASSWORD,
        threadId: thread.id,
        memberId: idOf(MEMBER_EMAIL),
        staffId: idOf(BENCH_STAFF_EMAIL),
      }
    },
    // The floor: the same pages without sessions, plugins and hooks, in the same process.
    companion: (deps, extra) => buildFloorApp(deps, { memberId: extra.memberId, staffId: extra.staffId }),
  })
}
