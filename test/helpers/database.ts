import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { inject } from 'vitest'
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts'

export function adminUrl(url: string): string {
  const u = new URL(url)
  u.pathname = '/postgres'
  return u.toString()
}

/**
 * A fresh, migrated database for one test file: a clone of the template on the Postgres server when
 * DATABASE_URL is set, otherwise an in-memory embedded Postgres loaded from the migrated snapshot.
 */
export async function createTestDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL
  if (!url) {
    const snapshot = inject('pgliteSnapshot')
    return connectDatabase({ inMemory: true, loadDataDir: new Blob([readFileSync(snapshot)]) })
  }
  const { url: dbUrl, drop } = await createServerTestDatabase(url)
  const handle = await connectDatabase({ databaseUrl: dbUrl })
  return {
    ...handle,
    async close() {
      await handle.close()
      await drop()
    },
  }
}

/** A fresh, migrated database on the Postgres server in `url` (a clone of the run's template): its URL. */
export async function createServerTestDatabase(url: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const prefix = inject('runPrefix')
  const name = `${prefix}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: adminUrl(url) })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${prefix}_template`)
  await admin.end()
  const dbUrl = new URL(url)
  dbUrl.pathname = `/${name}`
  return {
    url: dbUrl.toString(),
    async drop() {
      const cleanup = new pg.Client({ connectionString: adminUrl(url) })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleanup.end()
    },
  }
}
