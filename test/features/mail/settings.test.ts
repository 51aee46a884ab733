import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDigestRound } from '../../../src/features/mail/digest.service.ts'
import { findMailSettings } from '../../../src/features/mail/mail.queries.ts'
import { DAY } from '../../../src/lib/clock.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { buildThread } from '../../factories.ts'

describe('mail settings', () => {
  let t: TestApp
  beforeAll(async () => {
    // DEMO: staff and admins work without 2FA here (their settings page shows the watchlist alerts).
    t = await createTestApp({ DEMO: 'true' })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('show the defaults: every notification on, weekly digest at 7:00, and are linked from the account page', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    expect((await agent.get('/account')).text).toContain('href="/account/mail"')
    const page = await agent.get('/account/mail')
    expect(page.status).toBe(200)
    for (const name of ['notify_reply', 'notify_mention', 'notify_solution', 'notify_adopted']) {
      expect(page.text).toMatch(new RegExp(`name="${name}" checked`))
    }
    expect(page.text).toMatch(/<option value="weekly" selected>/)
    expect(page.text).toMatch(/<option value="7" selected>07:00/)
    // Members get no watchlist alerts, so they are not offered the switch.
    expect(page.text).not.toContain('watchlist_alerts')
    expect(page.text).not.toContain('beobachteten Begriffs')
  })

  it('offer staff and admins the watchlist alerts, on by default, and save them off and on again', async () => {
    for (const role of ['staff', 'admin'] as const) {
      const user = await buildUser(t.db, { role })
      const agent = t.agent()
      await login(agent, user.email, user.password)
      const page = await agent.get('/account/mail')
      expect(page.status).toBe(200)
      expect(page.text).toMatch(/name="watchlist_alerts" checked/)
      expect(page.text).toMatch(/<label for="f-watchlist_alerts">E-Mail bei Anstieg eines beobachteten Begriffs<\/label>/)

      const off = await submitForm(agent, '/account/mail', '/account/mail', { digest: 'weekly', digest_hour: '7', locale: 'de', notify_reply: 'on' })
      expect(off.status).toBe(303)
      expect(await findMailSettings(t.db, user.id)).toMatchObject({ watchlist_alerts: false, notify_reply: true, notify_mention: false })
      expect((await agent.get('/account/mail')).text).toMatch(/name="watchlist_alerts">/)

      // A form with errors keeps the box as sent, and saves nothing.
      const invalid = await submitForm(agent, '/account/mail', '/account/mail', { digest: 'weekly', digest_hour: '24', locale: 'de', watchlist_alerts: 'on' })
      expect(invalid.status).toBe(422)
      expect(invalid.text).toMatch(/name="watchlist_alerts" checked/)
      expect(invalid.text).toMatch(/id="f-digest_hour-error"/)
      expect((await findMailSettings(t.db, user.id)).watchlist_alerts).toBe(false)

      const on = await submitForm(agent, '/account/mail', '/account/mail', { digest: 'weekly', digest_hour: '7', locale: 'en', watchlist_alerts: 'on' })
      expect(on.status).toBe(303)
      expect((await findMailSettings(t.db, user.id)).watchlist_alerts).toBe(true)
      expect((await agent.get('/account/mail')).text).toMatch(/<label for="f-watchlist_alerts">Email when a watched term rises<\/label>/)
    }
  })

  it('refuse what the form cannot send with 422, errors at the fields and the values kept', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const res = await submitForm(agent, '/account/mail', '/account/mail', { digest: 'hourly', digest_hour: '25', locale: 'en', notify_reply: 'on' })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="f-digest-error"/)
    expect(res.text).toMatch(/id="f-digest_hour-error"[^]*Bitte wählen Sie eine volle Stunde/)
    expect(res.text).toMatch(/name="notify_reply" checked/)
    expect(res.text).not.toMatch(/name="notify_mention" checked/)
    const extra = await submitForm(agent, '/account/mail', '/account/mail', { digest: 'daily', digest_hour: '7', locale: 'de', is_admin: '1' })
    expect(extra.status).toBe(422)
    const notOn = await submitForm(agent, '/account/mail', '/account/mail', { digest: 'daily', digest_hour: '7', locale: 'de', notify_reply: 'yes' })
    expect(notOn.status).toBe(422)
    expect(await findMailSettings(t.db, user.id)).toMatchObject({ digest: 'weekly', notify_reply: true })
  })

  it('save the choices, unticked boxes as off, and the language for mails and pages', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const res = await submitForm(agent, '/account/mail', '/account/mail', { digest: 'daily', digest_hour: '18', locale: 'en', notify_mention: 'on' })
    expect(res.status).toBe(303)
    expect(await findMailSettings(t.db, user.id)).toEqual({
      notify_reply: false,
      notify_mention: true,
      notify_solution: false,
      notify_adopted: false,
      digest: 'daily',
      digest_hour: 18,
      // Not on a member's form, so not switched off by it.
      watchlist_alerts: true,
    })
    const page = await agent.get('/account/mail')
    expect(page.text).toContain('Your email settings are saved.')
    expect(page.text).toMatch(/<option value="18" selected>18:00/)
  })

  it('are only for the signed-in person', async () => {
    const anonymous = supertest(t.app.server)
    expect((await anonymous.get('/account/mail')).status).toBe(303)
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    expect((await agent.get('/admin/mail')).status).toBe(403)
  })
})

