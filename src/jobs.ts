import { HOUR, MINUTE } from './lib/clock.ts'
import { runDigestRound } from './features/mail/digest.service.ts'
import { runNotificationRound } from './features/mail/notify.service.ts'
import type { Job } from './features/jobs/jobs.service.ts'
import { deleteExpiredRateLimits, deleteExpiredSessions } from './features/sessions/sessions.queries.ts'
import { preparePendingExports } from './features/privacy/export.service.ts'
import { RETENTION_JOB, runRetention } from './features/privacy/retention.service.ts'
import { trendIndexJob, watchlistJob } from './features/trends/trends.job.ts'

/** Every periodic job of the app; server.ts runs them with the scheduler (src/features/jobs). */
export const jobs: Job[] = [
  {
    name: 'expired-sessions',
    everyMs: HOUR,
    async run({ db }, now) {
      await deleteExpiredSessions(db, now)
      await deleteExpiredRateLimits(db, now)
    },
  },
  {
    name: 'mail-digests',
    everyMs: 5 * MINUTE,
    leaseMs: 30 * MINUTE,
    async run(deps, now) {
      await runDigestRound(deps, now)
    },
  },
  {
    name: 'mail-notifications',
    everyMs: MINUTE,
    leaseMs: 15 * MINUTE,
    async run(deps, now) {
      await runNotificationRound(deps, now)
    },
  },
  { name: RETENTION_JOB, everyMs: HOUR, run: (deps, now) => runRetention(deps, now) },
  { name: 'data-exports', everyMs: MINUTE, run: ({ db }, now) => preparePendingExports(db, now) },
  trendIndexJob,
  watchlistJob,
]
