import { relative, resolve } from 'node:path'
import { buildDir, projectRoot } from '../src/lib/paths.ts'

/**
 * Whether the process was started with the script `source` (as "bench/data.ts"), run from its source
 * or from a build (dist-bench/bench/data.js). A bundle puts several scripts into one file, so comparing
 * `import.meta.url` with the started file would call every bundled script's main.
 */
export function isMainScript(source: string): boolean {
  const started = process.argv[1]
  if (!started) return false
  const path = relative(buildDir ?? projectRoot, resolve(started)).replace(/\.[cm]?[jt]s$/, '')
  return path === source.replace(/\.ts$/, '')
}
