/**
 * `npm run bench:soak`: the endurance test. 200 members (real accounts of the forum, each signed in
 * through the login form in a session of their own) use the forum at the same time for 5 minutes:
 * start page, forums, threads, search, replies and the two reactions ("hilfreich", "betrifft uns auch")
 * as the pages offer them. Every reply carries a unique marker; the client notes every reply the server
 * acknowledged (303 to the new post). Afterwards every acknowledged reply must be in the database exactly
 * once, and no request may have failed with 5xx.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/kf_mycopy npm run bench:soak   (a copy of kf_bench)
 *   SOAK_MEMBERS=10 SOAK_SECONDS=5 npm run bench:soak                              (embedded, tiny forum)
 *
 * bench/faults.ts runs the same members while it restarts Postgres. See bench/README.md.
 */
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { type Kysely, sql } from 'kysely'
import type { Database } from '../src/db/database.ts'
import { BENCH_PASSWORD } from './data.ts'
import { type AppProcess, BEHIND_TLS_PROXY, BENCH_ORIGIN, csrfToken, quantile, randomAddress, round2, serveApp, signIn, startAppProcess, writeResult } from './lib.ts'
import { isMainScript } from './main.ts'

export type SoakExtra = { members: string[]; password: string; threads: number[]; forums: string[] }

export const ACTIONS = ['Startseite', 'Forum', 'Thema', 'Suche', 'Antwort', 'hilfreich', 'betrifft uns auch'] as const
export type Action = (typeof ACTIONS)[number]
// How often each action comes up: mostly reading, now and then writing.
const MIX: [Action, number][] = [
  ['Startseite', 15],
  ['Forum', 15],
  ['Thema', 40],
  ['Suche', 12],
  ['Antwort', 8],
  ['hilfreich', 6],
  ['betrifft uns auch', 4],
]
const SEARCHES = ['Unterbringung', 'Dolmetscher Kosten', '"Sprachkurs Kita"', 'Kita OR Schule', 'Trinkwasserampel', 'Ehrenamt -Kosten']
const REQUEST_TIMEOUT_MS = 15_000

/** One request as the client saw it. */
export type Sample = {
  action: Action
  at: number
  ms: number
  status: number
  error?: string
  /** A 503 that shows the German "not reachable" page. */
  unavailablePage?: boolean
  /** Sent to the sign-in page: the session was lost. */
  signedOut?: boolean
  /** The start of an unexpected answer (a 5xx other than the German 503 page), to see what it was. */
  body?: string
}

export type SoakRun = {
  samples: Sample[]
  /** Markers of replies the server acknowledged with a 303 to the new post. */
  acknowledged: string[]
  /** Markers of every reply sent (acknowledged or not). */
  sent: string[]
  runId: string
  startedAt: number
  endedAt: number
}

type Member = { email: string; cookie: string; token: string; address: string; replies: number }

/** Signs in `count` members through the form, a few at a time (password hashing is slow on purpose). */
export async function signInMembers(origin: string, extra: SoakExtra, count: number): Promise<Member[]> {
  // A small generated forum may have fewer members than wanted: all of them then take part.
  const emails = extra.members.slice(0, count)
  const members: Member[] = []
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < emails.length) {
        const email = emails[next++]!
        // Each member works from the address of their own town hall.
        const address = randomAddress()
        const session = await signIn(origin, email, extra.password, { headers: { 'x-forwarded-for': address } })
        const token = await csrfToken(origin, `/threads/${extra.threads[0]}/reply`, session)
        members.push({ email, cookie: session.cookie, token, address, replies: 0 })
      }
    }),
  )
  return members
}

