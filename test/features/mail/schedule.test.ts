import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { saveMailSettings, defaultMailSettings } from '../../../src/features/mail/mail.queries.ts'
import { berlinTime, latestDigestSlot } from '../../../src/features/mail/schedule.ts'
import { DAY, HOUR, MINUTE } from '../../../src/lib/clock.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, type TestApp } from '../../helpers/app.ts'
import { buildThread } from '../../factories.ts'
import { digestRound, digestsTo } from './helpers.ts'

const berlinClock = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', minute: '2-digit' })

describe('when a digest is due (Europe/Berlin)', () => {
  it('weekly on Monday at the chosen hour; before it, last week', () => {
    expect(latestDigestSlot(new Date('2026-03-02T08:00:00Z'), 'weekly', 7)).toEqual({
      periodKey: 'weekly:2026-03-02',
      dueAt: new Date('2026-03-02T06:00:00Z'),
      previousDueAt: new Date('2026-02-23T06:00:00Z'),
    })
    expect(latestDigestSlot(new Date('2026-03-02T05:59:59Z'), 'weekly', 7).periodKey).toBe('weekly:2026-02-23')
    expect(latestDigestSlot(new Date('2026-03-08T20:00:00Z'), 'weekly', 7).periodKey).toBe('weekly:2026-03-02')
  })

  it('daily at 7:00 local time on both sides of the summer-time changes', () => {
    expect(latestDigestSlot(new Date('2026-03-28T12:00:00Z'), 'daily', 7).dueAt).toEqual(new Date('2026-03-28T06:00:00Z'))
    expect(latestDigestSlot(new Date('2026-03-29T12:00:00Z'), 'daily', 7)).toEqual({
      periodKey: 'daily:2026-03-29',
      dueAt: new Date('2026-03-29T05:00:00Z'),
      previousDueAt: new Date('2026-03-28T06:00:00Z'),
    })
    expect(latestDigestSlot(new Date('2026-10-25T12:00:00Z'), 'daily', 7).dueAt).toEqual(new Date('2026-10-25T06:00:00Z'))
    expect(latestDigestSlot(new Date('2026-10-24T12:00:00Z'), 'daily', 7).dueAt).toEqual(new Date('2026-10-24T05:00:00Z'))
    // 2:00 does not exist on 29 March: the digest comes at 3:00 summer time.
    expect(berlinTime({ y: 2026, m: 3, d: 29 }, 2)).toEqual(new Date('2026-03-29T01:00:00Z'))
    // Midnight belongs to the new day.
    expect(latestDigestSlot(new Date('2026-03-02T23:30:00Z'), 'daily', 0).periodKey).toBe('daily:2026-03-03')
  })
})

describe('weeks of digests with the clock moving', () => {
  let t: TestApp
  let author: Awaited<ReturnType<typeof buildUser>>
  let daily: Awaited<ReturnType<typeof buildUser>>
  let weekly: Awaited<ReturnType<typeof buildUser>>
  const arrivals = new Map<string, string[]>()

  beforeAll(async () => {
    t = await createTestApp()
    author = await buildUser(t.db, { name: 'Fragende Person' })
    daily = await buildUser(t.db, { name: 'Tägliche Leserin' })
    weekly = await buildUser(t.db, { name: 'Wöchentlicher Leser' })
    await saveMailSettings(t.db, author.id, { ...defaultMailSettings, digest: 'off' }, t.clock.now())
    await saveMailSettings(t.db, daily.id, { ...defaultMailSettings, digest: 'daily' }, t.clock.now())
  })
  afterAll(async () => {
    await t?.close()
  })

  /** A round, noting for each reader the Berlin time at which a digest arrived. */
  async function round() {
    const before = { daily: digestsTo(t, daily.email).length, weekly: digestsTo(t, weekly.email).length }
    await digestRound(t)
    for (const [who, email] of [['daily', daily.email], ['weekly', weekly.email]] as const) {
      const now = digestsTo(t, email).length
      expect(now - before[who]).toBeLessThanOrEqual(1)
      if (now > before[who]) arrivals.set(who, [...(arrivals.get(who) ?? []), berlinClock.format(t.clock.now())])
    }
  }

  const question = (at: Date) => buildThread(t.db, { author, title: `Frage vom ${at.toISOString().slice(0, 10)}`, at })

  it('six weeks across the change to summer time: one daily digest a day and one weekly on Mondays, each at 7:00', async () => {
    const start = new Date('2026-03-02T00:00:00Z')
    for (let day = 0; day < 42; day++) {
      const midnight = start.getTime() + day * DAY
      // Rounds every half hour around 7:00 Berlin (6:00 UTC in winter, 5:00 UTC in summer), and one in the afternoon.
      for (const minutes of [240, 270, 300, 330, 360, 390]) {
        t.clock.set(new Date(midnight + minutes * MINUTE))
        await round()
      }
      await question(new Date(midnight + 12 * HOUR))
      t.clock.set(new Date(midnight + 12 * HOUR + 30 * MINUTE))
      await round()
    }
    // Daily: from 3 March (the first day after a question) to 12 April; weekly: the Mondays 9 March to 6 April.
    expect(arrivals.get('daily')).toHaveLength(41)
    expect(new Set(arrivals.get('daily')!.map((a) => a.slice(-5)))).toEqual(new Set(['07:00']))
    expect(arrivals.get('weekly')).toEqual(Array(5).fill('Mo., 07:00'))
    const mails = digestsTo(t, daily.email)
    // Each daily digest brings exactly the day before's question; the one after the change too.
    const afterChange = mails.find((m) => m.text!.includes('Frage vom 2026-03-29'))!
    expect(afterChange.text!.match(/Frage vom/g)).toHaveLength(1)
    expect(mails.every((m) => m.text!.match(/Frage vom/g)?.length === 1)).toBe(true)
    const weeklyMails = digestsTo(t, weekly.email)
    expect(weeklyMails.at(-1)!.text!.match(/Frage vom/g)).toHaveLength(7)
  })

  it('after a week of downtime: one digest each, covering the whole gap, and nothing more', async () => {
    const down = new Date('2026-04-12T13:00:00Z')
    for (let day = 0; day < 8; day++) await question(new Date(down.getTime() + day * DAY))
    const counts = { daily: digestsTo(t, daily.email).length, weekly: digestsTo(t, weekly.email).length }
    t.clock.set('2026-04-20T09:00:00Z')
    await round()
    await round()
    expect(digestsTo(t, daily.email).length - counts.daily).toBe(1)
    expect(digestsTo(t, weekly.email).length - counts.weekly).toBe(1)
    const catchUp = digestsTo(t, daily.email).at(-1)!
    // Everything since the last daily digest (12 April, 7:00) up to 20 April, 7:00: 12 April's and the seven after.
    expect(catchUp.text).toContain('Frage vom 2026-04-12')
    expect(catchUp.text).toContain('Frage vom 2026-04-19')
    expect(catchUp.text).not.toContain('Frage vom 2026-04-20')
  })
})
