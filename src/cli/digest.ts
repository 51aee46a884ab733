import { parseArgs } from 'node:util'
import cliProgress from 'cli-progress'
import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { runDigestRound } from '../features/mail/digest.service.ts'
import { systemClock } from '../lib/clock.ts'
import { createMailer } from '../plugins/mailer.ts'
import { runCli } from './run.ts'

// Exit codes: 0 round done, 1 some mails failed (they are retried by the next rounds), 2 wrong call or aborted.
const USAGE = `Aufruf: npm run digest [-- --dry-run]

Verschickt jetzt eine Runde Überblicke (Digests): an alle, deren Überblick fällig ist und die ihn noch
nicht erhalten haben. Mehrfaches Aufrufen (auch neben dem laufenden Server) verschickt nichts doppelt.
  --dry-run   zeigt nur, wer was bekäme; verschickt nichts und merkt nichts vor
Ohne SMTP_URL landen die E-Mails im Postausgang (/admin/outbox).
Mit der eingebetteten Datenbank (ohne DATABASE_URL) beenden Sie den Server bitte vorher.`

function parse(): { dryRun: boolean; help: boolean } | undefined {
  try {
    const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, strict: true })
    return { dryRun: values['dry-run'] ?? false, help: values.help ?? false }
  } catch {
    return undefined
  }
}

async function main(): Promise<number> {
  const args = parse()
  if (!args || args.help) {
    console.log(USAGE)
    return args ? 0 : 2
  }
  const config = loadConfig()
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  const mailer = createMailer(config)
  try {
    await migrateToLatest(handle.db)
    // A progress bar only on a terminal.
    const bar = process.stderr.isTTY && !args.dryRun
      ? new cliProgress.SingleBar({ stream: process.stderr, format: 'Überblicke [{bar}] {value}/{total} | noch {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
      : undefined
    let started = false
    const report = await runDigestRound({ db: handle.db, config, mailer }, systemClock.now(), {
      dryRun: args.dryRun,
      print: (line) => console.log(line),
      onProgress: (done, total) => {
        if (!bar) return
        if (!started) bar.start(total, done)
        started = true
        bar.update(done)
      },
    })
    bar?.stop()
    if (args.dryRun) {
      console.log(`Probelauf: ${report.due} Überblicke fällig; nichts verschickt.`)
      return 0
    }
    console.log(
      `Runde beendet: ${report.claimed} übernommen, ${report.sent} verschickt, ${report.skippedEmpty} ohne Neuigkeiten übersprungen, ${report.failed} fehlgeschlagen${mailer.kind === 'outbox' ? ' (Postausgang, /admin/outbox)' : ''}.`,
    )
    return report.failed > 0 ? 1 : 0
  } finally {
    await mailer.close()
    await handle.close()
  }
}

runCli(main, 'Die Runde wurde abgebrochen:', { failureCode: 2 })