/** Runs the members for `seconds`; each waits a random think time (0…thinkMs) between two clicks. */
export async function runMembers(app: AppProcess<SoakExtra>, members: Member[], options: { seconds: number; thinkMs: number }): Promise<SoakRun> {
  const { origin } = app
  const extra = app.ready.extra
  const runId = randomBytes(4).toString('hex')
  const samples: Sample[] = []
  const acknowledged: string[] = []
  const sent: string[] = []
  const startedAt = Date.now()
  const deadline = startedAt + options.seconds * 1000
  const totalWeight = MIX.reduce((sum, [, w]) => sum + w, 0)
  const pickAction = (): Action => {
    let r = Math.random() * totalWeight
    for (const [action, weight] of MIX) if ((r -= weight) < 0) return action
    return 'Thema'
  }
  const pick = <T>(list: T[]) => list[Math.floor(Math.random() * list.length)]!

  async function request(member: Member, action: Action, path: string, form?: Record<string, string>) {
    const started = performance.now()
    const sample: Sample = { action, at: Date.now(), ms: 0, status: 0 }
    let res: Response | undefined
    let text = ''
    try {
      res = await fetch(origin + path, {
        method: form ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          ...BEHIND_TLS_PROXY,
          origin: BENCH_ORIGIN,
          cookie: member.cookie,
          // The limiter allows 600 requests a minute per address; a whole municipality shares one in reality,
          // here each request gets its own (as in bench/run.ts), so the soak measures pages, not 429s.
          'x-forwarded-for': randomAddress(),
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form ? new URLSearchParams({ _csrf: member.token, ...form }) : undefined,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      })
      sample.status = res.status
      text = await res.text()
      sample.signedOut = res.status >= 300 && res.status < 400 && (res.headers.get('location') ?? '').startsWith('/login')
      if (res.status === 503) sample.unavailablePage = text.includes('Das Forum ist gerade nicht erreichbar')
      if (res.status >= 500 && !sample.unavailablePage) sample.body = `${res.headers.get('content-type')}: ${text.slice(0, 300)}`
    } catch (err) {
      sample.error = (err as Error).name === 'TimeoutError' ? 'timeout' : ((err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message)
    }
    sample.ms = performance.now() - started
    samples.push(sample)
    return { res, text }
  }

  async function member(m: Member) {
    let lastThreadPage = ''
    let lastThread = pick(extra.threads)
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.random() * options.thinkMs))
      if (Date.now() >= deadline) break
      const action = pickAction()
      if (action === 'Startseite') await request(m, action, '/')
      else if (action === 'Forum') await request(m, action, `/forums/${pick(extra.forums)}`)
      else if (action === 'Suche') await request(m, action, `/search?q=${encodeURIComponent(pick(SEARCHES))}`)
      else if (action === 'Thema') {
        lastThread = pick(extra.threads)
        const { res, text } = await request(m, action, `/threads/${lastThread}`)
        if (res?.status === 200) lastThreadPage = text
      } else if (action === 'Antwort') {
        const marker = `[soak:${runId}:${m.email.split('@')[0]}:${++m.replies}]`
        sent.push(marker)
        const body = `${marker} Bei uns hat sich das bewährt: erst die Kosten mit dem Landkreis klären, dann die Ehrenamtlichen einbinden.`
        const { res } = await request(m, action, `/threads/${lastThread}/replies`, { body })
        const location = res?.headers.get('location') ?? ''
        if (res?.status === 303 && location.startsWith(`/threads/${lastThread}`)) acknowledged.push(marker)
      } else {
        // A reaction: the button the last thread page showed, in the state it offered.
        const pattern =
          action === 'hilfreich'
            ? /action="(\/posts\/\d+\/helpful)"[\s\S]*?name="set" value="([01])"/g
            : /action="(\/threads\/\d+\/concern)"[\s\S]*?name="set" value="([01])"/g
        const forms = [...lastThreadPage.matchAll(pattern)]
        if (forms.length === 0) continue
        const [, path, set] = pick(forms)
        await request(m, action, path!, { set: set! })
      }
    }
  }

  await Promise.all(members.map(member))
  return { samples, acknowledged, sent, runId, startedAt, endedAt: Date.now() }
}

