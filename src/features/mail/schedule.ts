import type { DigestFrequency } from './mail.table.ts'

// Digests arrive at a local hour in Europe/Berlin, whatever the server's zone; weekly ones on Monday.
const ZONE = 'Europe/Berlin'
const parts = new Intl.DateTimeFormat('en-GB', {
  timeZone: ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
})

type LocalDate = { y: number; m: number; d: number }

function localParts(at: Date) {
  const p = Object.fromEntries(parts.formatToParts(at).map((x) => [x.type, Number(x.value)])) as Record<string, number>
  return { y: p.year!, m: p.month!, d: p.day!, h: p.hour!, min: p.minute!, s: p.second! }
}

/** How far Berlin's wall clock is ahead of UTC at that instant. */
function offsetMs(at: Date): number {
  const p = localParts(at)
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(at.getTime() / 1000) * 1000
}

/** The instant the Berlin clock shows `hour`:00 on that day (an hour skipped by DST lands an hour later). */
export function berlinTime(date: LocalDate, hour: number): Date {
  const wall = Date.UTC(date.y, date.m - 1, date.d, hour)
  const first = wall - offsetMs(new Date(wall))
  return new Date(wall - offsetMs(new Date(first)))
}

function shift(date: LocalDate, days: number): LocalDate {
  const d = new Date(Date.UTC(date.y, date.m - 1, date.d + days))
  return { y: d.getUTCFullYear(), m: d.getUTCMonth() + 1, d: d.getUTCDate() }
}

const isMonday = (date: LocalDate) => new Date(Date.UTC(date.y, date.m - 1, date.d)).getUTCDay() === 1
const iso = (date: LocalDate) => `${date.y}-${String(date.m).padStart(2, '0')}-${String(date.d).padStart(2, '0')}`

export type DigestSlot = {
  /** Unique per person and period: `daily:2026-03-02`, `weekly:2026-03-02` (the Monday). */
  periodKey: string
  /** When this period's digest was due. */
  dueAt: Date
  /** When the period before was due: where the content starts if no earlier digest exists. */
  previousDueAt: Date
}

/**
 * The latest digest that is due at `now` (never a future one). Only the latest counts: after days of
 * downtime there is one digest, not one per missed period.
 */
export function latestDigestSlot(now: Date, frequency: Exclude<DigestFrequency, 'off'>, hour: number): DigestSlot {
  const today = localParts(now)
  let date: LocalDate = { y: today.y, m: today.m, d: today.d }
  for (let i = 0; i < 15; i++) {
    if (frequency === 'daily' || isMonday(date)) {
      const dueAt = berlinTime(date, hour)
      if (dueAt.getTime() <= now.getTime()) {
        const step = frequency === 'daily' ? 1 : 7
        return { periodKey: `${frequency}:${iso(date)}`, dueAt, previousDueAt: berlinTime(shift(date, -step), hour) }
      }
    }
    date = shift(date, -1)
  }
  throw new Error('no digest slot found')
}
