import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { systemClock } from '../lib/clock.ts'
import { hasProblems, importInterchange, type ImportSummary } from '../features/interchange/interchange.import.ts'
import { runCli } from './run.ts'

// Exit codes: 0 every line imported or already present, 1 some lines skipped, 2 wrong call, unreadable file or aborted.
const USAGE = `Aufruf: npm run import -- DATEI.jsonl

Importiert Kommunen, Personen, Themen und Beiträge im Austauschformat (JSON Lines, siehe PRODUCT.md).
Bereits vorhandene Kennungen (id) werden übersprungen: Ein abgebrochener Import wird durch erneuten
Aufruf mit derselben Datei vollendet. Fehlerhafte Zeilen werden mit Zeilennummer gemeldet und ausgelassen.
Importierte Personen haben kein Passwort: Sie melden sich nach einer Einladung oder über „Passwort vergessen“ an.
Mit der eingebetteten Datenbank (ohne DATABASE_URL) beenden Sie den Server bitte vorher.`

function parse(): { file?: string; help?: boolean } | undefined {
  try {
    const { values, positionals } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
    if (positionals.length > 1) return undefined
    return { help: values.help, file: positionals[0] }
  } catch {
    return undefined
  }
}

function summaryLine(s: ImportSummary): string {
  const part = (label: string, c: { imported: number; present: number; skipped: number }) =>
    `${label}: ${c.imported} importiert, ${c.present} schon vorhanden, ${c.skipped} übersprungen`
  return [
    `Import beendet nach ${s.lines} Zeilen.`,
    part('Kommunen', s.municipality),
    part('Personen', s.user),
    part('Themen', s.thread),
    part('Beiträge', s.post),
    ...(s.unreadable ? [`Unlesbare Zeilen: ${s.unreadable}`] : []),
  ].join('\n  ')
}

async function main(): Promise<number> {
  const args = parse()
  if (args?.help) {
    console.log(USAGE)
    return 0
  }
  if (!args?.file) {
    console.error(`Bitte geben Sie genau eine Datei an.\n\n${USAGE}`)
    return 2
  }
  let size: number
  try {
    const stat = statSync(args.file)
    if (!stat.isFile()) throw new Error('keine Datei')
    size = stat.size
  } catch {
    console.error(`Die Datei „${args.file}“ kann nicht gelesen werden.`)
    return 2
  }
  const config = loadConfig()
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrateToLatest(handle.db)
    const input = createReadStream(args.file, { encoding: 'utf8' })
    const lines = createInterface({ input, crlfDelay: Infinity })
    // A progress bar only on a terminal; reports are printed above it.
    const bars = process.stderr.isTTY
      ? new cliProgress.MultiBar(
          { stream: process.stderr, format: 'Import [{bar}] {percentage} % | {lines} Zeilen | noch {eta_formatted}', hideCursor: true },
          cliProgress.Presets.shades_classic,
        )
      : undefined
    const bar = bars?.create(size, 0, { lines: 0 })
    const summary = await importInterchange(
      handle.db,
      lines,
      systemClock.now(),
      ({ line, reason }) => {
        const text = `Zeile ${line}: ${reason}`
        if (bars) bars.log(`${text}\n`)
        else console.error(text)
      },
      { progress: (n) => bar?.update(input.bytesRead, { lines: n }) },
    )
    bar?.update(size)
    bars?.stop()
    console.log(summaryLine(summary))
    return hasProblems(summary) ? 1 : 0
  } finally {
    await handle.close()
  }
}

runCli(main, 'Der Import wurde abgebrochen:', { failureCode: 2 })
