import { type Kysely, type KyselyPlugin, sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compiledOnce, type Slots } from '../../src/db/compiled.ts'
import type { DatabaseHandle } from '../../src/db/connect.ts'
import type { Database } from '../../src/db/database.ts'
import { buildUser } from '../factories.ts'
import { createTestDatabase } from '../helpers/database.ts'

let handle: DatabaseHandle
beforeAll(async () => {
  handle = await createTestDatabase()
})
afterAll(() => handle.close())

function countingCompiles() {
  let compiles = 0
  let results = 0
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      compiles++
      return args.node
    },
    transformResult: async (args) => {
      results++
      return args.result
    },
  }
  return { plugin, compiles: () => compiles, results: () => results }
}

const usersByDomain = compiledOnce((db: Kysely<Database>, slot: Slots<{ pattern: string; after: number; limit: number }>) =>
  db
    .selectFrom('users')
    .select(['id', 'email'])
    .where('email', 'like', slot('pattern'))
    .where('id', '>', slot('after'))
    .where(sql<boolean>`${slot('limit')} > 0`)
    .orderBy('id')
    .limit(slot('limit')),
)

describe('compiledOnce', () => {
  it('runs the statement with each call’s values in its slots, a slot used twice included', async () => {
    const a1 = await buildUser(handle.db, { email: 'eins@a.example' })
    const a2 = await buildUser(handle.db, { email: 'zwei@a.example' })
    const b = await buildUser(handle.db, { email: 'drei@b.example' })

    expect(await usersByDomain(handle.db, { pattern: '%@a.example', after: 0, limit: 10 })).toEqual([
      { id: a1.id, email: 'eins@a.example' },
      { id: a2.id, email: 'zwei@a.example' },
    ])
    expect(await usersByDomain(handle.db, { pattern: '%@a.example', after: a1.id, limit: 10 })).toEqual([{ id: a2.id, email: 'zwei@a.example' }])
    expect(await usersByDomain(handle.db, { pattern: '%@b.example', after: 0, limit: 10 })).toEqual([{ id: b.id, email: 'drei@b.example' }])
    expect(await usersByDomain(handle.db, { pattern: '%@a.example', after: 0, limit: 1 })).toEqual([{ id: a1.id, email: 'eins@a.example' }])
    expect(await usersByDomain(handle.db, { pattern: '%@a.example', after: 0, limit: 0 })).toEqual([])
  })

  it('compiles once per database handle and still lets the handle’s plugins see every result', async () => {
    const counting = countingCompiles()
    const db = handle.db.withPlugin(counting.plugin)
    for (let i = 0; i < 3; i++) await usersByDomain(db, { pattern: '%', after: 0, limit: 5 })
    expect(counting.compiles()).toBe(1)
    expect(counting.results()).toBe(3)

    // Another handle (other plugins, a transaction) compiles its own, with its own plugins.
    const other = countingCompiles()
    await usersByDomain(handle.db.withPlugin(other.plugin), { pattern: '%', after: 0, limit: 5 })
    expect(other.compiles()).toBe(1)
    expect(counting.compiles()).toBe(1)
    await handle.db.transaction().execute(async (trx) => {
      expect(await usersByDomain(trx, { pattern: 'niemand@%', after: 0, limit: 5 })).toEqual([])
    })
  })

  it('refuses a statement in which a slot became no parameter', async () => {
    const lost = compiledOnce((db: Kysely<Database>, slot: Slots<{ id: number }>) => {
      slot('id')
      return db.selectFrom('users').select('id').where('id', '=', 1)
    })
    await expect(lost(handle.db, { id: 1 })).rejects.toThrow(/slot "id" is no parameter/)
  })
})
