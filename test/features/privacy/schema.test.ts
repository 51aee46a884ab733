import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportDefinition, notExported } from '../../../src/features/privacy/privacy.definition.ts'
import { createTestDatabase } from '../../helpers/database.ts'
import type { DatabaseHandle } from '../../../src/db/connect.ts'

/**
 * Every column that points at a person must be in the export definition (or in `notExported`, with a
 * reason): a table added later without a line there fails here, so no one's data is left out of an
 * export (Art. 15) or forgotten at erasure (Art. 17).
 */
describe('the export definition', () => {
  let handle: DatabaseHandle
  beforeAll(async () => {
    handle = await createTestDatabase()
  })
  afterAll(() => handle?.close())

  async function userReferences(): Promise<string[]> {
    const foreignKeys = await sql<{ table_name: string; column_name: string }>`
      SELECT kcu.table_name, kcu.column_name
      FROM information_schema.referential_constraints rc
      JOIN information_schema.key_column_usage kcu ON kcu.constraint_name = rc.constraint_name AND kcu.constraint_schema = rc.constraint_schema
      JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = rc.unique_constraint_name AND ccu.constraint_schema = rc.unique_constraint_schema
      WHERE kcu.table_schema = 'public' AND ccu.table_name = 'users' AND ccu.column_name = 'id'`.execute(handle.db)
    const named = await sql<{ table_name: string; column_name: string }>`
      SELECT c.table_name, c.column_name FROM information_schema.columns c
      JOIN information_schema.tables tb ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
      WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
        AND (c.column_name IN ('user_id', 'author_id') OR c.column_name LIKE '%\\_user\\_id')`.execute(handle.db)
    return [...new Set([...foreignKeys.rows, ...named.rows].map((r) => `${r.table_name}.${r.column_name}`))].sort()
  }

  it('covers every column that references users', async () => {
    const references = await userReferences()
    // The introspection itself works: these are known references.
    expect(references).toEqual(expect.arrayContaining(['posts.author_id', 'sessions.user_id', 'audit_log.actor_id', 'invitations.invited_by']))
    const covered = new Set([...exportDefinition.flatMap((e) => e.userColumns.map((c) => `${e.table}.${c}`)), ...Object.keys(notExported)])
    expect(references.filter((r) => !covered.has(r))).toEqual([])
  })

  it('names only tables and columns that exist', async () => {
    const columns = await sql<{ table_name: string; column_name: string }>`
      SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`.execute(handle.db)
    const existing = new Set(columns.rows.map((r) => `${r.table_name}.${r.column_name}`))
    const named = exportDefinition.flatMap((e) => [...e.userColumns, ...(e.omit ?? [])].map((c) => `${e.table}.${c}`))
    expect(named.filter((n) => !existing.has(n))).toEqual([])
    const keep = exportDefinition.filter((e) => e.erase === 'keep' && !e.reason).map((e) => e.table)
    expect(keep, 'rows kept at erasure need a reason').toEqual([])
  })
})
