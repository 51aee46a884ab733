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
