/**
 * Evaluates the trend detection on a synthetic history with planted truth (bench/trends/generate.ts):
 *   npx tsx bench/trends/evaluate.ts --seed 1 [--seed 2 …]
 * For each seed: generates the history, imports it into a fresh embedded database (or a fresh database
 * on the server in DATABASE_URL), builds the evidence and computes the trends as of many moments, exactly
 * as `npm run trending` does; checks two moments against the command itself. Prints the figures.
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { connectDatabase, type DatabaseHandle } from '../../src/db/connect.ts'
import { migrateToLatest } from '../../src/db/migrate.ts'
import { importInterchange } from '../../src/features/interchange/interchange.import.ts'
import { indexNewPosts, loadEvidence, trendingFromStore, type TrendingResult } from '../../src/features/trends/trends.service.ts'
import { stemsOf } from '../../src/features/trends/trends.text.ts'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const { values } = parseArgs({ options: { seed: { type: 'string', multiple: true, default: ['1'] }, cli: { type: 'boolean', default: true }, verbose: { type: 'boolean', default: false } } })
const DAY = 86_400_000

type Truth = {
  start: string
  end: string
  planted: { kind: 'sharp' | 'weak' | 'slow'; words: string[]; start: string }[]
  flood: { words: string[]; start: string; days: number }
  surge: { start: string; days: number }
  steady: string[]
  hot: { id: string; start: string }[]
}

async function freshDatabase(): Promise<{ handle: DatabaseHandle; env: Record<string, string>; drop(): Promise<void> }> {
  const url = process.env.DATABASE_URL
  if (!url) {
    const dir = mkdtempSync(join(tmpdir(), 'kf-trends-'))
    const handle = await connectDatabase({ dataDir: dir })
    return { handle, env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const name = `kf_trends_${randomBytes(4).toString('hex')}`
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const run = async (q: string) => {
    const c = new pg.Client({ connectionString: admin.toString() })
    await c.connect()
    await c.query(q)
    await c.end()
  }
  await run(`CREATE DATABASE ${name}`)
  const dbUrl = new URL(url)
  dbUrl.pathname = `/${name}`
  const handle = await connectDatabase({ databaseUrl: dbUrl.toString() })
  return { handle, env: { DATABASE_URL: dbUrl.toString() }, drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

const stemSet = (words: string[]) => new Set(words.flatMap((w) => [...stemsOf(w).keys()]))
const matches = (term: TrendingResult['terms'][number], stems: Set<string>) => term.stems.some((s) => stems.has(s))

async function evaluate(seed: string) {
  const dir = mkdtempSync(join(tmpdir(), `kf-trends-data-${seed}-`))
  execFileSync('npx', ['tsx', join(here, 'generate.ts'), '--seed', seed, '--out', dir], { stdio: 'ignore' })
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth
  const fresh = await freshDatabase()
  const db = fresh.handle.db
  try {
    await migrateToLatest(db)
    const t0 = performance.now()
    const lines = createInterface({ input: createReadStream(join(dir, 'forum.jsonl'), { encoding: 'utf8' }), crlfDelay: Infinity })
    const summary = await importInterchange(db, lines, new Date(), () => {})
    const t1 = performance.now()
    await indexNewPosts(db, new Date())
    const t2 = performance.now()

    const cache = new Map<number, TrendingResult>()
    const times: number[] = []
    const at = async (ms: number) => {
      let r = cache.get(ms)
      if (!r) {
        const s = performance.now()
        r = await trendingFromStore(db, await loadEvidence(db, new Date(ms)), new Date(ms))
        times.push(performance.now() - s)
        cache.set(ms, r)
      }
      return r
    }
    const dayOf = (iso: string) => Math.floor(Date.parse(iso) / DAY) * DAY
    const plantedStems = truth.planted.map((p) => stemSet(p.words))
    const allPlanted = new Set(plantedStems.flatMap((s) => [...s]))
    const floodStems = stemSet(truth.flood.words)
    const steadyStems = stemSet(truth.steady)

    // Recall and delay: every 6 hours from the planted start, within 7 days (slow burn: 28).
    const recall: { kind: string; found: boolean; delay?: number }[] = []
    const activeSpans: [number, number][] = []
    for (const [i, p] of truth.planted.entries()) {
      const start = Date.parse(p.start)
      const horizon = p.kind === 'slow' ? 28 : 7
      activeSpans.push([dayOf(p.start), start + (horizon + 7) * DAY])
      let found: number | undefined
      const step = p.kind === 'slow' ? DAY : DAY / 4
      for (let t = dayOf(p.start) + step; t <= start + horizon * DAY; t += step) {
        const r = await at(t)
        if (r.terms.slice(0, 10).some((term) => matches(term, plantedStems[i]!))) {
          found = t
          break
        }
      }
      recall.push({ kind: p.kind, found: found !== undefined, delay: found !== undefined ? (found - start) / DAY : undefined })
    }
    // Precision of the top 5, on days while planted trends are active.
    let precisionSum = 0
    let precisionN = 0
    const floodAlarms: string[] = []
    for (const [from, to] of activeSpans) {
      for (let t = from + DAY; t <= to; t += DAY) {
        const r = await at(t)
        const top = r.terms.slice(0, 5)
        if (top.length === 0) continue
        if (values.verbose) {
          const wrong = top.filter((term) => !term.stems.some((s) => allPlanted.has(s)))
          if (wrong.length > 0) console.error('imprecise', new Date(t).toISOString(), wrong.map((x) => `${x.label} (${x.score}, ${x.window_days} d, ${x.municipalities} Kommunen)`))
        }
        precisionSum += top.filter((term) => term.stems.some((s) => allPlanted.has(s))).length / top.length
        precisionN++
      }
    }
    // Flood: every day of the flood and the week after.
    const floodStart = dayOf(truth.flood.start)
    for (let t = floodStart + DAY / 2; t <= floodStart + (truth.flood.days + 7) * DAY; t += DAY / 2) {
      const r = await at(t)
      if (r.terms.some((term) => matches(term, floodStems))) floodAlarms.push(new Date(t).toISOString())
    }
    // Steady terms on quiet days (no planted trend active) and surge days: 25 days in all.
    const surgeStart = dayOf(truth.surge.start)
    const quiet: number[] = []
    for (let d = 0; d < truth.surge.days; d++) quiet.push(surgeStart + (d + 1) * DAY)
    const firstPlant = Math.min(...truth.planted.map((p) => dayOf(p.start)), floodStart)
    for (let t = surgeStart - 30 * DAY; quiet.length < 25 && t < surgeStart; t += 2 * DAY) quiet.push(t)
    for (let t = surgeStart + (truth.surge.days + 2) * DAY; quiet.length < 25 && t < firstPlant; t += 2 * DAY) quiet.push(t)
    let steadyAlarms = 0
    let otherAlarms = 0
    for (const t of quiet) {
      const r = await at(t)
      steadyAlarms += r.terms.filter((term) => matches(term, steadyStems)).length
      if (values.verbose && r.terms.length > 0) console.error('quiet', new Date(t).toISOString(), r.terms.map((x) => `${x.label} (${x.score}, ${x.window_days} d)`))
      otherAlarms += r.terms.filter((term) => !matches(term, steadyStems)).length
    }
    // Hot threads: in the top 3 two days after they start.
    const hotTop3 = []
    for (const h of truth.hot) {
      const r = await at(Date.parse(h.start) + 2 * DAY)
      hotTop3.push(r.threads.slice(0, 3).some((t) => t.id === h.id))
    }
    // The command gives the same answer (two moments).
    let cliAgrees = true
    if (values.cli) {
      for (const t of [Date.parse(truth.planted[0]!.start) + 2 * DAY, quiet[0]!]) {
        const iso = new Date(t).toISOString()
        const out = execFileSync('npm', ['run', '--silent', 'trending', '--', '--at', iso, '--json'], {
          cwd: root,
          env: { ...process.env, ...fresh.env },
          encoding: 'utf8',
        })
        const cli = JSON.parse(out) as TrendingResult
        const mine = await at(t)
        if (JSON.stringify(cli.terms.map((x) => [x.stem, x.score])) !== JSON.stringify(mine.terms.map((x) => [x.stem, x.score]))) cliAgrees = false
        if (JSON.stringify(cli.threads.map((x) => x.id)) !== JSON.stringify(mine.threads.map((x) => x.id))) cliAgrees = false
      }
    }
    const delays = recall.filter((r) => r.kind !== 'slow' && r.delay !== undefined).map((r) => r.delay!)
    times.sort((a, b) => a - b)
    return {
      seed,
      posts: summary.post.imported + summary.thread.imported,
      importSeconds: +((t1 - t0) / 1000).toFixed(1),
      indexSeconds: +((t2 - t1) / 1000).toFixed(1),
      recall: +(recall.filter((r) => r.found).length / recall.length).toFixed(2),
      missed: recall.filter((r) => !r.found).map((r) => r.kind),
      precisionAt5: +(precisionSum / Math.max(1, precisionN)).toFixed(3),
      meanDelayDays: +(delays.reduce((a, b) => a + b, 0) / Math.max(1, delays.length)).toFixed(2),
      slowBurnDelayDays: recall.find((r) => r.kind === 'slow')?.delay?.toFixed(1) ?? 'missed',
      floodAlarms: floodAlarms.length,
      steadyAlarms,
      otherAlarmsOnQuietDays: otherAlarms,
      quietDays: quiet.length,
      hotThreadsTop3: `${hotTop3.filter(Boolean).length}/${hotTop3.length}`,
      cliAgrees,
      moments: times.length,
      medianMsPerMoment: Math.round(times[times.length >> 1] ?? 0),
    }
  } finally {
    await fresh.handle.close()
    await fresh.drop()
    rmSync(dir, { recursive: true, force: true })
  }
}

for (const seed of values.seed!) console.log(JSON.stringify(await evaluate(seed)))
