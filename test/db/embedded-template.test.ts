import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import { Kysely, sql } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { connectDatabase } from '../../src/db/connect.ts'
import { embeddedTemplate, installedPgliteVersion, templateInfo } from '../../src/db/embedded-template.ts'
import { migrateToLatest, migrationNames } from '../../src/db/migrate.ts'

const scratch = mkdtempSync(join(tmpdir(), 'kf-template-test-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** What two databases must share: every object of the schema, the rows the migrations wrote, the collation. */
async function fingerprint(db: Kysely<unknown>) {
  const { rows: schema } = await sql<{ kind: string; def: string }>`
    SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS def
      FROM information_schema.columns WHERE table_schema = 'public'
    UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public'
    UNION ALL SELECT 'constraint', conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
      FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'trigger', pg_get_triggerdef(oid) FROM pg_trigger WHERE NOT tgisinternal
    UNION ALL SELECT 'function', pg_get_functiondef(oid) FROM pg_proc WHERE pronamespace = 'public'::regnamespace AND prokind IN ('f', 'p')
    UNION ALL SELECT 'view', viewname || ' ' || definition FROM pg_views WHERE schemaname = 'public'
    UNION ALL SELECT 'extension', extname || ' ' || extversion FROM pg_extension
    UNION ALL SELECT 'sequence', schemaname || '.' || sequencename || ' ' || coalesce(last_value::text, '-') FROM pg_sequences
    UNION ALL SELECT 'database', datcollate || ' ' || datctype || ' ' || pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()
    ORDER BY 1, 2
  `.execute(db)
  const { rows: tables } = await sql<{ name: string }>`SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`.execute(db)
  const counts: Record<string, number> = {}
  for (const { name } of tables) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(name)}`.execute(db)
    counts[name] = rows[0]!.n
  }
  const { rows: forums } = await sql`SELECT id, slug, name_de, name_en, description_de, description_en, position FROM forums ORDER BY id`.execute(db)
  const { rows: pages } = await sql`SELECT slug, title, body FROM site_pages ORDER BY slug`.execute(db)
  const { rows: migrations } = await sql`SELECT name FROM kysely_migration ORDER BY name`.execute(db)
  return { schema, counts, forums, pages, migrations }
}

describe('the embedded database template (seeds/pglite-template.tar.br)', () => {
  it('was made by the installed PGlite, with migrations this code has: else run npm run db:template', async () => {
    const info = templateInfo()
    expect(info, 'seeds/pglite-template.json is missing').toBeDefined()
    expect(info!.pglite).toBe(installedPgliteVersion())
    const known = await migrationNames()
    expect(info!.migrations.filter((name) => !known.includes(name))).toEqual([])
    expect(embeddedTemplate(known)).toBeInstanceOf(Blob)
  })

  it('gives a new database the same schema and rows as a fresh initdb with every migration', { timeout: 180_000 }, async () => {
    const fresh = await connectDatabase({ inMemory: true, initdb: true })
    const fromTemplate = await connectDatabase({ inMemory: true })
    try {
      // It did start from the template: the migrations it holds have run before migrateToLatest.
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration`.execute(fromTemplate.db)
      expect(rows[0]!.n).toBe(templateInfo()!.migrations.length)
      await migrateToLatest(fresh.db)
      await migrateToLatest(fromTemplate.db)
      const [expected, actual] = [await fingerprint(fresh.db as Kysely<unknown>), await fingerprint(fromTemplate.db as Kysely<unknown>)]
      expect(actual.schema.length).toBeGreaterThan(300)
      expect(actual).toEqual(expected)
    } finally {
      await fresh.close()
      await fromTemplate.close()
    }
  })

  it('is not used when made by another PGlite release or holding a migration this code lacks', () => {
    const dir = join(scratch, 'other')
    mkdirSync(dir, { recursive: true })
    const files = { archive: join(dir, 'template.tar.br'), about: join(dir, 'template.json') }
    writeFileSync(files.archive, brotliCompressSync(Buffer.from('tar')))
    writeFileSync(files.about, JSON.stringify({ pglite: '0.4.6', postgres: '17.5', migrations: ['20261123000100_create_accounts'] }))
    expect(embeddedTemplate(['20261123000100_create_accounts', '20261124000000_later'], { files, pgliteVersion: '0.4.6' })).toBeInstanceOf(Blob)
    expect(embeddedTemplate(['20261123000100_create_accounts'], { files, pgliteVersion: '0.5.0' })).toBeUndefined()
    expect(embeddedTemplate(['20261124000000_later'], { files, pgliteVersion: '0.4.6' })).toBeUndefined()
    rmSync(files.about)
    expect(embeddedTemplate(['20261123000100_create_accounts'], { files, pgliteVersion: '0.4.6' })).toBeUndefined()
  })
})

describe('a data directory of the embedded database', () => {
  it('whose creation was cut short is created anew; a created one keeps its data', async () => {
    const dataDir = join(scratch, 'cut-short')
    // What a kill -9 while the template was being written leaves: the marker and part of the files.
    mkdirSync(join(dataDir, 'pgdata', 'base'), { recursive: true })
    writeFileSync(join(dataDir, 'pgdata', 'PG_VERSION'), '17\n')
    writeFileSync(join(dataDir, 'pgdata', 'base', 'half-written'), 'x')
    writeFileSync(join(dataDir, 'pgdata.creating'), '')
    let handle = await connectDatabase({ dataDir })
    expect(existsSync(join(dataDir, 'pgdata.creating'))).toBe(false)
    expect(existsSync(join(dataDir, 'pgdata', 'base', 'half-written'))).toBe(false)
    await migrateToLatest(handle.db)
    await sql`INSERT INTO municipalities (name, kind, district) VALUES ('Gifhorn', 'Stadt', 'Landkreis Gifhorn')`.execute(handle.db)
    await handle.close()

    handle = await connectDatabase({ dataDir })
    try {
      const { rows } = await sql<{ name: string }>`SELECT name FROM municipalities`.execute(handle.db)
      expect(rows.map((r) => r.name)).toEqual(['Gifhorn'])
      expect(readFileSync(join(dataDir, 'pgdata', 'PG_VERSION'), 'utf8').trim()).toBe('17')
    } finally {
      await handle.close()
    }
  })
})