/** Requests, req/s and latencies per action, and the errors by kind. */
export function summarize(run: SoakRun) {
  const seconds = (run.endedAt - run.startedAt) / 1000
  const perAction = ACTIONS.map((action) => {
    const mine = run.samples.filter((s) => s.action === action)
    const ms = mine.map((s) => s.ms).sort((a, b) => a - b)
    return {
      action,
      requests: mine.length,
      requestsPerSecond: round2(mine.length / seconds),
      latencyP50Ms: round2(quantile(ms, 0.5)),
      latencyP99Ms: round2(quantile(ms, 0.99)),
      latencyMaxMs: round2(ms.at(-1) ?? 0),
      status4xx: mine.filter((s) => s.status >= 400 && s.status < 500).length,
      status5xx: mine.filter((s) => s.status >= 500).length,
      failed: mine.filter((s) => s.error).length,
    }
  })
  const errors: Record<string, number> = {}
  for (const s of run.samples) {
    const kind = s.error ?? (s.status >= 400 ? String(s.status) : undefined)
    if (kind) errors[kind] = (errors[kind] ?? 0) + 1
  }
  const all = run.samples.map((s) => s.ms).sort((a, b) => a - b)
  return {
    seconds: round2(seconds),
    requests: run.samples.length,
    requestsPerSecond: round2(run.samples.length / seconds),
    latencyP50Ms: round2(quantile(all, 0.5)),
    latencyP99Ms: round2(quantile(all, 0.99)),
    status5xx: run.samples.filter((s) => s.status >= 500).length,
    signedOut: run.samples.filter((s) => s.signedOut).length,
    errors,
    perAction,
  }
}

/** Compares the acknowledged replies with what the database holds, by marker. */
export function checkReplies(run: SoakRun, stored: string[]) {
  const counts = new Map<string, number>()
  for (const marker of stored) counts.set(marker, (counts.get(marker) ?? 0) + 1)
  const lost = run.acknowledged.filter((m) => !counts.has(m))
  const twice = [...counts.entries()].filter(([, n]) => n > 1).map(([m]) => m)
  const acked = new Set(run.acknowledged)
  return {
    sent: run.sent.length,
    acknowledged: run.acknowledged.length,
    stored: stored.length,
    lost: lost.length,
    duplicated: twice.length,
    /** Stored although the client never heard back (for example a timeout): not an error, but reported. */
    storedUnacknowledged: [...counts.keys()].filter((m) => !acked.has(m)).length,
    examples: { lost: lost.slice(0, 5), duplicated: twice.slice(0, 5) },
  }
}

