import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kysely } from 'kysely'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { connectDatabase } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { adminUrl } from './database.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string
    /** Prefix of this run's databases on the Postgres server, so parallel runs never touch each other's. */
    runPrefix: string
  }
}

/**
 * Migrates once per run: a template database on the Postgres server (DATABASE_URL), or a snapshot of a
 * migrated embedded database. Each test file then starts from its own copy.
 */
export default async function setup(project: TestProject) {
  const url = process.env.DATABASE_URL
  if (url) {
    const runPrefix = `kf_test_${process.pid}_${Date.now().toString(36)}`
    const template = `${runPrefix}_template`
    const admin = new pg.Client({ connectionString: adminUrl(url) })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${template}`)
    await admin.end()
    const templateUrl = new URL(url)
    templateUrl.pathname = `/${template}`
    const { PostgresDialect } = await import('kysely')
    const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: templateUrl.toString(), max: 1 }) }) })
    await migrateToLatest(db)
    await db.destroy()
    project.provide('pgliteSnapshot', '')
    project.provide('runPrefix', runPrefix)
    return async () => {
      const cleanup = new pg.Client({ connectionString: adminUrl(url) })
      await cleanup.connect()
      await dropTestDatabases(cleanup, runPrefix)
      await cleanup.end()
    }
  }
  // From the shipped template, as a first start (test/db/embedded-template.test.ts compares it with a fresh initdb).
  const handle = await connectDatabase({ inMemory: true })
  await migrateToLatest(handle.db)
  const dump = await handle.pglite!.dumpDataDir('none')
  await handle.close()
  const dir = mkdtempSync(join(tmpdir(), 'kf-snapshot-'))
  const file = join(dir, 'migrated.tar')
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  project.provide('pgliteSnapshot', file)
  project.provide('runPrefix', '')
  return () => rmSync(dir, { recursive: true, force: true })
}

async function dropTestDatabases(client: pg.Client, prefix: string) {
  const { rows } = await client.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname LIKE $1`,
    [`${prefix}_%`],
  )
  for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`)
}
