import { describe, expect, it } from 'vitest'
import { readEvery } from '../../src/lib/read-every.ts'

function fakeClock() {
  let now = Date.parse('2026-03-01T10:00:00Z')
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) }
}

describe('readEvery', () => {
  it('keeps an answer for its time, then reads again', async () => {
    const clock = fakeClock()
    let reads = 0
    const read = readEvery(60_000, clock, async () => ++reads)
    expect(await read()).toBe(1)
    clock.advance(59_999)
    expect(await read()).toBe(1)
    clock.advance(1)
    expect(await read()).toBe(2)
  })

  it('lets concurrent callers share one read', async () => {
    const clock = fakeClock()
    let reads = 0
    const read = readEvery(60_000, clock, async () => {
      reads++
      await new Promise((resolve) => setTimeout(resolve, 5))
      return 'Landkreise'
    })
    expect(await Promise.all([read(), read(), read()])).toEqual(['Landkreise', 'Landkreise', 'Landkreise'])
    expect(reads).toBe(1)
  })

  it('does not keep a failed read: the next call tries again', async () => {
    const clock = fakeClock()
    let reads = 0
    const read = readEvery(60_000, clock, async () => {
      if (++reads === 1) throw new Error('database unavailable')
      return 'ok'
    })
    await expect(read()).rejects.toThrow('database unavailable')
    expect(await read()).toBe('ok')
    expect(reads).toBe(2)
  })
})
