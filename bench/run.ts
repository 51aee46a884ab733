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
import { BEHIND_TLS_PROXY, csrfToken, postgresCpuMs, randomAddress, round2, serveApp, signIn, startAppProcess, writeResult } from './lib.ts'

const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50)

type Extra = { memberEmail: string; staffEmail: string; password: string; threadId: number }
type Scenario = { name: string; path: string; method?: 'GET' | 'POST'; as: 'anonymous' | 'member' | 'staff'; body?: () => string; contentType?: string }

if (process.argv.includes('--serve')) await serve()
else await main()

// ---- the load generator (parent process) ----

async function main() {
  const app = await startAppProcess<Extra>(fileURLToPath(import.meta.url))
  try {
    const server = { ...app.ready, ...app.ready.extra }
    const origin = app.origin
    const member = await signIn(origin, server.memberEmail, server.password)
    const staff = await signIn(origin, server.staffEmail, server.password)
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
      if (check.status !== 200 && scenario.path === '/dashboard') {
        // In production staff must sign in with a second factor; the generated staff account has none.
        console.log(`${scenario.name.padEnd(30)} (übersprungen: Antwort ${check.status}, Geschäftsstelle braucht in production den zweiten Faktor)`)
        continue
      }
      const expected = scenario.method === 'POST' ? 303 : 200
      if (check.status !== expected) throw new Error(`${scenario.path} answered ${check.status}, expected ${expected}`)
      // Warm-up: caches, JIT and connection pools settle before the measured run.
      await autocannon({ url: origin, connections: CONNECTIONS, duration: 2, requests: [request(scenario, headers)] })
      const before = await app.memory()
      const pgBefore = server.postgres ? postgresCpuMs() : 0
      const result = await autocannon({ url: origin, connections: CONNECTIONS, duration: DURATION_SECONDS, requests: [request(scenario, headers)] })
      const memory = await app.memory()
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
    const file = writeResult('run', report)
    console.log(`\nErgebnis: ${file}`)
  } finally {
    await app.stop()
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
      return { memberEmail: 'bench.user2@bench.invalid', staffEmail: BENCH_STAFF_EMAIL, password: BENCH_PASSWORD, threadId: thread.id }
    },
  })
}
