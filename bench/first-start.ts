/**
 * `npm run bench:first-start`: how long `npm start` takes on a new machine, from the command to the line
 * "Kommunalforum läuft", on an empty embedded database (initdb, migrations, demo data) and with the
 * build made anew (as after a fresh clone). FIRST_START_RUNS (default 3) runs, each in a new DATA_DIR;
 * the result's `firstStartSeconds` is the slowest run.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BUILD_MARKER, projectRoot } from '../scripts/build.js'
import { round2, writeResult } from './lib.ts'

const RUNS = Number(process.env.FIRST_START_RUNS ?? 3)

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** One `npm start`: seconds until it says it runs, and the seconds the server itself reports. */
async function firstStart(): Promise<{ seconds: number; serverSeconds: number | null }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kf-first-start-'))
  // Without the marker the build counts as missing: `npm start` builds as in a fresh clone.
  rmSync(join(projectRoot, 'dist', BUILD_MARKER), { force: true })
  const started = process.hrtime.bigint()
  const child = spawn('npm', ['start'], {
    cwd: projectRoot,
    // PORT 0: any free port; only the time to start is measured.
    env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: '0', NODE_ENV: 'development' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: npm and the server stop together
  })
  let output = ''
  try {
    const seconds = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('Kommunalforum läuft')) resolve(Number(process.hrtime.bigint() - started) / 1e9)
      })
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
      child.once('exit', (code) => reject(new Error(`npm start ended (${code}) before it ran:\n${output}`)))
    })
    const reported = output.match(/gestartet in ([\d.]+) s/)?.[1]
    return { seconds: round2(seconds), serverSeconds: reported ? Number(reported) : null }
  } finally {
    process.kill(-child.pid!, 'SIGTERM')
    // npm may end before the server has shut down: wait until the whole group is gone.
    for (let i = 0; i < 100 && groupAlive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100))
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5 })
  }
}

const runs: { seconds: number; serverSeconds: number | null }[] = []
for (let i = 1; i <= RUNS; i++) {
  const run = await firstStart()
  runs.push(run)
  console.log(`Erster Start #${i}: ${run.seconds} s bis „Kommunalforum läuft“ (Server selbst: ${run.serverSeconds ?? '?'} s)`)
}
const firstStartSeconds = Math.max(...runs.map((r) => r.seconds))
console.log(`Ergebnis: ${writeResult('first-start', { at: new Date().toISOString(), runs, firstStartSeconds })}`)
