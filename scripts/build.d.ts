// Types of scripts/build.js for the TypeScript that uses it (bench/lib.ts, test/build.test.ts).
export const projectRoot: string
export const BUILD_MARKER: string
export function appEntries(): string[]
export function isFresh(outdir: string, entries: string[]): boolean
export function build(options?: { outdir?: string; entries?: string[] }): Promise<string>
export function ensureBuilt(options?: { outdir?: string; entries?: string[]; force?: boolean }): Promise<string>
