import { describe, expect, it } from 'vitest'
import { formatDate, isoDate } from '../../src/lib/handlebars-helpers.ts'

describe('date helpers', () => {
  it('print the same instant the same way on every call, in Berlin time for people and UTC for machines', () => {
    const winter = new Date('2026-01-15T23:30:00Z')
    const summer = new Date('2026-07-15T23:30:00Z')
    for (let i = 0; i < 2; i++) {
      expect(isoDate(winter)).toBe('2026-01-15T23:30:00.000Z')
      expect(isoDate(new Date(summer.getTime()))).toBe('2026-07-15T23:30:00.000Z')
      expect(formatDate(winter, 'de')).toBe('16.01.2026, 00:30')
      expect(formatDate(summer, 'de')).toBe('16.07.2026, 01:30')
      expect(formatDate(summer, 'de', 'date')).toBe('16.07.2026')
    }
  })

  it('print nothing for what is not a valid date', () => {
    expect(isoDate(new Date('kein Datum'))).toBe('')
    expect(isoDate('2026-01-15')).toBe('')
    expect(isoDate(undefined)).toBe('')
    expect(formatDate('kein Datum', 'de')).toBe('')
  })
})
