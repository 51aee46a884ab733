import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { connectDatabase, type DatabaseHandle } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { systemClock } from '../lib/clock.ts'
import { indexAndSnapshot, rebuildIndex, recomputeIndex, trendingAsOf, type TrendingResult } from '../features/trends/trends.service.ts'
import { runCli } from './run.ts'

// Exit codes: 0 printed (or the index maintained), 2 wrong call or failure.
const USAGE = `Aufruf: npm run --silent trending -- [--at ZEITPUNKT] [--json] | --recompute | --rebuild

Gibt die Trends (Begriffe und Themen) und die Themen mit breiter Beteiligung aus, wie sie zum
Zeitpunkt --at (ISO 8601, z. B. 2016-02-08T18:00:00Z; ohne Angabe: jetzt) zu sehen waren: Nur was vor
diesem Zeitpunkt geschrieben wurde, zählt. Mit --json ein JSON-Objekt {"at", "terms", "threads"}.
Liest die Datenbank des Servers (DATABASE_URL, sonst die eingebettete in DATA_DIR).

Wartung des Trend-Index (statt einer Ausgabe; nicht zusammen mit --at oder --json):
  --recompute  zählt die Tageswerte aus den gespeicherten Stammformen neu (nach einem Fehler, Sekunden)
  --rebuild    verwirft den Index und baut ihn aus dem Text aller Beiträge neu auf (nach einer geänderten
               Stammformbildung; bei 1 Mio. Beiträgen eine Viertelstunde)
Danach zeigt die Übersicht der Geschäftsstelle sofort den neuen Stand. Der laufende Server darf dabei
weiterlaufen (nur mit DATABASE_URL: die eingebettete Datenbank öffnet nur ein Prozess zugleich).`

type Args = { at?: string; json?: boolean; recompute?: boolean; rebuild?: boolean; help?: boolean }

/** The arguments, or what is wrong with them (then with the usage), or undefined (just the usage). */
function parse(): Args | string | undefined {
  try {
    const { values } = parseArgs({
      options: {
        at: { type: 'string' },
        json: { type: 'boolean' },
        recompute: { type: 'boolean' },
        rebuild: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    })
    const maintenance = Number(Boolean(values.recompute)) + Number(Boolean(values.rebuild))
    if (maintenance > 1) return '--recompute und --rebuild schließen einander aus: bitte nur eines angeben.'
    if (maintenance === 1 && (values.at !== undefined || values.json)) {
      return `${values.rebuild ? '--rebuild' : '--recompute'} gibt keine Trends aus: --at und --json bitte weglassen.`
    }
    return values
  } catch {
    return undefined
  }
}

function seconds(since: number): string {
  return ((performance.now() - since) / 1000).toLocaleString('de-DE', { maximumFractionDigits: 1 })
}

function text(result: TrendingResult): string {
  const lines = [`Trends am ${result.at}:`]
  if (result.terms.length === 0) lines.push('  keine signifikanten Trends')
  for (const t of result.terms) {
    lines.push(`  ${t.label} – Wert ${t.score}, ${t.municipalities} Kommunen in ${t.districts} Landkreisen, ${t.posts} Beiträge, ${t.rise}-fach`)
  }
  lines.push('Themen mit breiter Beteiligung:')
  if (result.threads.length === 0) lines.push('  keine')
  for (const t of result.threads) lines.push(`  ${t.title} (${t.forum}) – Wert ${t.score}, ${t.municipalities} Kommunen`)
  return lines.join('\n')
}

async function main(): Promise<number> {
  const args = parse()
  if (typeof args !== 'object') {
    console.error(args ? `${args}\n\n${USAGE}` : USAGE)
    return 2
  }
  if (args.help) {
    console.log(USAGE)
    return 0
  }
  if (args.recompute || args.rebuild) return maintain(args.rebuild ? 'rebuild' : 'recompute')
  const at = args.at === undefined ? systemClock.now() : new Date(args.at)
  if (Number.isNaN(at.getTime())) {
    console.error(`Der Zeitpunkt „${args.at}“ ist kein gültiges Datum (ISO 8601, z. B. 2016-02-08T18:00:00Z).`)
    return 2
  }
  return withDatabase(async (handle) => {
    const result = await trendingAsOf(handle.db, at, systemClock.now())
    console.log(args.json ? JSON.stringify(result) : text(result))
    return 0
  })
}

/** Runs `work` on the configured database, migrated to the latest version, and closes it afterwards. */
async function withDatabase(work: (handle: DatabaseHandle) => Promise<number>): Promise<number> {
  const config = loadConfig()
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrateToLatest(handle.db)
    return await work(handle)
  } finally {
    await handle.close()
  }
}

/** Recomputes or rebuilds the index, then stores the trends as of now for the dashboard, as the index job does. */
function maintain(kind: 'recompute' | 'rebuild'): Promise<number> {
  return withDatabase(async (handle) => {
    const started = performance.now()
    const now = systemClock.now()
    if (kind === 'recompute') {
      // The embedded database has a single connection; the server's pool lets two aggregate at once.
      await recomputeIndex(handle.db, now, { readers: handle.kind === 'postgres' ? 2 : 1 })
      await indexAndSnapshot(handle.db, systemClock.now())
      console.log(`Trend-Index aus den gespeicherten Stammformen neu berechnet in ${seconds(started)} s.`)
    } else {
      console.log('Der Trend-Index wird aus allen Beiträgen neu aufgebaut …')
      const posts = await rebuildIndex(handle.db, now)
      await indexAndSnapshot(handle.db, systemClock.now())
      console.log(`Trend-Index aus ${posts.toLocaleString('de-DE')} Beiträgen neu aufgebaut in ${seconds(started)} s.`)
    }
    return 0
  })
}

runCli(main, 'Die Trends konnten nicht berechnet werden:', { failureCode: 2 })
