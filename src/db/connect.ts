import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { PGlite } from '@electric-sql/pglite'
import { Kysely, PostgresDialect } from 'kysely'
import type pg from 'pg'
import type { Database } from './database.ts'
import { embeddedTemplate } from './embedded-template.ts'
import { migrationNames } from './migrate.ts'
import { isStalePreparedStatement, StatementNames } from './prepared.ts'

// The drivers are imported when connecting, only the one in use: a command such as `npm run trending`
// on the embedded database then spends no start-up time loading pg, nor on the server loading PGlite.

/**
 * Extensions the migrations use; the embedded database must load them at start. The embedded database
 * is loaded only when used: with a Postgres server, its 50 MB of WebAssembly and modules stay out of memory.
 */
export async function embeddedExtensions() {
  const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm')
  return { pg_trgm }
}

export type DatabaseOptions = {
  databaseUrl?: string
  dataDir?: string
  /** An embedded database that lives only in memory (tests). */
  inMemory?: boolean
  /** A tarball of a migrated embedded database to start from (tests). */
  loadDataDir?: Blob
  /** A new embedded database by PGlite's initdb, not from the shipped template (which this makes and checks). */
  initdb?: boolean
}

export type DatabaseHandle = {
  db: Kysely<Database>
  kind: 'postgres' | 'embedded'
  pglite?: PGlite
  close(): Promise<void>
}

/**
 * The pool's client: it never crashes the process with an 'error' event, and it prepares the statements
 * the app runs often (see StatementNames). pg-pool listens on idle clients only: one checked out (inside
 * a transaction between two statements, say) or still connecting (a late "the database system is
 * shutting down" after the connect timeout) would otherwise emit an unhandled 'error'. The error also
 * reaches the query or connect in progress, and the pool drops the broken client when it is released.
 */
function poolClient(driver: typeof pg, names: StatementNames) {
  return class PoolClient extends driver.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config)
      this.on('error', () => {})
      // The server's transaction status after the last statement: I (idle), T (in a transaction), E (failed one).
      let status = 'I'
      this.connection.on('readyForQuery', (message: { status?: string }) => {
        status = message.status ?? status
      })
      // Kysely calls query(text, values); pg parses a named statement once per connection.
      const query = this.query.bind(this) as (...args: unknown[]) => Promise<unknown>
      this.query = ((...args: unknown[]) => {
        const [text, values] = args
        const name = args.length === 2 && typeof text === 'string' && Array.isArray(values) ? names.nameOf(text) : undefined
        if (!name) return query(...args)
        return query({ name, text, values }).catch((err: unknown) => {
          if (!isStalePreparedStatement(err)) throw err
          const renamed = names.renew(text as string, name)
          // Outside a transaction the refused statement did nothing: it runs again, prepared afresh. Inside
          // one, the transaction is already aborted and fails; the next one runs under the new name.
          if (status !== 'I') throw err
          return query({ name: renamed, text, values })
        })
      }) as pg.Client['query']
    }
  }
}

/** How long a request waits for a database connection (new, or a free one from the pool) before it gets a 503. */
export const CONNECT_TIMEOUT_MS = 5000

// Connection exceptions (class 08), operator intervention (57P01 admin shutdown, 57P02 crash shutdown,
// 57P03 cannot connect now: starting up or shutting down), too many connections (53300).
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[1-3]|53300)$/
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE'])
// Messages of the pg driver and pool that carry no code.
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/

/**
 * Whether an error means the database server cannot be reached right now (refused, gone mid-query,
 * shutting down, starting up, no free connection in time), as opposed to a bug or a bad query.
 * The app answers those with 503 and recovers by itself once the server is back.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 3) return false
  const { code, message, errors, cause } = error as { code?: unknown; message?: unknown; errors?: unknown; cause?: unknown }
  if (typeof code === 'string' && (UNAVAILABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) return true
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return true
  // Connecting to a name with several addresses fails with an AggregateError of one error per address.
  if (Array.isArray(errors) && errors.length > 0 && errors.every((e) => isDatabaseUnavailable(e, depth + 1))) return true
  return isDatabaseUnavailable(cause, depth + 1)
}

export async function connectDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.databaseUrl) {
    const { default: pg } = await import('pg')
    // Postgres returns bigint (count(*), bigserial) as text; our counts fit in a JS number.
    pg.types.setTypeParser(20, (v) => Number(v))
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      Client: poolClient(pg, new StatementNames()),
    })
    // An idle client that loses its server reports to the pool; the next query reports it.
    pool.on('error', () => {})
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { db, kind: 'postgres', close: () => db.destroy() }
  }
  let dataDir: string | undefined
  // Set while a new data directory is being written: if it is still there, that was cut short (a crash,
  // kill -9), and the half-written directory is written again rather than taken for a database.
  let creating: string | undefined
  if (!options.inMemory) {
    const base = options.dataDir ?? './data'
    dataDir = join(base, 'pgdata')
    creating = join(base, 'pgdata.creating')
    if (existsSync(creating)) rmSync(dataDir, { recursive: true, force: true })
    mkdirSync(dataDir, { recursive: true })
    if (existsSync(join(dataDir, 'PG_VERSION'))) creating = undefined
    else writeFileSync(creating, `${new Date().toISOString()}\n`)
  }
  const isNew = options.inMemory || creating !== undefined
  const [{ PGlite }, { PGliteDialect }, extensions, migrations] = await Promise.all([
    import('@electric-sql/pglite'),
    import('kysely-pglite-dialect'),
    embeddedExtensions(),
    isNew && !options.loadDataDir && !options.initdb ? migrationNames() : [],
  ])
  const pglite = await PGlite.create({
    dataDir,
    loadDataDir: options.loadDataDir ?? (isNew && !options.initdb ? embeddedTemplate(migrations) : undefined),
    extensions,
    parsers: { 20: (v: string) => Number(v) },
  })
  if (creating) rmSync(creating, { force: true })
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  return { db, kind: 'embedded', pglite, close: () => db.destroy() }
}
