import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts'
import { StatementNames } from '../../src/db/prepared.ts'
import { createServerTestDatabase } from '../helpers/database.ts'

describe('StatementNames', () => {
  it('names a text once it has run a few times, always with the same name', () => {
    const names = new StatementNames(10, 3)
    const text = 'select "id" from "threads" where "id" = $1'
    expect(names.nameOf(text)).toBeUndefined()
    expect(names.nameOf(text)).toBeUndefined()
    const name = names.nameOf(text)
    expect(name).toBeDefined()
    expect(names.nameOf(text)).toBe(name)
    const other = 'select "id" from "posts" where "id" = $1'
    for (let i = 0; i < 3; i++) names.nameOf(other)
    expect(names.nameOf(other)).not.toBe(name)
  })

  it('gives a statement refused after a migration a new name, once for all connections, unlike any other', () => {
    const names = new StatementNames(10, 1)
    const text = 'select * from "forums"'
    const old = names.nameOf(text)!
    const renewed = names.renew(text, old)
    expect(renewed).not.toBe(old)
    expect(names.nameOf(text)).toBe(renewed)
    // A second connection refused under the old name finds it renewed already.
    expect(names.renew(text, old)).toBe(renewed)
    const later = names.nameOf('select 1')!
    expect([old, renewed]).not.toContain(later)
  })

  it('names at most `max` texts and never a full-text search', () => {
    const names = new StatementNames(2, 1)
    expect(names.nameOf('select 1')).toBeDefined()
    expect(names.nameOf("select 1 where to_tsvector('german', $1) @@ plainto_tsquery('german', $2)")).toBeUndefined()
    expect(names.nameOf('select 2')).toBeDefined()
    expect(names.nameOf('select 3')).toBeUndefined()
    expect(names.nameOf('select 1')).toBeDefined()
  })
})

// Only the Postgres server's driver prepares statements (the embedded database runs in the process).
const serverUrl = process.env.DATABASE_URL
describe.runIf(serverUrl)('on the Postgres server', () => {
  let drop: () => Promise<void>
  let handle: DatabaseHandle
  beforeAll(async () => {
    const created = await createServerTestDatabase(serverUrl!)
    drop = created.drop
    handle = await connectDatabase({ databaseUrl: created.url })
  })
  afterAll(async () => {
    await handle.close()
    await drop()
  })

  it('a statement run often is prepared on its connection and still answers for each value', async () => {
    await handle.db.connection().execute(async (conn) => {
      const answers: number[] = []
      for (let i = 1; i <= 5; i++) {
        const row = await conn.selectNoFrom(sql<number>`${i}::integer * 2`.as('double')).executeTakeFirstOrThrow()
        answers.push(row.double)
      }
      expect(answers).toEqual([2, 4, 6, 8, 10])
      const search = sql<boolean>`to_tsvector('german', ${'Unterbringung'}) @@ plainto_tsquery('german', ${'Unterbringung'})`
      for (let i = 0; i < 5; i++) await conn.selectNoFrom(search.as('found')).execute()
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(conn)
      expect(rows.map((r) => r.statement)).toContainEqual(expect.stringContaining('::integer * 2'))
      expect(rows.map((r) => r.statement)).not.toContainEqual(expect.stringContaining('@@'))
    })
  })
})

describe.runIf(serverUrl)('a rolling deploy on the Postgres server', () => {
  let drop: () => Promise<void>
  let url: string
  let handle: DatabaseHandle
  let other: DatabaseHandle
  beforeAll(async () => {
    const created = await createServerTestDatabase(serverUrl!)
    drop = created.drop
    url = created.url
    handle = await connectDatabase({ databaseUrl: url })
    // The new instance, migrating the database under the old one.
    other = await connectDatabase({ databaseUrl: url })
  })
  afterAll(async () => {
    await handle.close()
    await other.close()
    await drop()
  })

  it('a prepared SELECT * still answers after a migration added a column; inside a transaction, from the next one on', async () => {
    await sql`CREATE TABLE deploy_probe (id integer PRIMARY KEY, name text NOT NULL)`.execute(other.db)
    await sql`INSERT INTO deploy_probe VALUES (1, 'Peine')`.execute(other.db)
    const read = (db: typeof handle.db) => sql<Record<string, unknown>>`SELECT * FROM deploy_probe WHERE id = ${1}`.execute(db)
    await handle.db.connection().execute(async (conn) => {
      for (let i = 0; i < 5; i++) expect((await read(conn)).rows).toEqual([{ id: 1, name: 'Peine' }])
      const { rows } = await sql<{ statement: string }>`SELECT statement FROM pg_prepared_statements`.execute(conn)
      expect(rows.map((r) => r.statement)).toContainEqual(expect.stringContaining('deploy_probe'))

      await sql`ALTER TABLE deploy_probe ADD COLUMN district text`.execute(other.db)
      expect((await read(conn)).rows).toEqual([{ id: 1, name: 'Peine', district: null }])
      expect((await read(conn)).rows).toEqual([{ id: 1, name: 'Peine', district: null }])

      await sql`ALTER TABLE deploy_probe ADD COLUMN state text`.execute(other.db)
      // Inside a transaction the refused statement has aborted it: that one transaction fails, the next runs.
      await sql`BEGIN`.execute(conn)
      await expect(read(conn)).rejects.toThrow(/cached plan must not change result type/)
      await sql`ROLLBACK`.execute(conn)
      await sql`BEGIN`.execute(conn)
      expect((await read(conn)).rows).toEqual([{ id: 1, name: 'Peine', district: null, state: null }])
      await sql`UPDATE deploy_probe SET state = ${'Niedersachsen'} WHERE id = ${1}`.execute(conn)
      await sql`COMMIT`.execute(conn)
    })
    expect((await read(handle.db)).rows).toEqual([{ id: 1, name: 'Peine', district: null, state: 'Niedersachsen' }])
  })
})
