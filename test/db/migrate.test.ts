import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { municipalityDays } from '../../src/features/trends/trends.queries.ts'
import * as formsMigration from '../../migrations/20261203100000_replace_trend_stems_by_forms.ts'
import { createTestDatabase } from '../helpers/database.ts'

const FORMS = '20261203100000_replace_trend_stems_by_forms'

let handle: DatabaseHandle
beforeAll(async () => {
  handle = await createTestDatabase()
})
afterAll(() => handle.close())

const tableExists = async (name: string) =>
  (await sql<{ t: string | null }>`SELECT to_regclass(${name})::text AS t`.execute(handle.db)).rows[0]!.t !== null

describe('migrateToLatest', () => {
  it('leaves a database alone that ran exactly the migrations there are: the migrator does not even set up its lock', async () => {
    await sql`DROP TABLE kysely_migration_lock`.execute(handle.db)
    expect(await migrateToLatest(handle.db)).toEqual([])
    expect(await tableExists('kysely_migration_lock')).toBe(false)
  })

  it('runs a migration the database has not run, and the stems and words of stored municipality-days survive it as forms', async () => {
    await formsMigration.down(handle.db)
    await sql`DELETE FROM kysely_migration WHERE name = ${FORMS}`.execute(handle.db)
    await sql`
      INSERT INTO trend_municipality_days (day, municipality_id, stems, words, posts) VALUES
        (20000, 1, '{kita,stromsperr}', '{Kita,Stromsperre}', '{2,1}'),
        (20000, 2, '{kita}', '{Kitas}', '{3}'),
        (20001, 1, '{}', '{}', '{}')
    `.execute(handle.db)

    expect(await migrateToLatest(handle.db)).toEqual([FORMS])
    expect(await tableExists('trend_municipality_days')).toBe(false)
    expect(await tableExists('kysely_migration_lock')).toBe(true)
    const rows = await municipalityDays(handle.db, [
      { municipality_id: 1, day: 20000 },
      { municipality_id: 2, day: 20000 },
      { municipality_id: 1, day: 20001 },
    ])
    const byKey = Object.fromEntries(rows.map((r) => [`${r.municipality_id}|${r.day}`, { stems: r.stems, words: r.words, posts: r.posts }]))
    expect(byKey).toEqual({
      '1|20000': { stems: ['kita', 'stromsperr'], words: ['Kita', 'Stromsperre'], posts: [2, 1] },
      '2|20000': { stems: ['kita'], words: ['Kitas'], posts: [3] },
      '1|20001': { stems: [], words: [], posts: [] },
    })
    // One number per pair of stem and written form.
    const forms = await sql<{ stem: string; word: string }>`SELECT stem, word FROM trend_forms ORDER BY stem, word`.execute(handle.db)
    expect(forms.rows).toEqual([
      { stem: 'kita', word: 'Kita' },
      { stem: 'kita', word: 'Kitas' },
      { stem: 'stromsperr', word: 'Stromsperre' },
    ])
  })
})
