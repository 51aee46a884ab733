import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { brotliDecompressSync } from 'node:zlib'
import { projectRoot } from '../lib/paths.ts'

/**
 * A new embedded database starts from a data directory made once and shipped: what PGlite's initdb
 * writes, with the migrations of that day run. initdb in WebAssembly and the migrations took 7 of the
 * 9.4 s of a first start on a slow machine; loading the template takes 1.5 s (bench/README.md).
 * `npm run db:template` makes it again. Only the PGlite release that made it may load it; migrations
 * added since run at start as on any database (a test shows that this gives the same schema as a fresh
 * initdb with all migrations). Without a fitting template PGlite runs initdb as before.
 */
export const EMBEDDED_TEMPLATE = {
  archive: join(projectRoot, 'seeds', 'pglite-template.tar.br'),
  about: join(projectRoot, 'seeds', 'pglite-template.json'),
}

export type TemplateInfo = {
  /** The PGlite release that wrote it. */
  pglite: string
  postgres: string
  /** The migrations run in it, in order. */
  migrations: string[]
}

/** The version of the installed PGlite package (its package.json is not among its exports). */
export function installedPgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'))
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir)
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version
}

export function templateInfo(files = EMBEDDED_TEMPLATE): TemplateInfo | undefined {
  if (!existsSync(files.archive) || !existsSync(files.about)) return undefined
  return JSON.parse(readFileSync(files.about, 'utf8')) as TemplateInfo
}

/**
 * The template as a tarball for PGlite's loadDataDir, or undefined when there is none that fits: made by
 * another PGlite release, or holding a migration this code does not have (another branch's).
 */
export function embeddedTemplate(
  migrations: string[],
  { files = EMBEDDED_TEMPLATE, pgliteVersion = installedPgliteVersion() } = {},
): Blob | undefined {
  const info = templateInfo(files)
  if (!info || info.pglite !== pgliteVersion) return undefined
  const known = new Set(migrations)
  if (!info.migrations.every((name) => known.has(name))) return undefined
  return new Blob([brotliDecompressSync(readFileSync(files.archive))])
}
