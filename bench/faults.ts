/**
 * `npm run bench:faults`: what happens when things break. Three faults, each against throwaway databases
 * on a Postgres server of its own (never the shared one: this script stops and starts it):
 *
 *   postgres  Members use the forum (bench/soak.ts) while Postgres is stopped and started again. While it is
 *             gone the app must answer 503 with the German error page (no 500, no hang), and afterwards it
 *             must serve again by itself, in the same process; acknowledged replies are all stored once.
 *   digest    `npm run digest` is killed with SIGKILL in the middle of a round against a local SMTP sink,
 *             run again, and a later round (after the claim lease) takes over what the dead one held:
 *             every recipient then has exactly one digest, none lost.
 *   import    `npm run import` is killed with SIGKILL in the middle of a large interchange file and run
 *             again: the database must equal a clean import of the same file.
 *
 * Environment (defaults for a cluster made with `pg_createcluster 15 faults --port 5433`):
 *   FAULTS_DATABASE_URL   postgres://postgres@127.0.0.1:5433/postgres   (scratch databases are made here)
 *   FAULTS_PG_STOP        pg_ctlcluster 15 faults stop -m fast
 *   FAULTS_PG_START       pg_ctlcluster 15 faults start
 *   FAULTS_DOWN_SECONDS   15     how long Postgres stays down
 *   FAULTS_MEMBERS        100    members during the restart;  FAULTS_SOAK_SECONDS 60
 *   FAULTS_DIGEST_USERS   4000   people in the digest round
 *   FAULTS_IMPORT_FILE    (generated with bench/trends/generate.ts if unset)
 *   FAULTS_ONLY           postgres,digest,import   (a comma-separated subset)
 */
