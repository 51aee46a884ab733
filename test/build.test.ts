import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { appEntries, BUILD_MARKER, build, isFresh, projectRoot } from '../scripts/build.js'
import { BUILD_MARKER as MARKER_THE_APP_LOOKS_FOR } from '../src/lib/paths.ts'
import { freePort } from './helpers/browser.ts'

// The build under test lies inside the project, as dist/ does: the bundle imports its packages from
// the project's node_modules.
const outdir = join(projectRoot, `dist-test-${process.pid}`)
const dataDir = mkdtempSync(join(tmpdir(), 'kf-build-'))
let server: ChildProcess | undefined

beforeAll(async () => {
  await build({ outdir, entries: appEntries() })
}, 60_000)

afterAll(() => {
  server?.kill('SIGKILL')
  rmSync(outdir, { recursive: true, force: true })
  rmSync(dataDir, { recursive: true, force: true })
})

/** Runs `file` of the build in node itself (no tsx), with its own embedded database. */
function runBuilt(file: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--max-old-space-size=256', join(outdir, file), ...args], {
    cwd: projectRoot,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

function output(child: ChildProcess): { stdout: () => string; stderr: () => string; exit: Promise<number | null> } {
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (d) => (stdout += d))
  child.stderr!.on('data', (d) => (stderr += d))
  return { stdout: () => stdout, stderr: () => stderr, exit: new Promise((resolve) => child.once('exit', resolve)) }
}

describe('the build (scripts/build.js)', () => {
  it('bundles the server, every command and every migration, and marks the build for the app to find', () => {
    expect(BUILD_MARKER).toBe(MARKER_THE_APP_LOOKS_FOR)
    expect(existsSync(join(outdir, BUILD_MARKER))).toBe(true)
    expect(existsSync(join(outdir, 'src', 'server.js'))).toBe(true)
    for (const command of ['trending', 'import', 'export', 'digest', 'migrate', 'create-admin']) {
      expect(existsSync(join(outdir, 'src', 'cli', `${command}.js`)), command).toBe(true)
    }
    const sources = readdirSync(join(projectRoot, 'migrations')).filter((f) => f.endsWith('.ts'))
    const built = readdirSync(join(outdir, 'migrations')).filter((f) => f.endsWith('.js'))
    expect(built).toEqual(sources.map((f) => f.replace(/\.ts$/, '.js')))
  })

  it('counts as fresh only for the same entries and while no source is newer than the build', () => {
    expect(isFresh(outdir, appEntries())).toBe(true)
    expect(isFresh(outdir, appEntries().slice(1))).toBe(false)
    expect(isFresh(join(projectRoot, 'dist-test-none'), appEntries())).toBe(false)
    const marker = join(outdir, BUILD_MARKER)
    const newestMigration = statSync(join(projectRoot, 'migrations', readdirSync(join(projectRoot, 'migrations')).sort().at(-1)!))
    const before = new Date(newestMigration.mtimeMs - 1000)
    utimesSync(marker, before, before)
    expect(isFresh(outdir, appEntries())).toBe(false)
    const now = new Date()
    utimesSync(marker, now, now)
    expect(isFresh(outdir, appEntries())).toBe(true)
  })

  it('runs a command in node itself: it migrates a new embedded database from the compiled migrations', async () => {
    const run = output(runBuilt('src/cli/trending.js', ['--at', '2026-01-05T12:00:00Z', '--json']))
    expect(await run.exit, run.stderr()).toBe(0)
    expect(JSON.parse(run.stdout())).toEqual({ at: '2026-01-05T12:00:00.000Z', terms: [], threads: [] })
  }, 120_000)

  it('starts the server with demo data; it serves its pages (views) and static files (public)', async () => {
    const port = await freePort()
    server = runBuilt('src/server.js', [], { PORT: String(port), HOST: '127.0.0.1', DEMO: 'true' })
    const run = output(server)
    const deadline = Date.now() + 90_000 // a guard against hanging, not a speed check (bench:first-start)
    while (!run.stdout().includes('Kommunalforum läuft')) {
      if (server.exitCode !== null) throw new Error(`server ended: ${run.stderr()}`)
      if (Date.now() > deadline) throw new Error(`server did not start: ${run.stdout()} ${run.stderr()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(run.stdout()).toContain('Demodaten angelegt')
    const login = await fetch(`http://127.0.0.1:${port}/login`)
    expect(login.status).toBe(200)
    expect(await login.text()).toContain('<form')
    const css = await fetch(`http://127.0.0.1:${port}/static/css/app.css`)
    expect(css.status).toBe(200)
    expect(css.headers.get('content-type')).toMatch(/text\/css/)
    server.kill('SIGTERM')
    expect(await run.exit).toBe(0)
  }, 120_000)
})
