import type { AppDeps } from '../../app.ts'
import { addMs, DAY, HOUR } from '../../lib/clock.ts'
import {
  deleteDeadInvitations,
  deleteDeadPasswordResets,
  deleteExpiredExports,
  deleteOldThrottleRows,
  forgetSessionIps,
} from './privacy.queries.ts'

export const RETENTION_JOB = 'privacy-retention'

/** Invitations that can no longer be accepted stay this long (so a contact person sees "abgelaufen"), then go. */
export const DEAD_INVITATION_DAYS = 30
/** The login throttle forgets failures after a day (auth/throttle.ts); rows older than that count for nothing. */
const THROTTLE_FORGET_MS = 24 * HOUR

/**
 * What the privacy notice promises about storage periods, done once an hour: IP addresses go after
 * IP_RETENTION_DAYS, dead invitations, reset links and expired exports are deleted.
 */
export async function runRetention({ db, config }: Pick<AppDeps, 'db' | 'config'>, now: Date) {
  const ipCutoff = addMs(now, -config.ipRetentionDays * DAY)
  await forgetSessionIps(db, ipCutoff)
  await deleteOldThrottleRows(db, ipCutoff, addMs(now, -THROTTLE_FORGET_MS))
  await deleteDeadInvitations(db, addMs(now, -DEAD_INVITATION_DAYS * DAY))
  await deleteDeadPasswordResets(db, now)
  await deleteExpiredExports(db, now)
}
