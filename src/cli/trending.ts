import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { systemClock } from '../lib/clock.ts'
import { trendingAsOf, type TrendingResult } from '../features/trends/trends.service.ts'
import { runCli } from './run.ts'

// Exit codes: 0 printed, 2 wrong call.
const USAGE = `Aufruf: npm run --silent trending -- [--at ZEITPUNKT] [--json]

Gibt die Trends (Begriffe und Themen) und die Themen mit breiter Beteiligung aus, wie sie zum
Zeitpunkt --at (ISO 8601, z. B. 2016-02-08T18:00:00Z; ohne Angabe: jetzt) zu sehen waren: Nur was vor
diesem Zeitpunkt geschrieben wurde, zählt. Mit --json ein JSON-Objekt {"at", "terms", "threads"}.
Liest die Datenbank des Servers (DATABASE_URL, sonst die eingebettete in DATA_DIR).`

function parse(): { at?: string; json?: boolean; help?: boolean } | undefined {
  try {
    const { values } = parseArgs({
      options: { at: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    })
    return values
  } catch {
    return undefined
  }
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
  if (!args) {
    console.error(USAGE)
    return 2
  }
  if (args.help) {
    console.log(USAGE)
    return 0
  }
  const at = args.at === undefined ? systemClock.now() : new Date(args.at)
  if (Number.isNaN(at.getTime())) {
    console.error(`Der Zeitpunkt „${args.at}“ ist kein gültiges Datum (ISO 8601, z. B. 2016-02-08T18:00:00Z).`)
    return 2
  }
  const config = loadConfig()
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrateToLatest(handle.db)
    const result = await trendingAsOf(handle.db, at, systemClock.now())
    console.log(args.json ? JSON.stringify(result) : text(result))
    return 0
  } finally {
    await handle.close()
  }
}

runCli(main, 'Die Trends konnten nicht berechnet werden:', { failureCode: 2 })
