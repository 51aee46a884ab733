import type { Clock } from './clock.ts'

/**
 * A read whose answer is kept for `ttlMs` and then read again on the next call: for lists that change a
 * few times a year but that a page would otherwise read on every view (forums, districts, municipalities).
 * Concurrent calls share one read; a failed read is not kept, so the next call tries again.
 */
export function readEvery<T>(ttlMs: number, clock: Clock, read: () => Promise<T>): () => Promise<T> {
  let kept: { at: number; answer: Promise<T> } | undefined
  return () => {
    const now = clock.now().getTime()
    if (!kept || now - kept.at >= ttlMs) {
      const answer = read()
      kept = { at: now, answer }
      answer.catch(() => {
        if (kept?.answer === answer) kept = undefined
      })
    }
    return kept.answer
  }
}
