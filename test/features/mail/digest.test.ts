import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config.ts'
import { DELIVERY_LEASE_MS, retryDelayMs } from '../../../src/features/mail/digest.service.ts'
import { deterministicMessageId } from '../../../src/features/mail/mail.headers.ts'
import { claimNewDeliveries, findMailSettings } from '../../../src/features/mail/mail.queries.ts'
import { MINUTE } from '../../../src/lib/clock.ts'
import { createMailer } from '../../../src/plugins/mailer.ts'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'
import { buildReply, buildThread } from '../../factories.ts'
import { digestRound, digestsTo, headerLine, urlsIn } from './helpers.ts'

// The test clock starts on Monday 2 March 2026, 09:00 in Berlin: the weekly digest (Monday 7:00) is due,
// covering 23 February 7:00 to 2 March 7:00.
const IN_WINDOW = new Date('2026-02-27T10:00:00Z')

let t: TestApp
let reader: Awaited<ReturnType<typeof buildUser>>
let english: Awaited<ReturnType<typeof buildUser>>
const ids: Record<string, number> = {}

beforeAll(async () => {
  // DEMO only relaxes 2FA for staff and admins (outside production); nothing is seeded here.
  t = await createTestApp({ DEMO: 'true' })
  const home = await buildMunicipality(t.db, { name: 'Heimstadt', district: 'Kreis Nord' })
  const neighbour = await buildMunicipality(t.db, { name: 'Nachbarort', district: 'Kreis Nord' })
  const far = await buildMunicipality(t.db, { name: 'Fernwald', district: 'Kreis Süd' })
  const third = await buildMunicipality(t.db, { name: 'Drittdorf', district: 'Kreis Süd' })
  reader = await buildUser(t.db, { municipality_id: home.id, name: 'Rita Leser' })
  english = await buildUser(t.db, { municipality_id: far.id, name: 'Eve English', locale: 'en' })
  const nb = await buildUser(t.db, { municipality_id: neighbour.id })
  const fw = await buildUser(t.db, { municipality_id: far.id })
  const dd = await buildUser(t.db, { municipality_id: third.id })

  ids.answered = (await buildThread(t.db, { author: fw, title: 'Kita-Gebühren staffeln?', at: new Date('2026-02-24T09:00:00Z') })).thread.id
  await buildReply(t.db, ids.answered, { author: nb, at: new Date('2026-02-25T09:00:00Z') })
  ids.unanswered = (await buildThread(t.db, { author: nb, title: 'Streusalz im Winterdienst', at: IN_WINDOW })).thread.id
  const solved = await buildThread(t.db, { author: fw, title: 'Schon gelöste Frage', at: IN_WINDOW })
  const solution = await buildReply(t.db, solved.thread.id, { author: nb, at: IN_WINDOW })
  await t.db.updateTable('threads').set({ solution_post_id: solution.id }).where('id', '=', solved.thread.id).execute()
  await buildThread(t.db, { author: reader, title: 'Meine eigene Frage', at: IN_WINDOW })
  await buildThread(t.db, { author: fw, title: 'Alte Frage von früher', at: new Date('2026-02-20T09:00:00Z') })
  ids.practice = (
    await buildThread(t.db, { author: dd, kind: 'best_practice', title: 'Digitale Bauakte', at: IN_WINDOW })
  ).thread.id
  // A discussion where three municipalities wrote this week, which the reader watches.
  const busy = await buildThread(t.db, { author: fw, kind: 'discussion', title: 'Glasfaser im ländlichen Raum', at: new Date('2026-02-10T09:00:00Z') })
  ids.busy = busy.thread.id
  ids.busyFirstNew = (await buildReply(t.db, busy.thread.id, { author: nb, at: IN_WINDOW })).id
  await buildReply(t.db, busy.thread.id, { author: dd, at: IN_WINDOW })
  await buildReply(t.db, busy.thread.id, { author: fw, at: IN_WINDOW })
  await t.db.insertInto('thread_watches').values({ user_id: reader.id, thread_id: busy.thread.id, level: 'watching' }).execute()
})
afterAll(async () => {
  await t?.close()
})

