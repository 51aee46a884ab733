/**
 * `npm run bench:summary`: bench/results/SUMMARY.md from the newest result of each kind (run, soak,
 * faults, digest, search-probe), with the targets of issue 6 and pass/fail per target. The newest results
 * are also copied to bench/results/latest/<kind>.json: those and SUMMARY.md are committed, the
 * timestamped files are not (see .gitignore).
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { resultsDir } from './lib.ts'
import { isMainScript } from './main.ts'

type Row = Record<string, unknown>
type Floor = { requestsPerSecond?: number; rps?: number; ratio?: number }
type RunRow = {
  scenario: string
  requestsPerSecond: number
  latencyP50Ms: number
  latencyP95Ms?: number
  latencyP99Ms: number
  latencyMaxMs: number
  errors: number
  appCpuMsPerRequest: number
  postgresCpuMsPerRequest: number | null
  rssMb: number
  maxRssMb: number
  floor?: Floor
}
type Probe = { kind: string; serial: { p50Ms: number; p95Ms: number; maxMs: number }; concurrent: { p50Ms: number; p95Ms: number; maxMs: number } | null }

const KINDS = ['run', 'soak', 'faults', 'digest', 'search-probe', 'trends', 'first-start'] as const

/** The newest bench/results/<kind>-<timestamp>.json of each kind (timestamps sort as text). */
export function newestResults(dir: string): Partial<Record<(typeof KINDS)[number], { file: string; data: Row }>> {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'))
  const out: Partial<Record<(typeof KINDS)[number], { file: string; data: Row }>> = {}
  for (const kind of KINDS) {
    const mine = files.filter((f) => f.startsWith(`${kind}-`) && /^\d{4}-/.test(f.slice(kind.length + 1))).sort()
    const file = mine.at(-1)
    if (file) out[kind] = { file, data: JSON.parse(readFileSync(join(dir, file), 'utf8')) as Row }
    if (kind === 'faults' && file) {
      // A run may cover only some faults (FAULTS_ONLY): each fault comes from the newest file that has it.
      const merged: Row = {}
      const from = new Set<string>()
      for (const f of [...mine].reverse()) {
        const data = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Row
        for (const name of ['postgres', 'digest', 'import']) {
          if (merged[name] === undefined && data[name] !== undefined) {
            merged[name] = data[name]
            from.add(f)
          }
        }
      }
      out[kind] = { file: [...from].sort().join('`, `') || file, data: merged }
    }
  }
  return out
}

