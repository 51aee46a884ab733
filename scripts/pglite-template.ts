/**
 * `npm run db:template`: makes seeds/pglite-template.tar.br, from which a new embedded database starts
 * (src/db/embedded-template.ts): a fresh initdb of the installed PGlite with every migration run. Run it
 * after upgrading PGlite (test/db/embedded-template.test.ts fails until then) and, to keep first starts
 * short, now and then after adding migrations. Brotli with a 16 MB window: the three databases initdb
 * writes are nearly alike, so 40 MB of files become about 1.6 MB (gzip: 4 MB).
 */
import { writeFileSync } from 'node:fs'
import { constants, brotliCompressSync } from 'node:zlib'
import { connectDatabase } from '../src/db/connect.ts'
import { EMBEDDED_TEMPLATE, installedPgliteVersion, type TemplateInfo } from '../src/db/embedded-template.ts'
import { migrateToLatest } from '../src/db/migrate.ts'

// By initdb: not from the template this replaces.
const { db, pglite, close } = await connectDatabase({ inMemory: true, initdb: true })
const migrations = await migrateToLatest(db)
const { rows } = await pglite!.query<{ server_version: string }>('SHOW server_version')
// Written out, so that a start from it replays nothing: after a recovery every sequence would jump by
// the 32 values PostgreSQL logs ahead (a test compares the sequences with a fresh database).
await pglite!.exec('CHECKPOINT')
const tar = Buffer.from(await (await pglite!.dumpDataDir('none')).arrayBuffer())
await close()
const archive = brotliCompressSync(tar, {
  params: {
    [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
    [constants.BROTLI_PARAM_LGWIN]: constants.BROTLI_MAX_WINDOW_BITS,
    [constants.BROTLI_PARAM_SIZE_HINT]: tar.length,
  },
})
const info: TemplateInfo = { pglite: installedPgliteVersion(), postgres: rows[0]!.server_version, migrations }
writeFileSync(EMBEDDED_TEMPLATE.archive, archive)
writeFileSync(EMBEDDED_TEMPLATE.about, JSON.stringify(info, null, 2) + '\n')
console.log(
  `${EMBEDDED_TEMPLATE.archive}: ${(archive.length / 1e6).toFixed(1)} MB (PGlite ${info.pglite}, PostgreSQL ${info.postgres}, ${migrations.length} migrations)`,
)
