import type { FastifyBaseLogger } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { MINUTE } from '../../lib/clock.ts'
import { claimDueJob, ensureJobRows, finishJob } from './jobs.queries.ts'

/** A periodic task. `run` must be safe to repeat: a crash mid-run means it runs again next time. */
export type Job = {
  name: string
  everyMs: number
  /** How long a claim holds before another instance may take over a job whose runner died. */
  leaseMs?: number
  run(deps: AppDeps, now: Date): Promise<void>
}

export type JobOutcome = { name: string; error: string | null }

/**
 * Runs every job that is due, each claimed first, so N app instances (or a CLI beside them) never run
 * the same job at once. State lives in Postgres; instances stay stateless.
 */
export async function runDueJobs(deps: AppDeps, jobs: Job[], log?: FastifyBaseLogger): Promise<JobOutcome[]> {
  await ensureJobRows(deps.db, jobs.map((j) => j.name))
  const outcomes: JobOutcome[] = []
  for (const job of jobs) {
    const now = deps.clock.now()
    const dueBefore = new Date(now.getTime() - job.everyMs)
    const leaseUntil = new Date(now.getTime() + (job.leaseMs ?? 10 * MINUTE))
    const claimed = await claimDueJob(deps.db, job.name, now, dueBefore, leaseUntil)
    if (!claimed) continue
    let error: string | null = null
    try {
      await job.run(deps, now)
    } catch (err) {
      error = err instanceof Error ? err.message : String(err)
      log?.error({ err, job: job.name }, 'scheduled job failed')
    }
    await finishJob(deps.db, job.name, deps.clock.now(), error)
    outcomes.push({ name: job.name, error })
  }
  return outcomes
}

/** Ticks every `tickMs` until stopped; stop() waits for a running round to end. */
export function startScheduler(deps: AppDeps, jobs: Job[], options: { tickMs: number; log?: FastifyBaseLogger }) {
  let running: Promise<unknown> = Promise.resolve()
  let stopped = false
  const tick = () => {
    if (stopped) return
    running = runDueJobs(deps, jobs, options.log).catch((err: unknown) => options.log?.error({ err }, 'scheduler round failed'))
  }
  const timer = setInterval(tick, options.tickMs)
  timer.unref()
  tick()
  return {
    async stop() {
      stopped = true
      clearInterval(timer)
      await running
    },
  }
}