/** The app process answers `markers` with every soak marker of a run found in posts. */
export const markerHandlers = {
  async markers(db: Kysely<Database>, message: { runId?: string }) {
    const rows = await sql<{ marker: string }>`SELECT substring(body from '\\[soak:[0-9a-f]+:[^\\]]+\\]') AS marker FROM posts
      WHERE body LIKE ${`[soak:${message.runId}:%`}`.execute(db)
    return rows.rows.map((r) => r.marker)
  },
}

/** What the members need: real member accounts, open threads in every forum, the forums. */
export async function prepareSoak(db: Kysely<Database>, memberCount: number): Promise<SoakExtra> {
  // Members whose municipality is set and who sign in with the bench password (bench/data.ts).
  const members = await db
    .selectFrom('users')
    .select('email')
    .where('role', '=', 'member')
    .where('email', 'like', 'bench.user%@bench.invalid')
    .where('municipality_id', 'is not', null)
    .orderBy('id')
    .limit(memberCount)
    .execute()
  const threads = await sql<{ id: number }>`SELECT id FROM threads WHERE locked_at IS NULL AND deleted_at IS NULL
    ORDER BY (id * 2654435761) % 4294967296 LIMIT 2000`.execute(db)
  const forums = await db.selectFrom('forums').select('slug').execute()
  return { members: members.map((m) => m.email), password: BENCH_PASSWORD, threads: threads.rows.map((t) => t.id), forums: forums.map((f) => f.slug) }
}

export const SOAK_MEMBERS = Number(process.env.SOAK_MEMBERS ?? 200)

async function main() {
  const seconds = Number(process.env.SOAK_SECONDS ?? 300)
  const thinkMs = Number(process.env.SOAK_THINK_MS ?? 1000)
  const app = await startAppProcess<SoakExtra>(fileURLToPath(import.meta.url))
  let failed: boolean
  try {
    console.log(`\n${app.ready.database}: ${SOAK_MEMBERS} Mitglieder melden sich an …`)
    const members = await signInMembers(app.origin, app.ready.extra, SOAK_MEMBERS)
    console.log(`${members.length} angemeldet; Dauertest ${seconds} s, Denkpause 0–${thinkMs} ms`)
    // The heap beside the RSS: what of the process's memory is JavaScript objects, and what is not.
    const rss: { second: number; rssMb: number; heapUsedMb: number; heapTotalMb: number }[] = []
    const started = Date.now()
    const sampler = setInterval(() => {
      app.memory().then(
        (m) => rss.push({ second: Math.round((Date.now() - started) / 1000), rssMb: m.rssMb, heapUsedMb: m.heapUsedMb, heapTotalMb: m.heapTotalMb }),
        () => {},
      )
    }, 5000)
    const run = await runMembers(app, members, { seconds, thinkMs })
    clearInterval(sampler)
    const memory = await app.memory()
    const stored = await app.request<string[]>('markers', { runId: run.runId })
    const summary = summarize(run)
    const replies = checkReplies(run, stored)
    const report = {
      at: new Date().toISOString(),
      database: app.ready.database,
      members: members.length,
      thinkMs,
      ...summary,
      rssMb: { max: Math.max(memory.maxRssMb, ...rss.map((r) => r.rssMb)), end: memory.rssMb, series: rss },
      replies,
      pass: summary.status5xx === 0 && summary.signedOut === 0 && replies.lost === 0 && replies.duplicated === 0,
    }
    for (const a of summary.perAction) {
      console.log(
        `${a.action.padEnd(20)} ${String(a.requests).padStart(7)} Anfragen ${String(a.requestsPerSecond).padStart(7)}/s   p50 ${a.latencyP50Ms} ms   p99 ${a.latencyP99Ms} ms   max ${a.latencyMaxMs} ms   4xx ${a.status4xx}   5xx ${a.status5xx}   abgebrochen ${a.failed}`,
      )
    }
    console.log(
      `\nGesamt: ${summary.requests} Anfragen, ${summary.requestsPerSecond}/s, p50 ${summary.latencyP50Ms} ms, p99 ${summary.latencyP99Ms} ms, Fehler ${JSON.stringify(summary.errors)}`,
    )
    console.log(
      `RSS der Anwendung: höchstens ${report.rssMb.max} MB, am Ende ${report.rssMb.end} MB (Heap höchstens ${Math.max(0, ...rss.map((r) => r.heapTotalMb))} MB)`,
    )
    console.log(
      `Antworten: ${replies.sent} gesendet, ${replies.acknowledged} bestätigt, ${replies.stored} gespeichert, ${replies.lost} verloren, ${replies.duplicated} doppelt, ${replies.storedUnacknowledged} ohne Bestätigung gespeichert`,
    )
    console.log(`${report.pass ? 'BESTANDEN' : 'NICHT BESTANDEN'}\nErgebnis: ${writeResult('soak', report)}`)
    failed = !report.pass
  } finally {
    await app.stop()
  }
  if (failed) process.exitCode = 1
}

if (isMainScript('bench/soak.ts')) {
  if (process.argv.includes('--serve')) await serveApp<SoakExtra>({ prepare: (db) => prepareSoak(db, SOAK_MEMBERS), handlers: markerHandlers })
  else await main()
}
