import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.ts'
import { createMailer, type Mailer, outboxDir } from '../../src/plugins/mailer.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../helpers/app.ts'
import type { CapturedMail } from '../helpers/smtp.ts'

/**
 * SECURITY.md: "No user text in mail headers unescaped (CR/LF stripped)", checked on what really
 * arrives at an SMTP server. A header injection shows as an extra header line or an extra recipient.
 */

const SPY = 'spion@evil.example'
const INJECTION = `\r\nBcc: ${SPY}`

let t: TestApp
let mailer: Mailer
beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
  mailer = createMailer(t.config)
})
afterAll(async () => {
  await mailer.close()
  await t.close()
})

/** The header block exactly as it went over the wire. */
const rawHeaders = (mail: CapturedMail) => mail.raw.split(/\r?\n\r?\n/)[0]!

function expectNoInjection(mail: CapturedMail, recipient: string) {
  expect(mail.envelopeTo).toEqual([recipient])
  expect(mail.headers.has('bcc')).toBe(false)
  expect(mail.headers.has('cc')).toBe(false)
  expect(rawHeaders(mail)).not.toMatch(/^(bcc|cc):/im)
  expect(rawHeaders(mail)).not.toContain(SPY)
  expect(mail.to && 'value' in mail.to ? mail.to.value.map((a) => a.address) : []).toEqual([recipient])
  expect(t.smtp.to(SPY)).toHaveLength(0)
}

describe('mail headers', () => {
  it('stay intact when an invitee name or the inviter name carries a line break and a Bcc header', async () => {
    const admin = await buildUser(t.db, { role: 'admin', name: `Ada Admin${INJECTION}` })
    const agent = t.agent()
    await login(agent, admin.email, admin.password)
    const town = await buildMunicipality(t.db)
    const res = await submitForm(agent, '/invitations/new', '/invitations/new', {
      email: 'eva@example.de',
      name: `Eva Einladung${INJECTION}`,
      role: 'member',
      municipality_id: String(town.id),
      locale: 'de',
    })
    expect(res.status).toBe(303)
    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('eva@example.de'))
    // The names reached the mail (in its body), so the test really carried them through.
    expect(mail.text).toContain('Eva Einladung')
    expect(mail.text).toContain('Ada Admin')
    expectNoInjection(mail, 'eva@example.de')
  })

  it('stay intact when a subject carries a line break, on the real SMTP path', async () => {
    await mailer.send({ to: 'betreff@example.de', subject: `Hallo${INJECTION}\r\nX-Evil: 1`, text: 'Text', html: '<p>Text</p>' })
    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('betreff@example.de'))
    expect(mail.subject).toBe(`Hallo Bcc: ${SPY} X-Evil: 1`)
    expect(rawHeaders(mail).match(/^Subject:/gim)).toHaveLength(1)
    expect(mail.headers.has('x-evil')).toBe(false)
    expect(rawHeaders(mail)).not.toMatch(/^(bcc|cc|x-evil):/im)
    expect(mail.envelopeTo).toEqual(['betreff@example.de'])
  })

  it('refuse a recipient that is more than one plain address, instead of mailing whoever it names', async () => {
    const attempts = [
      `opfer@example.de${INJECTION}`,
      `opfer@example.de Bcc: ${SPY}`,
      `opfer@example.de, ${SPY}`,
      `opfer@example.de; ${SPY}`,
      `"Opfer" <opfer@example.de>, ${SPY}`,
      `Gruppe: opfer@example.de, ${SPY};`,
    ]
    for (const to of attempts) {
      await expect(mailer.send({ to, subject: 'Test', text: 'Text', html: '<p>Text</p>' }), JSON.stringify(to)).rejects.toThrow(/single plain address/)
    }
    // A plain address still goes out, and afterwards nothing has reached the spy.
    await mailer.send({ to: 'opfer@example.de', subject: 'Test', text: 'Text', html: '<p>Text</p>' })
    const mail = await t.smtp.waitFor((m) => m.envelopeTo.includes('opfer@example.de'))
    expectNoInjection(mail, 'opfer@example.de')
  })

  it('refuse such a recipient in the outbox too, without writing a mail', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'kf-outbox-'))
    try {
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, SESSION_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' })
      const outbox = createMailer(config)
      expect(outbox.kind).toBe('outbox')
      await expect(outbox.send({ to: `opfer@example.de${INJECTION}`, subject: 'Test', text: 'Text', html: '' })).rejects.toThrow(/single plain address/)
      expect(existsSync(outboxDir(config)) ? readdirSync(outboxDir(config)) : []).toEqual([])
      await outbox.send({ to: 'opfer@example.de', subject: `Betreff${INJECTION}`, text: 'Text', html: '' })
      expect(readdirSync(outboxDir(config))).toHaveLength(1)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
