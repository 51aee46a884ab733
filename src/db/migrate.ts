import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'
import { migrations as migrationFiles } from '../lib/paths.ts'

/** The migrations' names (file names without extension), in order. */
export async function migrationNames(): Promise<string[]> {
  const { dir, extension } = migrationFiles
  const pattern = new RegExp(`^\\d{14}_[a-z0-9_]+\\${extension}$`)
  return (await readdir(dir))
    .filter((f) => pattern.test(f))
    .sort()
    .map((f) => f.slice(0, -extension.length))
}

/**
 * Kysely's FileMigrationProvider cannot import .ts files under vitest; an import() that lives in
 * project code works under both tsx and vitest.
 */
class ProjectMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {}
    for (const name of await migrationNames()) {
      const file = join(migrationFiles.dir, `${name}${migrationFiles.extension}`)
      migrations[name] = (await import(pathToFileURL(file).href)) as Migration
    }
    return migrations
  }
}

/**
 * Whether the database has run exactly the migrations there are. Then there is nothing to do, and
 * the migrator (which imports and transpiles every migration file and takes its lock: over a second
 * for each start of a command such as `npm run trending`) is not needed. Anything else (a pending
 * migration, one run by another branch) goes through the migrator as before.
 */
async function upToDate(db: Kysely<any>, names: string[]): Promise<boolean> {
  const { rows } = await sql<{ table: string | null }>`SELECT to_regclass('kysely_migration')::text AS table`.execute(db)
  if (rows[0]?.table == null) return false
  const done = await db.selectFrom('kysely_migration').select('name').execute()
  const wanted = new Set(names)
  return done.length === wanted.size && done.every((r: { name: string }) => wanted.has(r.name))
}

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  if (await upToDate(db, await migrationNames())) return []
  const migrator = new Migrator({
    db,
    provider: new ProjectMigrationProvider(),
    // Features land from parallel branches; a database migrated before a merge still takes the new ones.
    allowUnorderedMigrations: true,
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) throw error
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
