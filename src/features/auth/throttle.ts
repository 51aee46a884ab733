import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { HOUR } from '../../lib/clock.ts'
import { clearThrottle, findThrottle, recordFailure } from './auth.queries.ts'

// Free attempts before delays start (an office shares one IP, so IPs get more); then the delay doubles
// with every failure, capped at 15 minutes.
const FREE_ATTEMPTS = { account: 5, ip: 20 }
const MAX_DELAY_MS = 15 * 60_000
const FORGET_AFTER_MS = 24 * HOUR

export function delayAfter(failures: number, free: number): number {
  if (failures < free) return 0
  return Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - free))
}

export function accountThrottleKey(email: string): string {
  return `account:${email.trim().toLowerCase()}`
}

export function throttleKeys(email: string, ip: string): string[] {
  return [accountThrottleKey(email), `ip:${ip}`]
}

/** Seconds the caller must still wait (0: go ahead). Growing delays, never a hard lockout. */
export async function retryAfterSeconds(db: Kysely<Database>, keys: string[], now: Date): Promise<number> {
  let waitMs = 0
  for (const row of await findThrottle(db, keys)) {
    if (now.getTime() - row.last_failure_at.getTime() > FORGET_AFTER_MS) continue
    const free = row.key.startsWith('ip:') ? FREE_ATTEMPTS.ip : FREE_ATTEMPTS.account
    const until = row.last_failure_at.getTime() + delayAfter(row.failures, free)
    waitMs = Math.max(waitMs, until - now.getTime())
  }
  return Math.ceil(waitMs / 1000)
}

export async function noteFailure(db: Kysely<Database>, keys: string[], now: Date) {
  await recordFailure(db, keys, now, FORGET_AFTER_MS)
}

export async function noteSuccess(db: Kysely<Database>, accountKey: string) {
  await clearThrottle(db, accountKey)
}
