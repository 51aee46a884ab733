import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DELIVERY_LEASE_MS } from '../../../src/features/mail/digest.service.ts'
import { findMailSettings } from '../../../src/features/mail/mail.queries.ts'
import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import { watchlistJob } from '../../../src/features/trends/trends.job.ts'
import { addWatchTerm, detectRises, QUIET_ENDS_RISE_MS, runWatchlistRound } from '../../../src/features/trends/watchlist.service.ts'
import { endRise } from '../../../src/features/trends/watchlist.queries.ts'
import { trendingAsOf } from '../../../src/features/trends/trends.service.ts'
import { stemsOf } from '../../../src/features/trends/trends.text.ts'
import { jobs } from '../../../src/jobs.ts'
import { HOUR, MINUTE } from '../../../src/lib/clock.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, type TestApp } from '../../helpers/app.ts'
import { headerLine, urlsIn } from '../mail/helpers.ts'
import { dayAt, history } from './history.ts'
import { findStem } from './stem.ts'

// The watchlist job against a planted history: "Stromsperre" rises on day 196, is long quiet by day
// 245 and rises again on day 260; the background topics (Kita, …) never trend.

let t: TestApp
type User = Awaited<ReturnType<typeof buildUser>>
let recipients: User[]
let others: User[]

const stromsperre = { title: 'Stromsperre droht', body: 'Mehrere Familien haben eine Stromsperre angekündigt; Stromschulden beim Versorger.' }
const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]

beforeAll(async () => {
  t = await createTestApp()
  const lines = history(
    [
      { day: 196, municipalities: ten, ...stromsperre },
      { day: 260, municipalities: ten, ...stromsperre },
    ],
    280,
  )
  await importInterchange(t.db, lines, t.clock.now(), () => {})
  recipients = [
    await buildUser(t.db, { role: 'staff', name: 'Stefanie Stab' }),
    await buildUser(t.db, { role: 'staff', name: 'Sam Staff', locale: 'en' }),
    await buildUser(t.db, { role: 'admin', name: 'Ada Admin' }),
  ]
  others = [
    await buildUser(t.db, { role: 'member', name: 'Mia Mitglied' }),
    await buildUser(t.db, { role: 'municipality_admin', name: 'Karl Kontakt' }),
    await buildUser(t.db, { role: 'staff', name: 'Ina Inaktiv', active: false }),
  ]
  const creator = recipients[0]!
  for (const term of ['Stromsperren', 'Kita']) {
    await addWatchTerm(t.db, { term, stems: [...stemsOf(term).keys()], userId: creator.id, now: dayAt(190) })
  }
})
afterAll(() => t?.close())

const deps = () => ({ db: t.db, config: t.config, mailer: t.app.deps.mailer })
const round = () => runWatchlistRound(deps(), t.clock.now())
const alertsTo = (user: User) => t.smtp.to(user.email).filter((m) => /Kommunalforum.?Trend/i.test(m.subject ?? ''))
const counts = () => recipients.map(alertsTo).map((m) => m.length)
const noneToOthers = () => expect(others.map(alertsTo).map((m) => m.length)).toEqual([0, 0, 0])
const termState = (term: string) =>
  t.db.selectFrom('trend_watch_terms').select(['rising_since', 'quiet_since', 'last_alert_at']).where('term', '=', term).executeTakeFirstOrThrow()

