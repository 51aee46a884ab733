import type { AppDeps } from '../../app.ts'
import type { Job } from '../jobs/jobs.service.ts'
import { indexAndSnapshot } from './trends.service.ts'
import { runWatchlistRound } from './watchlist.service.ts'

/**
 * Scheduled job (src/jobs.ts): re-derives the municipality-days that new, edited, deleted or hidden
 * posts marked, then stores the trends as of now, so the dashboard's first view neither pays for a
 * day's posts nor computes the trends.
 */
export const trendIndexJob = {
  name: 'trends.index',
  everyMs: 5 * 60_000,
  async run(deps: Pick<AppDeps, 'db'>, now: Date): Promise<void> {
    await indexAndSnapshot(deps.db, now)
  },
} satisfies Job

/**
 * Scheduled job (src/jobs.ts), listed after the index job: checks the watchlist against the trends
 * as of now and mails the staff once per rise of a watched term (see runWatchlistRound).
 */
export const watchlistJob = {
  name: 'trends.watchlist',
  everyMs: 10 * 60_000,
  leaseMs: 30 * 60_000,
  async run(deps: Pick<AppDeps, 'db' | 'config' | 'mailer'>, now: Date): Promise<void> {
    await runWatchlistRound(deps, now)
  },
} satisfies Job