describe('done when: a new member tries it on the demo', () => {
  let t: TestApp
  beforeAll(async () => {
    // No SMTP: mail goes to the outbox, as on the demo. DEMO relaxes 2FA for the admin reading it.
    t = await createTestApp({ SMTP_URL: '', DEMO: 'true' })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('weekly digest on, a round, the digest in the outbox, a link followed, one-click unsubscribe, and the next round brings nothing', async () => {
    const admin = await buildUser(t.db, { role: 'admin' })
    const member = await buildUser(t.db, { name: 'Neue Kollegin' })
    const { thread } = await buildThread(t.db, { title: 'Wie organisieren Sie den Winterdienst?', at: new Date(t.clock.now().getTime() - 2 * DAY) })
    const agent = t.agent()
    await login(agent, member.email, member.password)
    expect((await submitForm(agent, '/account/mail', '/account/mail', { digest: 'weekly', digest_hour: '7', locale: 'de', notify_reply: 'on' })).status).toBe(303)

    const deps = { db: t.db, config: t.config, mailer: t.app.deps.mailer }
    expect(t.app.deps.mailer.kind).toBe('outbox')
    await runDigestRound(deps, t.clock.now())

    const adminAgent = t.agent()
    await login(adminAgent, admin.email, admin.password)
    const outbox = await adminAgent.get('/admin/outbox')
    const row = outbox.text.split('<tr>').find((r) => r.includes(member.email))!
    const id = row.match(/href="\/admin\/outbox\/([^"]+)"/)![1]!
    const mail = await adminAgent.get(`/admin/outbox/${id}`)
    expect(mail.text).toContain('Wie organisieren Sie den Winterdienst?')
    expect(mail.text).toContain('List-Unsubscribe-Post')
    const threadLink = mail.text.match(/href="(http:\/\/forum\.test\/threads\/\d+)"/)![1]!
    expect(threadLink).toBe(`${t.config.baseUrl}/threads/${thread.id}`)
    const opened = await agent.get(new URL(threadLink).pathname)
    expect(opened.status).toBe(200)
    expect(opened.text).toContain('Wie organisieren Sie den Winterdienst?')

    const unsubscribe = new URL(mail.text.match(/href="(http:\/\/forum\.test\/unsubscribe\/[^"]+)"/)![1]!)
    const clicked = await supertest(t.app.server).post(unsubscribe.pathname).type('form').send('List-Unsubscribe=One-Click')
    expect(clicked.status).toBe(200)

    await buildThread(t.db, { title: 'Noch eine Frage', at: new Date(t.clock.now().getTime() + DAY) })
    t.clock.advance(7 * DAY)
    await runDigestRound(deps, t.clock.now())
    // A week later the admin's session has long expired.
    await login(adminAgent, admin.email, admin.password)
    const after = await adminAgent.get('/admin/outbox')
    expect(after.text.split(member.email).length - 1).toBe(1)
    // The admin view, linked from the administration's start page, shows the round: the member's digest as sent.
    expect((await adminAgent.get('/admin')).text).toContain('href="/admin/mail"')
    const view = await adminAgent.get('/admin/mail')
    expect(view.text).toContain('Neue Kollegin')
    expect(view.text).toContain('verschickt')
  })

  it('an admin can send themselves a test digest', async () => {
    const admin = await buildUser(t.db, { role: 'admin', name: 'Ada Test' })
    await buildThread(t.db, { title: 'Frage für den Test-Überblick', at: new Date(t.clock.now().getTime() - DAY) })
    const agent = t.agent()
    await login(agent, admin.email, admin.password)
    const res = await submitForm(agent, '/admin/mail', '/admin/mail/test-digest', {})
    expect(res.status).toBe(303)
    expect((await agent.get('/admin/mail')).text).toContain(`Der Test-Überblick ist an ${admin.email} unterwegs.`)
    const outbox = await agent.get('/admin/outbox')
    expect(outbox.text.split('<tr>').some((r) => r.includes(admin.email))).toBe(true)
    const entry = await t.db.selectFrom('audit_log').selectAll().where('actor_id', '=', admin.id).executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ action: 'mail.test_digest', target_id: admin.id })
  })
})