describe('watchlist job', () => {
  it('is scheduled right after the trend index', () => {
    const names = jobs.map((j) => j.name)
    expect(names.indexOf(watchlistJob.name)).toBe(names.indexOf('trends.index') + 1)
    expect(watchlistJob.everyMs).toBeGreaterThanOrEqual(5 * MINUTE)
    expect(watchlistJob.everyMs).toBeLessThanOrEqual(15 * MINUTE)
  })

  it('sends nothing while no watched term trends', async () => {
    t.clock.set(dayAt(195, 12))
    const report = await round()
    expect(report.rises).toBe(0)
    expect(counts()).toEqual([0, 0, 0])
  })

  it('mails every active staff member and admin once when a watched term rises, with the theme, its breadth and the drill-down', async () => {
    t.clock.set(dayAt(197, 12))
    const report = await round()
    expect(report).toMatchObject({ rises: 1, sent: 3, failed: 0 })
    expect(counts()).toEqual([1, 1, 1])
    noneToOthers()

    const [mail] = alertsTo(recipients[0]!)
    expect(mail!.subject).toBe('Kommunalforum-Trend: „Stromsperren“ steigt an')
    expect(mail!.text).toContain('Guten Tag Stefanie Stab,')
    expect(mail!.text).toMatch(/Thema: .*Strom/)
    expect(mail!.text).toContain('10 Kommunen in 6 Landkreisen')
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated')
    // RFC 8058 one-click unsubscribe, its URL an opaque token (no address, no id), also in both bodies.
    const unsubscribe = urlsIn(mail!).find((u) => u.includes('/unsubscribe/'))!
    expect(unsubscribe).toMatch(new RegExp(`^${t.config.baseUrl}/unsubscribe/[A-Za-z0-9_-]{22,}$`))
    expect(headerLine(mail!, 'List-Unsubscribe')).toBe(`List-Unsubscribe: <${unsubscribe}>`)
    expect(headerLine(mail!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    expect(headerLine(mail!, 'List-Id')).toMatch(/^List-Id: Kommunalforum Beobachtungsliste <watchlist\.forum\.test>$/i)
    expect(mail!.html).toContain(`href="${unsubscribe}"`)
    expect(mail!.text).toContain(`Diese E-Mails abbestellen: ${unsubscribe}`)
    expect(urlsIn(mail!)).toContain(`${t.config.baseUrl}/account/mail`)
    const drill = urlsIn(mail!).find((u) => u.includes('/dashboard/terms/'))!
    expect(drill).toMatch(new RegExp(`^${t.config.baseUrl}/dashboard/terms/[a-zäöüß]+$`))
    expect(mail!.html).toContain(`href="${drill}"`)
    expect(urlsIn(mail!)).toContain(`${t.config.baseUrl}/dashboard/watchlist`)
    // The link is the drill-down of the theme the watched word is part of (the page test opens it).
    const { terms } = await trendingAsOf(t.db, t.clock.now(), t.clock.now())
    const theme = terms.find((x) => x.stems.includes(findStem('Stromsperre')))!
    expect(drill).toBe(`${t.config.baseUrl}/dashboard/terms/${theme.stem}`)

    const [english] = alertsTo(recipients[1]!)
    expect(english!.subject).toBe('Kommunalforum trend: “Stromsperren” is rising')
    expect(english!.text).toContain('10 municipalities in 6 districts')

    const state = await termState('Stromsperren')
    expect(state.rising_since).toEqual(dayAt(197, 12))
    expect(state.last_alert_at).toEqual(dayAt(197, 12))
  })

  it('sends nothing more while the term stays significant, round after round and day after day', async () => {
    for (const at of [dayAt(197, 12).getTime() + 10 * MINUTE, dayAt(198, 9).getTime(), dayAt(205, 15).getTime()]) {
      t.clock.set(new Date(at))
      const report = await round()
      expect(report.rises).toBe(0)
      expect(report.sent).toBe(0)
    }
    expect(counts()).toEqual([1, 1, 1])
    // Out of the trends for a round and back within the hysteresis: still the same rise.
    await t.db.updateTable('trend_watch_terms').set({ quiet_since: new Date(t.clock.now().getTime() - HOUR) }).where('term', '=', 'Stromsperren').execute()
    expect(await round()).toMatchObject({ rises: 0, sent: 0 })
    expect(await termState('Stromsperren')).toMatchObject({ quiet_since: null, rising_since: dayAt(197, 12) })
    expect(counts()).toEqual([1, 1, 1])
  })

  it('a rise ends only after the term was out of the trends for a while (hysteresis)', async () => {
    t.clock.set(dayAt(245, 12))
    await round()
    expect(await termState('Stromsperren')).toMatchObject({ quiet_since: dayAt(245, 12) })
    expect((await termState('Stromsperren')).rising_since).not.toBeNull()
    t.clock.set(new Date(dayAt(245, 12).getTime() + QUIET_ENDS_RISE_MS - MINUTE))
    await round()
    expect((await termState('Stromsperren')).rising_since).not.toBeNull()
    t.clock.set(new Date(dayAt(245, 12).getTime() + QUIET_ENDS_RISE_MS))
    const report = await round()
    expect(report.ended).toBe(1)
    expect(await termState('Stromsperren')).toMatchObject({ rising_since: null, quiet_since: null })
    expect(counts()).toEqual([1, 1, 1])
  })

  it('mails again, once, when the term rises anew, even if the round dies between claiming and sending', async () => {
    t.clock.set(dayAt(261, 12))
    // The first round dies right after it claimed the mails (the transaction that marks the rise).
    const report = { rises: 0, ended: 0, claimed: 0, sent: 0, failed: 0 }
    const claimed = await detectRises(deps(), t.clock.now(), report)
    expect(claimed).toHaveLength(3)
    expect(counts()).toEqual([1, 1, 1])

    // While the claim's lease holds, another round leaves the mails to their (presumed living) owner.
    t.clock.advance(10 * MINUTE)
    expect(await round()).toMatchObject({ rises: 0, sent: 0 })
    expect(counts()).toEqual([1, 1, 1])

    // After the lease the next round takes them over and sends each exactly once.
    t.clock.set(new Date(dayAt(261, 12).getTime() + DELIVERY_LEASE_MS + MINUTE))
    expect(await round()).toMatchObject({ rises: 0, sent: 3 })
    expect(counts()).toEqual([2, 2, 2])
    noneToOthers()
    // The retried mail is the one that was claimed: same Message-ID as recorded.
    const delivery = await t.db.selectFrom('digest_deliveries').select(['message_id', 'status']).where('user_id', '=', recipients[0]!.id).where('kind', '=', 'watchlist').orderBy('id', 'desc').executeTakeFirstOrThrow()
    expect(delivery.status).toBe('sent')
    expect(alertsTo(recipients[0]!).at(-1)!.messageId).toBe(delivery.message_id)

    t.clock.advance(HOUR)
    expect(await round()).toMatchObject({ rises: 0, sent: 0 })
    expect(counts()).toEqual([2, 2, 2])
  })

  it('a failed send is retried later and reaches the person once', async () => {
    // A fresh rise of a new term, with an SMTP server that refuses the first attempt for one person.
    t.clock.set(dayAt(261, 18))
    await addWatchTerm(t.db, { term: 'Stromschulden', stems: [...stemsOf('Stromschulden').keys()], userId: recipients[0]!.id, now: t.clock.now() })
    const refused = recipients[2]!.email
    const mailer = { ...t.app.deps.mailer, send: async (m: { to: string }) => (m.to === refused ? Promise.reject(new Error('421 try later')) : t.app.deps.mailer.send(m as never)) }
    const first = await runWatchlistRound({ ...deps(), mailer }, t.clock.now())
    expect(first).toMatchObject({ rises: 1, sent: 2, failed: 1 })
    expect(counts()).toEqual([3, 3, 2])
    t.clock.advance(10 * MINUTE)
    expect(await round()).toMatchObject({ rises: 0, sent: 1 })
    expect(counts()).toEqual([3, 3, 3])
    t.clock.advance(10 * MINUTE)
    expect(await round()).toMatchObject({ sent: 0 })
    expect(counts()).toEqual([3, 3, 3])
  })

  it('one-click unsubscribe (no session) switches one person\'s alerts off: the next rise reaches only the others', async () => {
    const [, leaver] = recipients
    const url = new URL(urlsIn(alertsTo(leaver!).at(-1)!).find((u) => u.includes('/unsubscribe/'))!)
    const anonymous = supertest(t.app.server)
    // GET only asks (mail scanners prefetch links), in the recipient's language.
    const question = await anonymous.get(url.pathname)
    expect(question.status).toBe(200)
    expect(question.text).toContain('Do you want to stop the emails sent when a watched term rises?')
    expect((await findMailSettings(t.db, leaver!.id)).watchlist_alerts).toBe(true)
    // The mail client's POST: no cookie, no CSRF token, a foreign Origin; idempotent.
    for (let i = 0; i < 2; i++) {
      const done = await anonymous.post(url.pathname).set('Origin', 'https://mail.example').type('form').send('List-Unsubscribe=One-Click')
      expect(done.status).toBe(200)
      expect(done.text).toContain('You will no longer receive emails when a watched term rises.')
    }
    expect(await findMailSettings(t.db, leaver!.id)).toMatchObject({ watchlist_alerts: false, digest: 'weekly', notify_reply: true })

    // The rise of "Stromsperren" ends (as after the hysteresis) and it trends anew: a new rise.
    t.clock.advance(HOUR)
    await endRise(t.db, (await t.db.selectFrom('trend_watch_terms').select('id').where('term', '=', 'Stromsperren').executeTakeFirstOrThrow()).id)
    expect(await round()).toMatchObject({ rises: 1, sent: 2, failed: 0 })
    expect(counts()).toEqual([4, 3, 4])
    noneToOthers()
    const claimedFor = await t.db.selectFrom('digest_deliveries').select('user_id').where('kind', '=', 'watchlist').where('created_at', '=', t.clock.now()).execute()
    expect(claimedFor.map((d) => d.user_id).sort((a, b) => a - b)).toEqual([recipients[0]!.id, recipients[2]!.id].sort((a, b) => a - b))
  })

  it('a watched term that never trends sends nothing', async () => {
    const kita = await termState('Kita')
    expect(kita).toEqual({ rising_since: null, quiet_since: null, last_alert_at: null })
    for (const user of recipients) expect(alertsTo(user).some((m) => /Kita/.test(m.subject ?? ''))).toBe(false)
  })
})