describe('the weekly digest', () => {
  it('brings what is new from peers, unanswered questions first and the own district marked, with both parts and list headers', async () => {
    const report = await digestRound(t)
    expect(report.sent).toBeGreaterThanOrEqual(2)
    const [mail, ...more] = digestsTo(t, reader.email)
    expect(more).toHaveLength(0)
    expect(mail!.subject).toMatch(/^Kommunalforum: \d+ Neuigkeiten/)
    const text = mail!.text!
    expect(text).toContain('Guten Tag Rita Leser')
    // Open questions of peers: unanswered first, marked when from the own district.
    expect(text.indexOf('Streusalz im Winterdienst')).toBeLessThan(text.indexOf('Kita-Gebühren staffeln?'))
    expect(text).toMatch(/Streusalz im Winterdienst \(noch keine Antwort\)\n {2}Nachbarort · aus Ihrem Kreis/)
    expect(text).toMatch(/Kita-Gebühren staffeln\?\n {2}Fernwald\n/)
    expect(text).toContain(`${t.config.baseUrl}/threads/${ids.unanswered}`)
    expect(text).toContain('Digitale Bauakte')
    expect(text).toMatch(/Was viele Kommunen bewegt ==\n\* Glasfaser im ländlichen Raum \(3 Kommunen/)
    expect(text).toContain(`${t.config.baseUrl}/posts/${ids.busyFirstNew}`)
    // Never the own posts, no solved question among the open ones, nothing from before the window.
    expect(text).not.toContain('Meine eigene Frage')
    expect(section(text, 'Offene Fragen')).not.toContain('Schon gelöste Frage')
    expect(text).not.toContain('Alte Frage von früher')

    const html = mail!.html as string
    expect(html).toContain('<table role="presentation"')
    expect(html).toContain(`href="${t.config.baseUrl}/threads/${ids.practice}"`)
    expect(html).not.toMatch(/<img|<link|<style|src="http/i)
    expect(html).toContain('style="')

    const unsubscribe = urlsIn(mail!).find((u) => u.includes('/unsubscribe/'))!
    expect(headerLine(mail!, 'List-Unsubscribe')).toBe(`List-Unsubscribe: <${unsubscribe}>`)
    expect(unsubscribe).toMatch(new RegExp(`^${t.config.baseUrl}/unsubscribe/[A-Za-z0-9_-]{43}$`))
    expect(headerLine(mail!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click')
    expect(headerLine(mail!, 'List-Id')).toMatch(/^List-Id: Kommunalforum Digest <digest\.forum\.test>$/i)
    expect(mail!.headers.get('auto-submitted')).toBe('auto-generated')
    expect(mail!.messageId).toBe(deterministicMessageId(t.config, reader.id, 'weekly:2026-03-02'))
    // Nothing personal in any link: no address, no person's id.
    for (const url of urlsIn(mail!)) {
      expect(url).not.toContain('@')
      expect(url).toMatch(/\/(threads|posts)\/\d+$|\/account\/mail$|\/unsubscribe\/[A-Za-z0-9_-]+$/)
    }
  })

  it('speaks English to those who chose it', async () => {
    const [mail] = digestsTo(t, english.email)
    expect(mail!.subject).toMatch(/updates from the municipalities/)
    expect(mail!.text).toContain('Open questions from your peers')
    const open = section(mail!.text!, 'Open questions')
    expect(open).toMatch(/Streusalz im Winterdienst \(no answer yet\)\n {2}Nachbarort\n/)
    // A colleague's question from her own municipality is in it, marked as from her district.
    expect(open).toMatch(/Kita-Gebühren staffeln\?\n {2}Fernwald · from your district/)
  })

  it('goes out once per period however often the round runs', async () => {
    const before = t.smtp.mails.length
    await digestRound(t)
    t.clock.advance(3 * MINUTE)
    await digestRound(t)
    expect(t.smtp.mails.length).toBe(before)
    expect(digestsTo(t, reader.email)).toHaveLength(1)
  })
})

describe('one-click unsubscribe', () => {
  it('GET only asks; POST without cookie or CSRF token unsubscribes, and again changes nothing', async () => {
    const url = new URL(urlsIn(digestsTo(t, reader.email)[0]!).find((u) => u.includes('/unsubscribe/'))!)
    const anonymous = supertest(t.app.server)
    const page = await anonymous.get(url.pathname)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Abbestellen')
    expect((await findMailSettings(t.db, reader.id)).digest).toBe('weekly')

    for (let i = 0; i < 2; i++) {
      const res = await anonymous.post(url.pathname).type('form').send('List-Unsubscribe=One-Click')
      expect(res.status).toBe(200)
      expect(res.text).toContain('Sie erhalten den Überblick nicht mehr per E-Mail.')
    }
    expect((await findMailSettings(t.db, reader.id)).digest).toBe('off')
    // From another site, too: the mail client's POST carries no Origin of ours.
    const foreign = await anonymous.post(url.pathname).set('Origin', 'https://mail.example').type('form').send('List-Unsubscribe=One-Click')
    expect(foreign.status).toBe(200)
  })

  it('refuses unknown tokens and keeps CSRF on every other form', async () => {
    const anonymous = supertest(t.app.server)
    expect((await anonymous.post('/unsubscribe/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404)
    expect((await anonymous.get('/unsubscribe/kurz')).status).toBe(404)
    const agent = t.agent()
    await login(agent, english.email, english.password)
    const noToken = await agent.post('/account/mail').type('form').send({ digest: 'off', digest_hour: '7', locale: 'en' })
    expect(noToken.status).toBe(403)
  })
})

describe('delivery, exactly once', () => {
  it('two workers at once: everyone gets exactly one digest', async () => {
    const people = await Promise.all(Array.from({ length: 6 }, () => buildUser(t.db)))
    await somethingNew(new Date('2026-03-05T10:00:00Z'))
    t.clock.set('2026-03-09T08:00:00Z')
    const reports = await Promise.all([digestRound(t), digestRound(t)])
    for (const person of people) expect(digestsTo(t, person.email)).toHaveLength(1)
    expect(reports[0]!.claimed + reports[1]!.claimed).toBe(
      (await t.db.selectFrom('digest_deliveries').select('id').where('period_key', '=', 'weekly:2026-03-09').execute()).length,
    )
  })

  it('a worker that died between claim and send: the row is retried after its lease, once, with the same Message-ID', async () => {
    const victim = await buildUser(t.db)
    const now = new Date('2026-03-16T08:00:00Z')
    t.clock.set(now)
    const messageId = deterministicMessageId(t.config, victim.id, 'weekly:2026-03-16')
    const [claimed] = await claimNewDeliveries(
      t.db,
      [{ user_id: victim.id, kind: 'digest', period_key: 'weekly:2026-03-16', since: new Date('2026-02-01T00:00:00Z'), until: new Date('2026-03-16T06:00:00Z'), message_id: messageId }],
      now,
      new Date(now.getTime() + DELIVERY_LEASE_MS),
    )
    expect(claimed).toBeDefined()
    // ... and then the worker is gone. While its lease holds, nobody else sends.
    await digestRound(t)
    expect(digestsTo(t, victim.email)).toHaveLength(0)
    t.clock.advance(DELIVERY_LEASE_MS + MINUTE)
    await digestRound(t)
    t.clock.advance(10 * MINUTE)
    await digestRound(t)
    const mails = digestsTo(t, victim.email)
    expect(mails).toHaveLength(1)
    expect(mails[0]!.messageId).toBe(messageId)
  })

  it('SMTP failures are retried with backoff and shown to admins', async () => {
    const unlucky = await buildUser(t.db, { name: 'Pech Vogel' })
    const admin = await buildUser(t.db, { role: 'admin' })
    const now = new Date('2026-03-23T08:00:00Z')
    await somethingNew(new Date('2026-03-20T10:00:00Z'))
    t.clock.set(now)
    // A real SMTP connection that is refused: nothing listens on port 9 on loopback.
    const broken = createMailer(loadConfig({ NODE_ENV: 'test', DATA_DIR: t.config.dataDir, SESSION_SECRET: 'x'.repeat(32), SMTP_URL: 'smtp://127.0.0.1:9', LOG_LEVEL: 'silent' }))
    try {
      const report = await digestRound(t, { mailer: broken })
      expect(report.failed).toBeGreaterThan(0)
    } finally {
      await broken.close()
    }
    const row = await t.db.selectFrom('digest_deliveries').selectAll().where('user_id', '=', unlucky.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ status: 'failed', attempts: 1 })
    expect(row.next_attempt_at?.getTime()).toBe(now.getTime() + retryDelayMs(1))
    expect(row.last_error).toBeTruthy()

    const agent = t.agent()
    const res = await loginAsAdmin(agent, admin)
    expect(res.text).toContain('Pech Vogel')
    expect(res.text).toContain('fehlgeschlagen')

    // Not before the backoff is over; then exactly once.
    t.clock.advance(retryDelayMs(1) - MINUTE)
    await digestRound(t)
    expect(digestsTo(t, unlucky.email)).toHaveLength(0)
    t.clock.advance(2 * MINUTE)
    await digestRound(t)
    await digestRound(t)
    expect(digestsTo(t, unlucky.email)).toHaveLength(1)
    const after = await t.db.selectFrom('digest_deliveries').selectAll().where('user_id', '=', unlucky.id).executeTakeFirstOrThrow()
    expect(after).toMatchObject({ status: 'sent', attempts: 2 })
  })

  it('skips the mail when there is nothing new, and records it', async () => {
    t.clock.set('2026-04-06T08:00:00Z')
    const quiet = await buildUser(t.db)
    await digestRound(t)
    expect(digestsTo(t, quiet.email)).toHaveLength(0)
    const row = await t.db.selectFrom('digest_deliveries').selectAll().where('user_id', '=', quiet.id).executeTakeFirstOrThrow()
    expect(row.status).toBe('skipped_empty')
  })
})

/** A question by someone nobody else is, so every digest of its window has something. */
async function somethingNew(at: Date) {
  await buildThread(t.db, { title: `Neue Frage ${at.toISOString()}`, at })
}

/** One section of a digest's text part, from its heading to the next. */
function section(text: string, heading: string): string {
  const start = text.indexOf(`== ${heading}`)
  expect(start).toBeGreaterThanOrEqual(0)
  const rest = text.slice(start + 3)
  const end = rest.search(/\n== |\n-- /)
  return end < 0 ? rest : rest.slice(0, end)
}

async function loginAsAdmin(agent: ReturnType<TestApp['agent']>, admin: { email: string; password: string }) {
  await login(agent, admin.email, admin.password)
  return agent.get('/admin/mail')
}
