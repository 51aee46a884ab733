import type { FastifyInstance } from 'fastify'
import { buildApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { connectDatabase } from './db/connect.ts'
import { migrateToLatest } from './db/migrate.ts'
import { systemClock } from './lib/clock.ts'
import { createMailer } from './plugins/mailer.ts'
import { DEMO_PASSWORD, demoAccounts, seedDemo } from '../seeds/demo.ts'
import { firstAdminLink } from './features/setup/setup.service.ts'
import { startScheduler } from './features/jobs/jobs.service.ts'
import { jobs } from './jobs.ts'

async function main() {
  const started = Date.now()
  const config = loadConfig()
  const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  await migrateToLatest(handle.db)
  const seeded = config.demo ? await seedDemo(handle.db) : false
  const mailer = createMailer(config)
  const deps = { config, db: handle.db, mailer, clock: systemClock }
  const app = await buildApp(deps)

  // Jobs claim their turn in Postgres, so every instance may run a scheduler.
  const scheduler = startScheduler(deps, jobs, { tickMs: config.schedulerTickMs, log: app.log })
  let closing = false
  const shutdown = async (signal: string) => {
    if (closing) return
    closing = true
    app.log.info({ signal }, 'shutting down')
    // Stop accepting, let running requests finish, then release mail and database.
    const force = setTimeout(() => process.exit(1), 10_000)
    force.unref()
    await scheduler.stop()
    await closeAll(app, mailer, handle)
    process.exit(0)
  }
  process.on('SIGINT', () => void shutdown('SIGINT'))
  process.on('SIGTERM', () => void shutdown('SIGTERM'))

  await app.listen({ port: config.port, host: config.host })
  const database = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `eingebettetes PostgreSQL in ${config.dataDir}`
  const lines = [
    '',
    `Kommunalforum läuft: ${config.baseUrl}  (gestartet in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    `Datenbank: ${database}`,
    `E-Mail: ${mailer.kind === 'smtp' ? 'SMTP' : `Postausgang ${config.dataDir}/outbox (lesbar unter ${config.baseUrl}/admin/outbox)`}`,
  ]
  if (config.demo) {
    lines.push(
      seeded ? 'Demodaten angelegt. Anmeldung (Passwort für alle):' : 'Demo-Anmeldungen (Passwort für alle):',
      ...demoAccounts.map((a) => `  ${a.role.padEnd(19)} ${a.email}`),
      `  Passwort: ${DEMO_PASSWORD}`,
    )
  } else {
    const link = await firstAdminLink(handle.db, config, systemClock.now())
    if (link) lines.push('Noch kein Administrationskonto. Einmaliger Link zum Anlegen (24 Stunden gültig):', `  ${link}`)
  }
  console.log(lines.join('\n') + '\n')
}

async function closeAll(app: FastifyInstance, mailer: { close(): Promise<void> }, handle: { close(): Promise<void> }) {
  await app.close()
  await mailer.close()
  await handle.close()
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(err.message)
  } else {
    console.error('Kommunalforum konnte nicht starten:', err)
  }
  process.exit(1)
})