const yes = (ok: boolean | null) => (ok === null ? '–' : ok ? '✅ erfüllt' : '❌ verfehlt')
const num = (n: unknown, digits = 1) => (typeof n === 'number' ? n.toLocaleString('de-DE', { maximumFractionDigits: digits }) : '–')
const table = (head: string[], rows: (string | number)[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n')

type Target = { what: string; target: string; measured: string; ok: boolean | null; source: string }

export function summarize(results: ReturnType<typeof newestResults>): string {
  const lines: string[] = ['# Benchmark-Ergebnisse', '', 'Erzeugt mit `npm run bench:summary` aus dem jeweils neuesten Ergebnis in `bench/results/` (Kopien in `bench/results/latest/`).', '']
  const targets: Target[] = []
  const run = results.run?.data as { at?: string; database?: string; connections?: number; durationSeconds?: number; results?: RunRow[] } | undefined
  const rows = run?.results ?? []
  const thread = rows.find((r) => r.scenario.startsWith('Thema'))
  const threadCpu = thread ? thread.appCpuMsPerRequest + (thread.postgresCpuMsPerRequest ?? 0) : undefined
  const dashboard = rows.find((r) => r.scenario.startsWith('Dashboard'))
  const floorRps = (f?: Floor) => f?.requestsPerSecond ?? f?.rps
  const src = (kind: keyof typeof results) => (results[kind] ? `\`${results[kind]!.file}\`` : 'kein Ergebnis')

  targets.push(
    { what: 'Thema: Anfragen/s', target: '≥ 1.000', measured: num(thread?.requestsPerSecond, 0), ok: thread ? thread.requestsPerSecond >= 1000 : null, source: src('run') },
    { what: 'Thema: p99', target: '< 50 ms', measured: thread ? `${num(thread.latencyP99Ms)} ms` : '–', ok: thread ? thread.latencyP99Ms < 50 : null, source: src('run') },
    {
      what: 'Thema: Anteil der Vergleichsbasis (floor)',
      target: '≥ 80 %',
      measured: thread?.floor?.ratio !== undefined ? `${num(thread.floor.ratio * 100, 0)} % von ${num(floorRps(thread.floor), 0)}/s` : 'nicht gemessen',
      ok: thread?.floor?.ratio !== undefined ? thread.floor.ratio >= 0.8 : null,
      source: src('run'),
    },
    {
      // Issue 6: CPU per thread page ≤ 2 ms, the app's and the database's together.
      what: 'Thema: CPU je Anfrage (Anwendung + Postgres)',
      target: '≤ 2 ms',
      measured: thread ? `${num(threadCpu!, 2)} ms (${num(thread.appCpuMsPerRequest, 2)} + ${num(thread.postgresCpuMsPerRequest ?? 0, 2)})` : '–',
      ok: thread ? threadCpu! <= 2 : null,
      source: src('run'),
    },
  )
  const probes = ((results['search-probe']?.data.results as Probe[] | undefined) ?? []).filter((p) => p.kind.startsWith('search'))
  const worstP95 = probes.length ? Math.max(...probes.map((p) => p.serial.p95Ms)) : undefined
  const worstMax = probes.length ? Math.max(...probes.map((p) => p.serial.maxMs)) : undefined
  targets.push(
    { what: 'Suche: p95 (schlechteste Art, nacheinander)', target: '< 50 ms', measured: worstP95 === undefined ? 'nicht gemessen' : `${num(worstP95)} ms`, ok: worstP95 === undefined ? null : worstP95 < 50, source: src('search-probe') },
    { what: 'Suche: max (schlechteste Art, nacheinander)', target: '< 300 ms', measured: worstMax === undefined ? 'nicht gemessen' : `${num(worstMax)} ms`, ok: worstMax === undefined ? null : worstMax < 300, source: src('search-probe') },
  )
  // bench:trends measures the dashboard one request at a time (p95); otherwise the load test's p99
  // stands in: if even p99 is under the target, p95 is too.
  const trendFigures = results.trends?.data.figures as Record<string, number> | undefined
  if (trendFigures?.['Dashboard p95'] !== undefined) {
    const p95 = trendFigures['Dashboard p95']
    targets.push({ what: 'Dashboard: p95 (nacheinander, bench:trends)', target: '< 20 ms', measured: `${num(p95)} ms`, ok: p95 < 20, source: src('trends') })
  }
  const dashP95 = dashboard?.latencyP95Ms
  const dashP99 = dashboard?.latencyP99Ms
  targets.push({
    what: 'Dashboard: p95',
    target: '< 20 ms',
    measured: dashP95 !== undefined ? `${num(dashP95)} ms` : dashP99 !== undefined ? `p99 ${num(dashP99)} ms` : 'nicht gemessen',
    ok: dashP95 !== undefined ? dashP95 < 20 : dashP99 !== undefined && dashP99 < 20 ? true : null,
    source: src('run'),
  })
  const soak = results.soak?.data as
    | { members?: number; seconds?: number; requests?: number; requestsPerSecond?: number; status5xx?: number; rssMb?: { max: number }; replies?: Row; perAction?: Row[]; errors?: Row; pass?: boolean; database?: string }
    | undefined
  const rssRun = rows.length ? Math.max(...rows.map((r) => r.maxRssMb)) : undefined
  const rssSoak = soak?.rssMb?.max
  for (const [label, value, kind] of [
    ['RSS der Anwendung (Lasttest, höchstens)', rssRun, 'run'],
    ['RSS der Anwendung (Dauertest, höchstens)', rssSoak, 'soak'],
  ] as const) {
    targets.push({ what: label, target: '< 250 MB', measured: value === undefined ? '–' : `${num(value, 0)} MB`, ok: value === undefined ? null : value < 250, source: src(kind) })
  }
  const firstStart = [results['first-start']?.data, run, soak, results.faults?.data].map((r) => (r as { firstStartSeconds?: number } | undefined)?.firstStartSeconds).find((v) => v !== undefined)
  targets.push({
    what: 'Erster Start',
    target: '< 10 s',
    measured: firstStart === undefined ? 'nicht gemessen' : `${num(firstStart)} s`,
    ok: firstStart === undefined ? null : firstStart < 10,
    source: firstStart === undefined ? '–' : results['first-start'] ? src('first-start') : 'Ergebnisfeld `firstStartSeconds`',
  })
  if (soak) {
    targets.push({
      what: 'Dauertest: 5xx, verlorene/doppelte Antworten',
      target: '0',
      measured: `${num(soak.status5xx, 0)} × 5xx, ${num(soak.replies?.lost, 0)} verloren, ${num(soak.replies?.duplicated, 0)} doppelt`,
      ok: soak.pass ?? null,
      source: src('soak'),
    })
  }
  const faults = results.faults?.data as Record<string, { pass?: boolean } | unknown> | undefined
  for (const name of ['postgres', 'digest', 'import']) {
    const f = faults?.[name] as { pass?: boolean } | undefined
    const label = { postgres: 'Fehlerfall Postgres-Neustart', digest: 'Fehlerfall kill -9 im Digest', import: 'Fehlerfall kill -9 im Import' }[name]!
    targets.push({ what: label, target: 'bestanden', measured: f ? (f.pass ? 'bestanden' : 'nicht bestanden') : 'nicht gelaufen', ok: f ? !!f.pass : null, source: src('faults') })
  }

  lines.push('## Ziele (Issue 6)', '', table(['Ziel', 'Vorgabe', 'Gemessen', 'Ergebnis', 'Quelle'], targets.map((t) => [t.what, t.target, t.measured, yes(t.ok), t.source])), '')

  if (run) {
    const hasFloor = rows.some((r) => r.floor)
    lines.push(
      `## Lasttest (\`npm run bench\`)`,
      '',
      `${run.database}; ${run.connections} Verbindungen, je ${run.durationSeconds} s; ${run.at}.`,
      '',
      table(
        ['Szenario', 'Anfragen/s', ...(hasFloor ? ['Vergleichsbasis/s', 'Anteil'] : []), 'p50 ms', 'p99 ms', 'max ms', 'Fehler', 'CPU App ms', 'CPU Postgres ms', 'RSS max MB'],
        rows.map((r) => [
          r.scenario,
          num(r.requestsPerSecond, 0),
          ...(hasFloor ? [num(floorRps(r.floor), 0), r.floor?.ratio !== undefined ? `${num(r.floor.ratio * 100, 0)} %` : '–'] : []),
          num(r.latencyP50Ms),
          num(r.latencyP99Ms),
          num(r.latencyMaxMs),
          num(r.errors, 0),
          num(r.appCpuMsPerRequest, 2),
          num(r.postgresCpuMsPerRequest, 2),
          num(r.maxRssMb, 0),
        ]),
      ),
      '',
    )
  }
  if (soak) {
    lines.push(
      '## Dauertest (`npm run bench:soak`)',
      '',
      `${soak.database}; ${soak.members} Mitglieder, ${num(soak.seconds, 0)} s: ${num(soak.requests, 0)} Anfragen, ${num(soak.requestsPerSecond)}/s; Fehler ${JSON.stringify(soak.errors ?? {})}; RSS höchstens ${num(soak.rssMb?.max, 0)} MB.`,
      '',
      table(
        ['Aktion', 'Anfragen', 'Anfragen/s', 'p50 ms', 'p99 ms', 'max ms', '4xx', '5xx', 'abgebrochen'],
        (soak.perAction ?? []).map((a) => [String(a.action), num(a.requests, 0), num(a.requestsPerSecond), num(a.latencyP50Ms), num(a.latencyP99Ms), num(a.latencyMaxMs), num(a.status4xx, 0), num(a.status5xx, 0), num(a.failed, 0)]),
      ),
      '',
      `Antworten: ${num(soak.replies?.sent, 0)} gesendet, ${num(soak.replies?.acknowledged, 0)} bestätigt, ${num(soak.replies?.lost, 0)} verloren, ${num(soak.replies?.duplicated, 0)} doppelt, ${num(soak.replies?.storedUnacknowledged, 0)} ohne Bestätigung gespeichert.`,
      '',
    )
  }
  if (faults) {
    const pg = faults.postgres as Row | undefined
    const dg = faults.digest as Row | undefined
    const im = faults.import as Row | undefined
    lines.push('## Fehlerfälle (`npm run bench:faults`)', '')
    if (pg) {
      const d = pg.duringOutage as Row | undefined
      lines.push(
        `- **Postgres-Neustart** (${yes(!!pg.pass)}): ${pg.members} Mitglieder, Postgres ${num(pg.downSeconds)} s weg; im Ausfall ${num(d?.requests, 0)} Anfragen, ${num(d?.status503, 0)} × 503 (${num(d?.status503WithPage, 0)} mit deutscher Fehlerseite), längste ${num(d?.maxLatencyMs, 0)} ms; ` +
          `500er ${num(pg.status500, 0)}, Zeitüberschreitungen ${num(pg.timeouts, 0)}, abgemeldet ${num(pg.signedOut, 0)}; erste Antwort ${num(pg.firstSuccessAfterStartSeconds)} s nach dem Start, derselbe Prozess: ${pg.sameProcess ? 'ja' : 'nein'}.`,
      )
    }
    if (dg) {
      lines.push(
        `- **kill -9 im Digest** (${yes(!!dg.pass)}): ${num(dg.users, 0)} Personen, abgebrochen nach ${num(dg.killedAfterMessages, 0)} E-Mails; SMTP insgesamt ${num(dg.smtpMessages, 0)} E-Mails an ${num(dg.smtpRecipients, 0)} Personen, ` +
          `${num(dg.recipientsWithTwoDigests, 0)} mit zwei verschiedenen Überblicken, ${num(dg.sameMessageResent, 0)} × derselbe erneut (gleiche Message-ID), ${num(dg.lost, 0)} verloren, ${num(dg.stillOpen, 0)} offen.`,
      )
    }
    if (im) {
      lines.push(
        `- **kill -9 im Import** (${yes(!!im.pass)}): sauber ${JSON.stringify(im.lines)}, abgebrochen bei ${JSON.stringify(im.killedAt)}, nach zweitem Lauf ${JSON.stringify(im.afterRerun)}; Duplikate ${num(im.duplicatesByExternalId, 0)}, gleicher Inhalt: ${im.sameContent ? 'ja' : 'nein'}.`,
      )
    }
    lines.push('')
  }
  const digest = results.digest?.data
  if (digest) {
    lines.push(
      '## Digest-Runde (`npm run bench:digest`)',
      '',
      `${digest.database}: ${num(digest.users, 0)} Personen, ${num(digest.totalSeconds)} s, ${num(digest.messagesPerSecond, 0)} E-Mails/s, ${num(digest.renderMsPerDigest, 3)} ms Rendern je Überblick, Spitzen-RSS ${num(digest.peakRssMb, 0)} MB, Duplikate ${num(digest.duplicates, 0)}.`,
      '',
    )
  }
  if (probes.length) {
    lines.push(
      '## Einzelne Abfragen (`bench/search-probe.ts`)',
      '',
      table(
        ['Art', 'p50 ms', 'p95 ms', 'max ms', 'gleichzeitig p95 ms', 'gleichzeitig max ms'],
        ((results['search-probe']!.data.results as Probe[]) ?? []).map((p) => [p.kind, num(p.serial.p50Ms), num(p.serial.p95Ms), num(p.serial.maxMs), num(p.concurrent?.p95Ms), num(p.concurrent?.maxMs)]),
      ),
      '',
    )
  }
  lines.push('Die Maschine hat 2 Kerne, die sich Anwendung, Datenbank, Lastgenerator und alles andere teilen; siehe bench/README.md, „Einordnen“.', '')
  return lines.join('\n')
}

function main() {
  const results = newestResults(resultsDir)
  const latest = join(resultsDir, 'latest')
  mkdirSync(latest, { recursive: true })
  // A kind without a result has no stale copy either.
  for (const kind of KINDS) if (!results[kind]) rmSync(join(latest, `${kind}.json`), { force: true })
  for (const [kind, r] of Object.entries(results)) {
    if (kind === 'faults') writeFileSync(join(latest, 'faults.json'), JSON.stringify(r.data, null, 2) + '\n')
    else copyFileSync(join(resultsDir, r.file), join(latest, `${kind}.json`))
  }
  const file = join(resultsDir, 'SUMMARY.md')
  writeFileSync(file, summarize(results))
  console.log(`Zusammenfassung: ${file} (${Object.keys(results).join(', ') || 'keine Ergebnisse'})`)
}

if (isMainScript('bench/summary.ts')) main()
