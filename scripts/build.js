// Bundles the app, its commands and the migrations into plain JavaScript under dist/, so that
// `npm start` and the commands run in node itself. Running the TypeScript through tsx instead costs
// every process a loader thread (about 40 MB more memory) and a hook on every import (seconds on the
// start of a command such as `npm run trending`); see bench/README.md.
//
//   node scripts/build.js          builds when a source is newer than the last build, otherwise nothing
//   node scripts/build.js --force  builds in any case
//
// The bench (bench/lib.ts) builds its app process the same way, into dist-bench/.
//
// Packages stay in node_modules (imported at run time as before); only the project's own code is
// bundled. Plain JavaScript on purpose: this file runs before anything is compiled.
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Written last into the output directory; src/lib/paths.ts finds the build by it. */
export const BUILD_MARKER = 'build-info.json'
/** What the build reads: when one of these changed after the marker was written, it builds again. */
const SOURCES = ['src', 'migrations', 'seeds', 'bench', 'scripts/build.js', 'tsconfig.json', 'package-lock.json']
/** Folders under SOURCES that hold no source (bench results, data of the digest bench). */
const NOT_SOURCES = new Set(['results'])

function typeScriptFiles(dir) {
  return readdirSync(join(projectRoot, dir))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))
}

/** The server, every command (run.ts is their shared helper, not a command) and every migration. */
export function appEntries() {
  return [
    'src/server.ts',
    ...typeScriptFiles('src/cli').filter((f) => f !== join('src', 'cli', 'run.ts')),
    ...typeScriptFiles('migrations'),
  ]
}

/** The newest modification time among files and folders under `path` (a folder's changes when a file is added or removed). */
function newestChange(path) {
  const stat = statSync(path, { throwIfNoEntry: false })
  if (!stat) return 0
  let newest = stat.mtimeMs
  if (stat.isDirectory()) {
    for (const name of readdirSync(path)) {
      if (!NOT_SOURCES.has(name)) newest = Math.max(newest, newestChange(join(path, name)))
    }
  }
  return newest
}

/** Whether `outdir` holds a build of exactly `entries` that is newer than every source. */
export function isFresh(outdir, entries) {
  const marker = join(outdir, BUILD_MARKER)
  const stat = statSync(marker, { throwIfNoEntry: false })
  if (!stat) return false
  try {
    const info = JSON.parse(readFileSync(marker, 'utf8'))
    if (JSON.stringify(info.entries) !== JSON.stringify(entries)) return false
  } catch {
    return false
  }
  const sources = SOURCES.map((s) => newestChange(join(projectRoot, s)))
  return Math.max(...sources) < stat.mtimeMs
}

/**
 * Builds `entries` (paths relative to the project) into `outdir`, replacing what was there.
 * Code shared by several entries goes to `outdir/chunks/`.
 */
export async function build({ outdir = join(projectRoot, 'dist'), entries = appEntries() } = {}) {
  // Imported only when building: a fresh build should cost a start of the command next to nothing.
  const { build: esbuild } = await import('esbuild')
  // Built beside and swapped in, so that a process starting meanwhile never sees half a build.
  const staging = `${outdir}.building-${process.pid}`
  rmSync(staging, { recursive: true, force: true })
  await esbuild({
    absWorkingDir: projectRoot,
    entryPoints: entries,
    outdir: staging,
    outbase: '.',
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Stack traces name the original files and lines with `node --enable-source-maps`.
    sourcemap: 'linked',
    logLevel: 'error',
  })
  writeFileSync(join(staging, BUILD_MARKER), JSON.stringify({ entries, builtAt: new Date().toISOString() }) + '\n')
  const old = `${outdir}.old-${process.pid}`
  try {
    renameSync(outdir, old)
  } catch (error) {
    if (error.code !== 'ENOENT') throw error // none yet, or another build just moved it away
  }
  try {
    renameSync(staging, outdir)
  } catch (error) {
    // Another process built the same sources at the same moment and swapped its build in first.
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error
    rmSync(staging, { recursive: true, force: true })
  }
  rmSync(old, { recursive: true, force: true })
  return outdir
}

/** Builds unless the last build in `outdir` is of the same entries and newer than every source. */
export async function ensureBuilt(options = {}) {
  const outdir = options.outdir ?? join(projectRoot, 'dist')
  const entries = options.entries ?? appEntries()
  if (!options.force && isFresh(outdir, entries)) return outdir
  return build({ outdir, entries })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now()
  const force = process.argv.includes('--force')
  const outdir = join(projectRoot, 'dist')
  if (force || !isFresh(outdir, appEntries())) {
    try {
      await build({ outdir })
    } catch (error) {
      console.error('Der Build ist fehlgeschlagen:', error instanceof Error ? error.message : error)
      process.exit(1)
    }
    if (!existsSync(join(outdir, BUILD_MARKER))) process.exit(1)
    console.error(`Gebaut: ${relative(process.cwd(), outdir) || '.'}/ in ${((Date.now() - started) / 1000).toFixed(1)} s`)
  }
}
