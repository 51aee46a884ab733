import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { outboxDir } from '../../../src/plugins/mailer.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, login, TEST_BASE_URL, type TestApp } from '../../helpers/app.ts'

// SMTP_URL '' : loadConfig drops empty values, so no SMTP is configured and mail goes to the outbox.
// DEMO: staff/admin are not forced through 2FA setup in demo mode (the 2FA feature is built separately).
let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ SMTP_URL: '', DEMO: 'true' })
})
afterAll(() => t.close())

async function signedInAdmin() {
  const admin = await buildUser(t.db, { role: 'admin' })
  const agent = t.agent()
  await login(agent, admin.email, admin.password)
  return agent
}

async function sendMail(overrides: Partial<{ to: string; subject: string; text: string; html: string }> = {}) {
  await t.app.deps.mailer.send({
    to: 'erika.muster@example.de',
    subject: 'Einladung ins Kommunalforum',
    text: `Guten Tag,\n\nbitte nehmen Sie die Einladung an: ${TEST_BASE_URL}/invite/abc123.\n\nViele Grüße`,
    html: '<p>Guten Tag <script>alert(1)</script></p>',
    ...overrides,
  })
}

async function idOf(agent: ReturnType<TestApp['agent']>, subject: string) {
  const list = await agent.get('/admin/outbox')
  const match = list.text.match(new RegExp(`href="/admin/outbox/([^"]+)">${subject}<`))
  if (!match) throw new Error(`no mail "${subject}" in the outbox list`)
  return match[1]!
}

describe('outbox', () => {
  it('is for admins only', async () => {
    expect((await t.agent().get('/admin/outbox')).headers.location).toBe('/login?next=%2Fadmin%2Foutbox')
    const staff = await buildUser(t.db, { role: 'staff' })
    const agent = t.agent()
    await login(agent, staff.email, staff.password)
    expect((await agent.get('/admin/outbox')).status).toBe(403)
  })

  it('says so when it is empty', async () => {
    const agent = await signedInAdmin()
    const res = await agent.get('/admin/outbox')
    expect(res.status).toBe(200)
    expect(res.text).toContain('Der Postausgang ist leer.')
  })

  it('lists mails newest first with date, recipient and subject', async () => {
    await sendMail({ subject: 'Erste Nachricht' })
    await new Promise((r) => setTimeout(r, 5)) // file names carry the time in milliseconds
    await sendMail({ subject: 'Zweite Nachricht', to: 'max@example.de' })
    const agent = await signedInAdmin()
    const res = await agent.get('/admin/outbox')
    expect(res.status).toBe(200)
    expect(res.text.indexOf('Zweite Nachricht')).toBeGreaterThan(-1)
    expect(res.text.indexOf('Zweite Nachricht')).toBeLessThan(res.text.indexOf('Erste Nachricht'))
    expect(res.text).toContain('max@example.de')
    expect(res.text).toMatch(/\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}/)
  })

  it('shows one mail: headers, text with only forum links clickable, HTML only as a download', async () => {
    await sendMail({
      subject: 'Links <b>fett</b>',
      text:
        `Annehmen: ${TEST_BASE_URL}/invite/tok-123.\n` +
        `Fremd: https://evil.example/phish und ${TEST_BASE_URL}.evil.example/x\n` +
        `Kein Link: javascript:alert(1) <script>alert(2)</script>`,
    })
    const agent = await signedInAdmin()
    const id = await idOf(agent, 'Links &lt;b&gt;fett&lt;/b&gt;')
    const res = await agent.get(`/admin/outbox/${id}`)
    expect(res.status).toBe(200)
    expect(res.text).toContain('erika.muster@example.de')
    expect(res.text).toContain(`<a href="${TEST_BASE_URL}/invite/tok-123">${TEST_BASE_URL}/invite/tok-123</a>.`)
    expect(res.text).not.toContain('href="https://evil.example')
    expect(res.text).not.toContain(`href="${TEST_BASE_URL}.evil.example`)
    expect(res.text).toContain('https://evil.example/phish')
    expect(res.text).toContain('&lt;script&gt;alert(2)&lt;/script&gt;')
    expect(res.text).not.toContain('<script>alert')
    expect(res.text).not.toContain('<b>fett</b>')
    expect(res.text).toContain(`href="/admin/outbox/${id}/html"`)

    const html = await agent.get(`/admin/outbox/${id}/html`)
    expect(html.status).toBe(200)
    expect(html.headers['content-disposition']).toBe(`attachment; filename="${id}.html"`)
    expect(html.headers['x-content-type-options']).toBe('nosniff')
    expect(html.text).toBe('<p>Guten Tag <script>alert(1)</script></p>')
  })

  it('refuses ids that are not outbox ids, path traversal included', async () => {
    const dir = outboxDir(t.config)
    // Well-formed mail records outside the outbox and under a wrong name: neither may be served.
    const record = {
      id: '2026-03-02T08-00-00-000Z-0badc0de',
      date: '2026-03-02T08:00:00Z',
      from: 'a@b.de',
      to: 'c@d.de',
      subject: 'x',
      text: 'geheim',
    }
    await writeFile(join(dir, '..', 'leak.json'), JSON.stringify(record))
    await writeFile(join(dir, 'secret.json'), JSON.stringify(record))
    const agent = await signedInAdmin()
    for (const path of [
      '/admin/outbox/..%2F..%2Fetc%2Fpasswd',
      '/admin/outbox/..%2Fleak',
      '/admin/outbox/..%2Fleak/html',
      '/admin/outbox/secret',
      '/admin/outbox/..%2F..%2Fetc%2Fpasswd/html',
      '/admin/outbox/2026-03-02T08-00-00-000Z-deadbeef',
    ]) {
      const res = await agent.get(path)
      expect(res.status, path).toBe(404)
      expect(res.text).not.toContain('root:')
      expect(res.text).not.toContain('geheim')
    }
  })
})

describe('outbox with SMTP configured', () => {
  let smtpApp: TestApp
  beforeAll(async () => {
    smtpApp = await createTestApp({ DEMO: 'true' })
  })
  afterAll(() => smtpApp.close())

  it('tells the admin that mail goes out by SMTP', async () => {
    const admin = await buildUser(smtpApp.db, { role: 'admin' })
    const agent = smtpApp.agent()
    await login(agent, admin.email, admin.password)
    const res = await agent.get('/admin/outbox')
    expect(res.status).toBe(200)
    expect(res.text).toContain('Ein SMTP-Server ist eingerichtet')
  })
})
