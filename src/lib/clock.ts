/** Time comes from here, so tests can travel. */
export type Clock = { now(): Date }

export const systemClock: Clock = { now: () => new Date() }

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR

export function addMs(date: Date, ms: number): Date {
  return new Date(date.getTime() + ms)
}
