import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppDeps } from '../../../src/app.ts'
import { type Job, runDueJobs } from '../../../src/features/jobs/jobs.service.ts'
import { listJobs } from '../../../src/features/jobs/jobs.queries.ts'
import { jobs as appJobs } from '../../../src/jobs.ts'
import { HOUR, MINUTE } from '../../../src/lib/clock.ts'
import { createTestApp, type TestApp } from '../../helpers/app.ts'

describe('the scheduler', () => {
  let t: TestApp
  let deps: AppDeps
  beforeAll(async () => {
    t = await createTestApp()
    deps = t.app.deps
  })
  afterAll(() => t?.close())

  function countingJob(name: string, everyMs: number, runs: Date[], work?: () => Promise<void>): Job {
    return {
      name,
      everyMs,
      async run(_deps, now) {
        runs.push(now)
        await work?.()
      },
    }
  }

  it('runs a job once per interval, however often it ticks', async () => {
    const runs: Date[] = []
    const job = countingJob('every-10-minutes', 10 * MINUTE, runs)
    await runDueJobs(deps, [job])
    await runDueJobs(deps, [job])
    t.clock.advance(5 * MINUTE)
    await runDueJobs(deps, [job])
    expect(runs).toHaveLength(1)
    t.clock.advance(5 * MINUTE)
    await runDueJobs(deps, [job])
    expect(runs).toHaveLength(2)
    // Down for a day: it runs once when it comes back, not once per missed interval.
    t.clock.advance(24 * HOUR)
    await runDueJobs(deps, [job])
    await runDueJobs(deps, [job])
    expect(runs).toHaveLength(3)
  })

  it('lets only one of several instances run a job at the same time', async () => {
    const runs: Date[] = []
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    const job = countingJob('slow', MINUTE, runs, () => gate)
    const first = runDueJobs(deps, [job])
    // A second instance ticks while the first still works: it must not claim the job.
    await new Promise((r) => setTimeout(r, 50))
    const second = await runDueJobs(deps, [job])
    release()
    await first
    expect(second).toEqual([])
    expect(runs).toHaveLength(1)
  })

  it('takes over a job whose runner died once its lease ran out, and records failures', async () => {
    const runs: Date[] = []
    const failing: Job = { name: 'failing', everyMs: MINUTE, leaseMs: 5 * MINUTE, run: async () => { throw new Error('SMTP nicht erreichbar') } }
    const outcome = await runDueJobs(deps, [failing])
    expect(outcome).toEqual([{ name: 'failing', error: 'SMTP nicht erreichbar' }])
    const row = (await listJobs(t.db)).find((j) => j.name === 'failing')
    expect(row?.last_error).toBe('SMTP nicht erreichbar')
    expect(row?.lease_until).toBeNull()

    // A runner that claimed and then died leaves its lease behind.
    const crashed = countingJob('crashed', MINUTE, runs)
    await t.db.insertInto('scheduled_jobs').values({ name: 'crashed', lease_until: new Date(t.clock.now().getTime() + 5 * MINUTE), last_started_at: t.clock.now() }).execute()
    t.clock.advance(2 * MINUTE)
    await runDueJobs(deps, [crashed])
    expect(runs).toHaveLength(0)
    t.clock.advance(4 * MINUTE)
    await runDueJobs(deps, [crashed])
    expect(runs).toHaveLength(1)
  })

  it('removes expired sessions and rate-limit windows', async () => {
    const now = t.clock.now()
    await t.db.insertInto('sessions').values([
      { sid: 'old', user_id: null, data: '{}', expires_at: new Date(now.getTime() - MINUTE), ip: null, user_agent: null },
      { sid: 'live', user_id: null, data: '{}', expires_at: new Date(now.getTime() + HOUR), ip: null, user_agent: null },
    ]).execute()
    await t.db.insertInto('rate_limits').values([
      { key: 'gone', hits: 3, reset_at: new Date(now.getTime() - MINUTE) },
      { key: 'open', hits: 3, reset_at: new Date(now.getTime() + MINUTE) },
    ]).execute()
    await runDueJobs(deps, appJobs)
    expect((await t.db.selectFrom('sessions').select('sid').where('sid', 'in', ['old', 'live']).execute()).map((r) => r.sid)).toEqual(['live'])
    expect((await t.db.selectFrom('rate_limits').select('key').where('key', 'in', ['gone', 'open']).execute()).map((r) => r.key)).toEqual(['open'])
  })
})