import { type ChildProcess, execSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { loadConfig } from '../src/config.ts'
import { connectDatabase } from '../src/db/connect.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { DELIVERY_LEASE_MS, runDigestRound } from '../src/features/mail/digest.service.ts'
import { MINUTE } from '../src/lib/clock.ts'
import { createMailer } from '../src/plugins/mailer.ts'
import { seedForum, startSink } from './digest.ts'
import { createScratchDatabase, round2, serveApp, startAppProcess, writeResult } from './lib.ts'
import { checkReplies, markerHandlers, prepareSoak, runMembers, type Sample, signInMembers, type SoakExtra, summarize } from './soak.ts'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..')
const SERVER_URL = process.env.FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5433/postgres'
const PG_STOP = process.env.FAULTS_PG_STOP ?? 'pg_ctlcluster 15 faults stop -m fast'
const PG_START = process.env.FAULTS_PG_START ?? 'pg_ctlcluster 15 faults start'
const DOWN_SECONDS = Number(process.env.FAULTS_DOWN_SECONDS ?? 15)
const MEMBERS = Number(process.env.FAULTS_MEMBERS ?? 100)
const SOAK_SECONDS = Number(process.env.FAULTS_SOAK_SECONDS ?? 60)
const DIGEST_USERS = Number(process.env.FAULTS_DIGEST_USERS ?? 4000)
const ONLY = (process.env.FAULTS_ONLY ?? 'postgres,digest,import').split(',').map((s) => s.trim())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// ---- a: Postgres restarts while members use the forum ----

async function postgresRestart() {
  const app = await startAppProcess<SoakExtra>(fileURLToPath(import.meta.url), { DATABASE_URL: SERVER_URL })
  try {
    const members = await signInMembers(app.origin, app.ready.extra, MEMBERS)
    console.log(`Postgres-Neustart: ${members.length} Mitglieder, ${SOAK_SECONDS} s, Postgres ${DOWN_SECONDS} s weg`)
    const pid = app.child.pid
    // Readiness as a load balancer sees it, twice a second.
    const probes: { at: number; status: number; ms: number }[] = []
    let probing = true
    const prober = (async () => {
      while (probing) {
        const started = performance.now()
        const status = await fetch(`${app.origin}/readyz`, { signal: AbortSignal.timeout(10_000) }).then(
          (r) => r.status,
          () => 0,
        )
        probes.push({ at: Date.now(), status, ms: performance.now() - started })
        await sleep(500)
      }
    })()
    const running = runMembers(app, members, { seconds: SOAK_SECONDS, thinkMs: 1000 })
    await sleep(Math.min(15, SOAK_SECONDS / 4) * 1000)
    const stopAt = Date.now()
    execSync(PG_STOP, { stdio: 'inherit' })
    const downAt = Date.now()
    await sleep(DOWN_SECONDS * 1000)
    const startAt = Date.now()
    execSync(PG_START, { stdio: 'inherit' })
    const upAt = Date.now()
    const run = await running
    probing = false
    await prober
    const stored = await app.request<string[]>('markers', { runId: run.runId })
    const alive = app.child.exitCode === null && app.child.signalCode === null && app.child.pid === pid

    const during = run.samples.filter((s) => s.at >= downAt && s.at + s.ms <= startAt)
    const after = run.samples.filter((s) => s.at >= upAt)
    const firstOk = after.find((s) => s.status >= 200 && s.status < 400)
    // Recovered: from this request on, nothing but normal answers.
    const lastBad = [...run.samples].reverse().find((s) => s.status >= 500 || s.error)
    const recoveredAt = lastBad ? lastBad.at + lastBad.ms : stopAt
    const bad500 = run.samples.filter((s) => s.status >= 500 && s.status !== 503)
    const unavailableWithoutPage = run.samples.filter((s) => s.status === 503 && !s.unavailablePage)
    const hung = run.samples.filter((s) => s.error === 'timeout')
    const signedOut = run.samples.filter((s) => s.signedOut)
    const replies = checkReplies(run, stored)
    const result = {
      members: members.length,
      seconds: SOAK_SECONDS,
      downSeconds: round2((startAt - downAt) / 1000),
      requests: run.samples.length,
      duringOutage: {
        requests: during.length,
        status503: during.filter((s) => s.status === 503).length,
        status503WithPage: during.filter((s) => s.unavailablePage).length,
        other: during.filter((s) => s.status !== 503).length,
        maxLatencyMs: round2(Math.max(0, ...during.map((s) => s.ms))),
      },
      status500: bad500.length,
      status503WithoutPage: unavailableWithoutPage.length,
      unexpectedAnswers: [...bad500, ...unavailableWithoutPage].slice(0, 5).map((s) => ({ action: s.action, status: s.status, body: s.body })),
      timeouts: hung.length,
      connectionErrors: run.samples.filter((s) => s.error && s.error !== 'timeout').length,
      signedOut: signedOut.length,
      readiness: {
        duringOutage: [...new Set(probes.filter((p) => p.at >= downAt && p.at < startAt).map((p) => p.status))],
        afterRestart: probes.filter((p) => p.at >= upAt).at(-1)?.status ?? null,
      },
      firstSuccessAfterStartSeconds: firstOk ? round2((firstOk.at + firstOk.ms - upAt) / 1000) : null,
      recoveredSecondsAfterStart: round2(Math.max(0, recoveredAt - upAt) / 1000),
      sameProcess: alive,
      // Seconds relative to the stop command: when requests started that timed out, and what came back when.
      timeoutsStartedAt: hung.map((s) => round2((s.at - stopAt) / 1000)),
      timeline: timeline(run.samples, stopAt),
      replies,
      summary: summarize(run),
    }
    const pass =
      result.duringOutage.status503 > 0 &&
      result.status500 === 0 &&
      result.status503WithoutPage === 0 &&
      result.timeouts === 0 &&
      result.signedOut === 0 &&
      result.sameProcess &&
      firstOk !== undefined &&
      result.recoveredSecondsAfterStart < 30 &&
      replies.lost === 0 &&
      replies.duplicated === 0
    console.log(
      `  während des Ausfalls: ${result.duringOutage.requests} Anfragen, ${result.duringOutage.status503} × 503 (${result.duringOutage.status503WithPage} mit Fehlerseite), ` +
        `${result.duringOutage.other} andere, längste ${result.duringOutage.maxLatencyMs} ms; 500: ${result.status500}, Zeitüberschreitungen: ${result.timeouts}, abgemeldet: ${result.signedOut}\n` +
        `  /readyz im Ausfall ${JSON.stringify(result.readiness.duringOutage)}, danach ${result.readiness.afterRestart}; erste Antwort nach Start in ${result.firstSuccessAfterStartSeconds} s, ` +
        `stabil nach ${result.recoveredSecondsAfterStart} s; derselbe Prozess: ${alive}\n` +
        `  Antworten: ${replies.acknowledged} bestätigt, ${replies.lost} verloren, ${replies.duplicated} doppelt → ${pass ? 'BESTANDEN' : 'NICHT BESTANDEN'}`,
    )
    return { ...result, pass }
  } finally {
    // Whatever happened, the cluster must be up again for the next fault and the next run.
    try {
      execSync(PG_START, { stdio: 'ignore' })
    } catch {
      // already running
    }
    await app.stop()
  }
}

/** Per second (relative to `zero`, by when a request ended): how many succeeded, got 503, other 5xx, or failed. */
function timeline(samples: Sample[], zero: number) {
  const seconds = new Map<number, { ok: number; s503: number; s5xx: number; failed: number }>()
  for (const s of samples) {
    const second = Math.floor((s.at + s.ms - zero) / 1000)
    const row = seconds.get(second) ?? { ok: 0, s503: 0, s5xx: 0, failed: 0 }
    if (s.error) row.failed++
    else if (s.status === 503) row.s503++
    else if (s.status >= 500) row.s5xx++
    else row.ok++
    seconds.set(second, row)
  }
  return [...seconds.entries()].sort(([a], [b]) => a - b).map(([second, row]) => ({ second, ...row }))
}

// ---- b: the digest command killed in the middle of a round ----

function command(script: string, args: string[], env: Record<string, string>): ChildProcess & { done: Promise<number | string>; output: () => string } {
  // node itself on the command as `npm run` builds it (dist/), not npm: SIGKILL must hit the process
  // that works, not a wrapper. main() builds dist/ first.
  const built = join(root, 'dist', script.replace(/\.ts$/, '.js'))
  const child = spawn(process.execPath, [built, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()))
  const done = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)))
  return Object.assign(child, { done, output: () => output })
}

