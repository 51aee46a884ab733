import { createWriteStream, renameSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { exportInterchange } from '../features/interchange/interchange.export.ts'
import { runCli } from './run.ts'

// Exit codes: 0 written, 1 failed, 2 wrong call.
const USAGE = `Aufruf: npm run export -- DATEI.jsonl      (oder „-“ für die Standardausgabe: npm run --silent export -- -)

Schreibt Kommunen, Personen, Themen und Beiträge im Austauschformat (JSON Lines, siehe PRODUCT.md).
Ohne Passwörter und Zwei-Faktor-Geheimnisse; gelöschte und ausgeblendete Beiträge fehlen.
Die Datei entsteht erst vollständig: Bei einem Fehler bleibt eine vorhandene Datei unverändert.`

function parse(): { file?: string; help?: boolean } | undefined {
  try {
    const { values, positionals } = parseArgs({ options: { help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true })
    if (positionals.length > 1) return undefined
    return { help: values.help, file: positionals[0] }
  } catch {
    return undefined
  }
}

async function writeLines(out: Writable, run: (write: (line: string) => Promise<void> | void) => Promise<unknown>) {
  await run((line) => {
    if (!out.write(`${line}\n`)) return once(out, 'drain').then(() => undefined)
  })
}

async function main(): Promise<number> {
  const args = parse()
  if (args?.help) {
    console.log(USAGE)
    return 0
  }
  if (!args?.file) {
    console.error(`Bitte geben Sie genau eine Zieldatei an.\n\n${USAGE}`)
    return 2
  }
  const toStdout = args.file === '-'
  const partial = `${args.file}.teilweise`
  const config = loadConfig()
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    await migrateToLatest(handle.db)
    const out = toStdout ? process.stdout : createWriteStream(partial, { encoding: 'utf8' })
    let summary: Awaited<ReturnType<typeof exportInterchange>> | undefined
    try {
      await writeLines(out, async (write) => (summary = await exportInterchange(handle.db, write)))
      if (!toStdout) {
        out.end()
        await once(out, 'finish')
        renameSync(partial, args.file)
      }
    } catch (err) {
      if (!toStdout) {
        out.destroy()
        rmSync(partial, { force: true })
      }
      throw err
    }
    const s = summary!
    const message = `Export geschrieben: ${s.municipality} Kommunen, ${s.user} Personen, ${s.thread} Themen, ${s.post} Beiträge.`
    if (toStdout) console.error(message)
    else console.log(message)
    return 0
  } finally {
    await handle.close()
  }
}

runCli(main, 'Der Export ist fehlgeschlagen:')
