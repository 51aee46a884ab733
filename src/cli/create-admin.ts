import { parseArgs } from 'node:util'
import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'
import { formatDate } from '../lib/handlebars-helpers.ts'
import { systemClock } from '../lib/clock.ts'
import { createMailer, outboxDir } from '../plugins/mailer.ts'
import { AdminInvitationError, createAdminInvitation } from '../features/setup/setup.service.ts'
import { runCli } from './run.ts'

// Exit codes: 0 invitation created (even if its mail failed: the printed link works), 1 refused or failed, 2 wrong call.
const USAGE = `Aufruf: npm run create-admin -- --email vorname.nachname@verband.de --name "Vorname Nachname"

Legt eine Einladung für ein Administrationskonto an (14 Tage gültig) und gibt den Link aus.
Mit der eingebetteten Datenbank (ohne DATABASE_URL) beenden Sie den Server bitte vorher.`

function parse(): { email?: string; name?: string; help?: boolean } | undefined {
  try {
    return parseArgs({
      options: { email: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values
  } catch {
    return undefined
  }
}

async function main(): Promise<number> {
  const args = parse()
  if (args?.help) {
    console.log(USAGE)
    return 0
  }
  if (!args) {
    console.error(`Unbekannte Option oder fehlender Wert.\n\n${USAGE}`)
    return 2
  }
  if (!args.email || !args.name) {
    console.error(`Bitte geben Sie E-Mail-Adresse und Namen an.\n\n${USAGE}`)
    return 2
  }
  const config = loadConfig()
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  const mailer = createMailer(config)
  try {
    await migrateToLatest(handle.db)
    const input = { email: args.email, name: args.name }
    const invitation = await createAdminInvitation(handle.db, config, systemClock.now(), input, mailer)
    if (invitation.mail === 'failed') {
      console.error('Warnung: Die Einladungs-E-Mail konnte nicht verschickt werden. Geben Sie den Link bitte selbst weiter.')
    }
    const sent = mailer.kind === 'smtp' ? 'per E-Mail verschickt' : `als E-Mail im Postausgang abgelegt (${outboxDir(config)})`
    console.log(
      [
        `Einladung für ${invitation.name} <${invitation.email}> angelegt (Administration)${invitation.mail === 'sent' ? ` und ${sent}` : ''}.`,
        `Gültig bis ${formatDate(invitation.expiresAt, 'de')}. Einmaliger Link zum Annehmen:`,
        `  ${invitation.link}`,
        'Geben Sie den Link nur der eingeladenen Person weiter.',
      ].join('\n'),
    )
    return 0
  } finally {
    await mailer.close()
    await handle.close()
  }
}

runCli(main, 'Die Einladung konnte nicht angelegt werden:', { expected: [AdminInvitationError] })