async function digestKill() {
  const sink = await startSink()
  const scratch = await createScratchDatabase(SERVER_URL, 'kf_faults_digest')
  const handle = await connectDatabase({ databaseUrl: scratch.url })
  const dataDir = mkdtempSync(join(tmpdir(), 'kf-faults-'))
  try {
    await migrateToLatest(handle.db)
    // The week before now, so that `npm run digest` (which runs at the real time) finds every weekly digest due.
    const seeded = await seedForum(handle.db, { users: DIGEST_USERS, now: new Date() })
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: scratch.url,
      SMTP_URL: sink.url,
      BASE_URL: 'https://forum.bench.invalid',
      TRUST_PROXY: 'true',
      SESSION_SECRET: randomBytes(32).toString('hex'),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    }
    const killAfter = Math.round(DIGEST_USERS / 4)
    const first = command('src/cli/digest.ts', [], env)
    while (sink.stats().messages < killAfter && first.exitCode === null) await sleep(20)
    first.kill('SIGKILL')
    const firstEnd = await first.done
    if (firstEnd !== 'SIGKILL') throw new Error(`npm run digest ended before it was killed (${firstEnd}): ${first.output()}`)
    const atKill = sink.stats().messages
    const rows = async () =>
      (
        await sql<{ status: string; n: number }>`SELECT status, count(*)::int AS n FROM digest_deliveries WHERE kind = 'digest' GROUP BY status`.execute(handle.db)
      ).rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: r.n }), {})
    const afterKill = await rows()
    console.log(`Digest: nach ${atKill} E-Mails abgebrochen (${firstEnd}); Zustellungen ${JSON.stringify(afterKill)}`)

    const second = command('src/cli/digest.ts', [], env)
    const secondEnd = await second.done
    const afterRerun = await rows()
    console.log(`  zweiter Lauf: Ende ${secondEnd}, jetzt ${sink.stats().messages} E-Mails; Zustellungen ${JSON.stringify(afterRerun)}`)

    // The scheduler's next round once the dead command's claims ran out takes over what it held.
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' })
    const mailer = createMailer(config)
    const later = await runDigestRound({ db: handle.db, config, mailer }, new Date(Date.now() + DELIVERY_LEASE_MS + MINUTE))
    await mailer.close()
    const final = await rows()

    const log = sink.log()
    const byRecipient = new Map<string, Set<string>>()
    const deliveries = new Map<string, number>()
    for (const { recipient, messageId } of log) {
      byRecipient.set(recipient, (byRecipient.get(recipient) ?? new Set()).add(messageId))
      deliveries.set(recipient, (deliveries.get(recipient) ?? 0) + 1)
    }
    const sentRows = await sql<{ email: string; n: number }>`SELECT u.email, count(*)::int AS n FROM digest_deliveries d JOIN users u ON u.id = d.user_id
      WHERE d.kind = 'digest' AND d.status = 'sent' GROUP BY u.email`.execute(handle.db)
    const perUser = await sql<{ n: number }>`SELECT count(*)::int AS n FROM digest_deliveries WHERE kind = 'digest' GROUP BY user_id, period_key HAVING count(*) > 1`.execute(handle.db)
    const sentEmails = new Set(sentRows.rows.map((r) => r.email))
    const result = {
      users: seeded.people,
      killedAfterMessages: atKill,
      firstRun: String(firstEnd),
      secondRun: String(secondEnd),
      secondRunOutput: second.output().trim().split('\n').at(-1),
      afterKill,
      afterRerun,
      laterRound: { claimed: later.claimed, sent: later.sent, skippedEmpty: later.skippedEmpty, failed: later.failed },
      final,
      smtpMessages: log.length,
      smtpRecipients: byRecipient.size,
      /** A recipient who got two different digests (two Message-IDs): must be 0. */
      recipientsWithTwoDigests: [...byRecipient.values()].filter((ids) => ids.size > 1).length,
      /** The same digest (same Message-ID) delivered again: the crash fell between SMTP accept and marking it sent. */
      sameMessageResent: [...deliveries.values()].reduce((sum, n) => sum + n - 1, 0),
      /** Marked sent in the database but never reached the SMTP server: must be 0. */
      lost: [...sentEmails].filter((e) => !byRecipient.has(e)).length,
      /** Reached SMTP without being marked sent. */
      deliveredNotMarked: [...byRecipient.keys()].filter((e) => !sentEmails.has(e)).length,
      duplicateDeliveryRows: perUser.rows.length,
      stillOpen: (final.claimed ?? 0) + (final.failed ?? 0),
    }
    const handled = (final.sent ?? 0) + (final.skipped_empty ?? 0)
    const pass =
      result.recipientsWithTwoDigests === 0 &&
      result.lost === 0 &&
      result.deliveredNotMarked === 0 &&
      result.duplicateDeliveryRows === 0 &&
      result.stillOpen === 0 &&
      handled === seeded.people &&
      secondEnd === 0
    console.log(
      `  spätere Runde: ${later.claimed} übernommen, ${later.sent} verschickt; SMTP: ${result.smtpMessages} E-Mails an ${result.smtpRecipients} Personen, ` +
        `${result.recipientsWithTwoDigests} mit zwei verschiedenen, ${result.sameMessageResent} dieselbe erneut, ${result.lost} verloren, ${result.stillOpen} offen → ${pass ? 'BESTANDEN' : 'NICHT BESTANDEN'}`,
    )
    return { ...result, pass }
  } finally {
    await handle.close()
    await scratch.drop()
    await sink.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

// ---- c: the import command killed in the middle of a file ----

async function importKill() {
  let file = process.env.FAULTS_IMPORT_FILE
  let generatedDir: string | undefined
  if (!file) {
    generatedDir = mkdtempSync(join(tmpdir(), 'kf-faults-import-'))
    execSync(`${process.execPath} --import tsx ${join(here, 'trends', 'generate.ts')} --seed 11 --threadsPerDay 40 --out ${generatedDir}`, { cwd: root, stdio: 'ignore' })
    file = join(generatedDir, 'forum.jsonl')
  }
  if (!existsSync(file)) throw new Error(`FAULTS_IMPORT_FILE ${file} fehlt`)
  const clean = await createScratchDatabase(SERVER_URL, 'kf_faults_clean')
  const killed = await createScratchDatabase(SERVER_URL, 'kf_faults_killed')
  const env = (url: string) => ({ DATABASE_URL: url, NODE_ENV: 'test', LOG_LEVEL: 'warn', DATA_DIR: mkdtempSync(join(tmpdir(), 'kf-faults-')) })
  try {
    const cleanRun = command('src/cli/import.ts', [file], env(clean.url))
    const cleanEnd = await cleanRun.done
    const expected = await fingerprint(clean.url)
    console.log(`Import: sauberer Lauf ${cleanEnd}, ${JSON.stringify(expected.counts)}`)

    const first = command('src/cli/import.ts', [file], env(killed.url))
    const target = Math.round(expected.counts.posts * 0.4)
    const handle = await connectDatabase({ databaseUrl: killed.url })
    let postsAtKill = 0
    try {
      while (first.exitCode === null) {
        postsAtKill = await sql<{ n: number }>`SELECT count(*)::int AS n FROM posts`.execute(handle.db).then(
          (r) => r.rows[0]!.n,
          () => 0, // the tables are not there until the command has migrated
        )
        if (postsAtKill >= target) break
        await sleep(50)
      }
    } finally {
      await handle.close()
    }
    first.kill('SIGKILL')
    const firstEnd = await first.done
    if (firstEnd !== 'SIGKILL') throw new Error(`npm run import ended before it was killed (${firstEnd}): ${first.output()}`)
    const partial = await fingerprint(killed.url)
    const second = command('src/cli/import.ts', [file], env(killed.url))
    const secondEnd = await second.done
    const actual = await fingerprint(killed.url)
    const result = {
      lines: expected.counts,
      killedAt: partial.counts,
      firstRun: String(firstEnd),
      secondRun: String(secondEnd),
      secondRunOutput: second.output().trim().split('\n').slice(-5).join(' | '),
      afterRerun: actual.counts,
      duplicatesByExternalId: actual.duplicates,
      sameContent: actual.hash === expected.hash,
    }
    const pass =
      firstEnd === 'SIGKILL' &&
      JSON.stringify(actual.counts) === JSON.stringify(expected.counts) &&
      actual.duplicates === 0 &&
      result.sameContent &&
      secondEnd === cleanEnd
    console.log(
      `  abgebrochen bei ${JSON.stringify(partial.counts)} (${firstEnd}); zweiter Lauf ${secondEnd}: ${JSON.stringify(actual.counts)}, ` +
        `Duplikate ${actual.duplicates}, gleicher Inhalt ${result.sameContent} → ${pass ? 'BESTANDEN' : 'NICHT BESTANDEN'}`,
    )
    return { ...result, pass }
  } finally {
    await clean.drop()
    await killed.drop()
    if (generatedDir) rmSync(generatedDir, { recursive: true, force: true })
  }
}

/** Counts, duplicates by external id, and a hash over what was imported (ids, positions, texts). */
async function fingerprint(url: string) {
  const handle = await connectDatabase({ databaseUrl: url })
  try {
    const counts = (
      await sql<{ municipalities: number; users: number; threads: number; posts: number }>`SELECT
        (SELECT count(*)::int FROM municipalities WHERE external_id IS NOT NULL) AS municipalities,
        (SELECT count(*)::int FROM users WHERE external_id IS NOT NULL) AS users,
        (SELECT count(*)::int FROM threads) AS threads,
        (SELECT count(*)::int FROM posts) AS posts`.execute(handle.db)
    ).rows[0]!
    const duplicates = (
      await sql<{ n: number }>`SELECT
        (SELECT count(*) FROM (SELECT external_id FROM municipalities WHERE external_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x) +
        (SELECT count(*) FROM (SELECT external_id FROM users WHERE external_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x) +
        (SELECT count(*) FROM (SELECT external_id FROM threads WHERE external_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x) +
        (SELECT count(*) FROM (SELECT external_id FROM posts WHERE external_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1) x) AS n`.execute(handle.db)
    ).rows[0]!.n
    const hash = (
      await sql<{ h: string }>`SELECT md5(coalesce(string_agg(t.external_id || ':' || p.position || ':' || coalesce(p.external_id, '') || ':' || md5(p.body) || ':' || u.external_id,
          ',' ORDER BY t.external_id, p.position), '')) AS h
        FROM posts p JOIN threads t ON t.id = p.thread_id JOIN users u ON u.id = p.author_id`.execute(handle.db)
    ).rows[0]!.h
    return { counts, duplicates: Number(duplicates), hash }
  } finally {
    await handle.close()
  }
}

async function main() {
  const { ensureBuilt } = await import('../scripts/build.js')
  await ensureBuilt()
  const report: Record<string, unknown> = { at: new Date().toISOString(), server: new URL(SERVER_URL).host }
  const faults: [string, () => Promise<{ pass: boolean }>][] = [
    ['postgres', postgresRestart],
    ['digest', digestKill],
    ['import', importKill],
  ]
  let allPass = true
  for (const [name, run] of faults) {
    if (!ONLY.includes(name)) continue
    try {
      const result = await run()
      report[name] = result
      allPass &&= result.pass
    } catch (err) {
      console.error(`${name}: abgebrochen`, err)
      report[name] = { pass: false, error: String(err) }
      allPass = false
    }
  }
  report.pass = allPass
  console.log(`\n${allPass ? 'Alle Fehlerfälle BESTANDEN' : 'Nicht alle Fehlerfälle bestanden'}\nErgebnis: ${writeResult('faults', report)}`)
  if (!allPass) process.exitCode = 1
}

if (process.argv.includes('--serve')) await serveApp<SoakExtra>({ prepare: (db) => prepareSoak(db, MEMBERS), handlers: markerHandlers, scheduler: true })
else await main()

