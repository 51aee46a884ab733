import { describe, expect, it } from 'vitest'
import { detectThemes, EvidenceStore, logLikelihood, rankThreads } from '../../../src/features/trends/trends.engine.ts'

// The computation on evidence held in memory, on small histories made for each case.

function rng(seed: number) {
  let a = seed
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0
    return a / 4294967296
  }
}

const MUNICIPALITIES = 60
const districtOf = (m: number) => `Kreis ${m % 10}`
const TODAY = 250

/** 250 days of steady talk: each municipality uses a few of 40 steady stems on most days. */
function history(options: { surgeFrom?: number; surgeFactor?: number } = {}) {
  const random = rng(7)
  const store = new EvidenceStore()
  for (let day = 0; day <= TODAY; day++) {
    const factor = options.surgeFrom !== undefined && day >= options.surgeFrom ? (options.surgeFactor ?? 3) : 1
    for (let m = 0; m < MUNICIPALITIES; m++) {
      if (random() > 0.25 * factor) continue
      const used = new Set<number>()
      for (let k = 0; k < 4; k++) used.add(Math.floor(random() * random() * 40))
      for (const s of used) store.add(`steady${s}`, { day, municipality: m, posts: 1 })
    }
  }
  return store
}

function plant(store: EvidenceStore, stem: string, days: number[], municipalities: number[]) {
  for (const [i, m] of municipalities.entries()) store.add(stem, { day: days[i % days.length]!, municipality: m, posts: 2 })
}

const leads = (store: EvidenceStore, today = TODAY) => {
  store.seal()
  return detectThemes(store, today, (m) => districtOf(m)).map((t) => t.lead.stem)
}

describe('trend engine', () => {
  it('G² is zero without a difference and grows with the rise', () => {
    expect(logLikelihood(10, 1000, 100, 10_000)).toBeCloseTo(0, 6)
    expect(logLikelihood(30, 1000, 100, 10_000)).toBeGreaterThan(logLikelihood(20, 1000, 100, 10_000))
  })

  it('a broad rise trends; steady words do not', () => {
    const store = history()
    plant(store, 'wasserschaden', [248, 249, 250], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    const found = leads(store)
    expect(found).toContain('wasserschaden')
    expect(found.filter((s) => s.startsWith('steady'))).toEqual([])
  })

  it('one municipality flooding a word never trends', () => {
    const store = history()
    for (let day = 235; day <= TODAY; day++) store.add('kanalsanierung', { day, municipality: 3, posts: 20 })
    expect(leads(store)).not.toContain('kanalsanierung')
  })

  it('a general surge does not make steady words trend', () => {
    const store = history({ surgeFrom: 240, surgeFactor: 3 })
    expect(leads(store)).toEqual([])
  })

  it('below breadth nothing trends: too few municipalities, or all in one district', () => {
    const store = history()
    plant(store, 'schmal', [249, 250], [1, 2, 3])
    plant(store, 'einkreis', [248, 249, 250], [0, 10, 20, 30, 40, 50])
    const found = leads(store)
    expect(found).not.toContain('schmal')
    expect(found).not.toContain('einkreis')
  })

  it('a word long in use with the same breadth does not trend', () => {
    const store = history()
    for (let day = 0; day <= TODAY; day += 2) plant(store, 'alltag', [day], [day % 60, (day + 7) % 60])
    plant(store, 'alltag', [249, 250], [1, 2, 3, 4])
    expect(leads(store)).not.toContain('alltag')
  })

  it('a slow burn, one or two municipalities a week, trends within four weeks', () => {
    const store = history()
    const joined: number[] = []
    for (let week = 0; week < 4; week++) {
      joined.push(5 + week * 2, 6 + week * 2)
      for (const m of joined) store.add('legionellen', { day: 222 + week * 7 + (m % 7), municipality: m, posts: 1 })
    }
    const themes = detectThemes((store.seal(), store), TODAY, districtOf)
    const theme = themes.find((t) => t.lead.stem === 'legionellen')
    expect(theme).toBeDefined()
    expect(theme!.lead.window).toBeGreaterThanOrEqual(14)
  })

  it('words used together by the same municipalities on the same days form one theme', () => {
    const store = history()
    const who = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    plant(store, 'schimmel', [249, 250], who)
    plant(store, 'gutacht', [249, 250], who.slice(0, 8))
    const themes = detectThemes((store.seal(), store), TODAY, districtOf)
    const theme = themes.find((t) => t.members.some((m) => m.stem === 'schimmel'))!
    expect(theme.members.map((m) => m.stem).sort()).toEqual(['gutacht', 'schimmel'])
  })

  it('only what happened up to the day asked for counts', () => {
    const store = history()
    plant(store, 'spaet', [250], [1, 2, 3, 4, 5, 6, 7, 8])
    store.seal()
    expect(detectThemes(store, 249, districtOf).map((t) => t.lead.stem)).not.toContain('spaet')
  })

  it('threads rank by distinct municipalities taking part recently, not by replies', () => {
    const at = new Date('2026-03-10T12:00:00Z')
    const hours = (h: number) => new Date(at.getTime() - h * 3_600_000)
    const broad = Array.from({ length: 8 }, (_, i) => ({ thread_id: 1, municipality_id: i + 1, last_at: hours(10 + i) }))
    const stale = Array.from({ length: 8 }, (_, i) => ({ thread_id: 2, municipality_id: i + 1, last_at: hours(24 * 12 + i) }))
    const loud = [{ thread_id: 3, municipality_id: 1, last_at: hours(1) }]
    const ranked = rankThreads([...broad, ...stale, ...loud], at)
    expect(ranked.map((r) => r.threadId)).toEqual([1])
  })
})
