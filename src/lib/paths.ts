import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Where the project's files are, whether this code runs from its TypeScript sources (tsx, vitest) or
 * from the JavaScript that `scripts/build.js` bundled into `dist/` (`npm start`, the commands, the
 * image). A bundle moves code between files (shared code lands in `dist/chunks/`), so no path may be
 * counted from this file's own place; both are found by walking up to a marker instead.
 */

/** The file `scripts/build.js` writes at the top of its output directory. */
export const BUILD_MARKER = 'build-info.json'

function upTo(marker: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, marker))) return dir
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

/** The build's output directory when this code runs bundled, otherwise undefined. */
export const buildDir: string | undefined = import.meta.url.endsWith('.ts') ? undefined : upTo(BUILD_MARKER)

/** The directory holding package.json: views, public files and seeds are read from there. */
export const projectRoot: string = upTo('package.json') ?? process.cwd()

export const viewsDir = join(projectRoot, 'views')

/** The migrations as this code can import them: compiled next to the bundle, or the sources. */
export const migrations: { dir: string; extension: '.js' | '.ts' } = buildDir
  ? { dir: join(buildDir, 'migrations'), extension: '.js' }
  : { dir: join(projectRoot, 'migrations'), extension: '.ts' }
