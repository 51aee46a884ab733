import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { Kysely, PostgresDialect } from 'kysely'
import { PGliteDialect } from 'kysely-pglite-dialect'
import pg from 'pg'
import type { Database } from './database.ts'

// Postgres returns bigint (count(*), bigserial) as text; our counts fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v))

/** Extensions the migrations use; the embedded database must load them at start. */
export const embeddedExtensions = { pg_trgm }

export type DatabaseOptions = {
  databaseUrl?: string
  dataDir?: string
  /** An embedded database that lives only in memory (tests). */
  inMemory?: boolean
  /** A tarball of a migrated embedded database to start from (tests). */
  loadDataDir?: Blob
}

export type DatabaseHandle = {
  db: Kysely<Database>
  kind: 'postgres' | 'embedded'
  pglite?: PGlite
  close(): Promise<void>
}

export async function connectDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 10, connectionTimeoutMillis: 5000 })
    // An idle client that loses its server must not crash the process; the next query reports it.
    pool.on('error', () => {})
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { db, kind: 'postgres', close: () => db.destroy() }
  }
  let dataDir: string | undefined
  if (!options.inMemory) {
    const base = options.dataDir ?? './data'
    dataDir = join(base, 'pgdata')
    mkdirSync(dataDir, { recursive: true })
  }
  const pglite = await PGlite.create({
    dataDir,
    loadDataDir: options.loadDataDir,
    extensions: embeddedExtensions,
    parsers: { 20: (v: string) => Number(v) },
  })
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  return { db, kind: 'embedded', pglite, close: () => db.destroy() }
}
