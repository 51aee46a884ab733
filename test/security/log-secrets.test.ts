import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import { Secret, TOTP } from 'otpauth'
import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, loggerOptions } from '../../src/app.ts'
import { createMailer, type Mailer } from '../../src/plugins/mailer.ts'
import { SESSION_COOKIE } from '../../src/plugins/session.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { createTestApp, csrfFrom, TEST_BASE_URL, type TestApp } from '../helpers/app.ts'
import { linkIn } from '../helpers/smtp.ts'

/**
 * SECURITY.md, "Logs and audit": the logs never contain passwords, tokens or session ids. Here the
 * secrets are real ones, made by walking the real flows (2FA setup and sign-in, invitation, reset,
 * password change) with the production logger configuration at debug level.
 */

let t: TestApp
let app: FastifyInstance
let mailer: Mailer
let log = ''
const secrets = new Map<string, string>()
type Agent = ReturnType<typeof supertest.agent>

beforeAll(async () => {
  t = await createTestApp()
  mailer = createMailer(t.config)
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString()
      done()
    },
  })
  const logger = { ...(loggerOptions(t.config) as object), level: 'debug', stream }
  app = await buildApp({ config: t.config, db: t.db, mailer, clock: t.clock }, { logger })
  await app.ready()
})
afterAll(async () => {
  await app.close()
  await mailer.close()
  await t.close()
})

/** Posts a form like a browser and remembers every secret that passes: the CSRF token and any session id set. */
async function submit(agent: Agent, page: string, action: string, fields: Record<string, string>) {
  const token = await csrfFrom(agent, page)
  secrets.set(`CSRF token for ${action}`, token)
  const res = await agent.post(action).type('form').send({ _csrf: token, ...fields })
  for (const cookie of (res.headers['set-cookie'] as unknown as string[] | undefined) ?? []) {
    if (!cookie.startsWith(`${SESSION_COOKIE}=`)) continue
    const value = decodeURIComponent(cookie.split(';')[0]!.slice(SESSION_COOKIE.length + 1))
    secrets.set(`session cookie after ${action}`, value)
    secrets.set(`session id after ${action}`, value.split('.')[0]!)
  }
  return res
}

const code = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: t.clock.now().getTime() + steps * 30_000,
  })

describe('the logs, after the real sign-in, invitation and reset flows', () => {
  it('contain none of the passwords, link tokens, TOTP secrets, recovery codes, CSRF tokens or session ids', async () => {
    // An admin signs in and sets up the second factor (2FA is enforced: DEMO=false).
    const admin = await buildUser(t.db, { role: 'admin' })
    secrets.set('admin password', admin.password)
    const adminAgent = supertest.agent(app.server)
    expect((await submit(adminAgent, '/login', '/login', { email: admin.email, password: admin.password })).status).toBe(303)
    await submit(adminAgent, '/account/2fa', '/account/2fa/start', {})
    const totpSecret = (await adminAgent.get('/account/2fa')).text.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!
    secrets.set('TOTP secret (grouped)', totpSecret)
    secrets.set('TOTP secret', totpSecret.replace(/ /g, ''))
    const firstCode = code(totpSecret.replace(/ /g, ''))
    const enabled = await submit(adminAgent, '/account/2fa', '/account/2fa/enable', { code: firstCode })
    const recoveryCodes = [...enabled.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!)
    expect(recoveryCodes).toHaveLength(10)
    recoveryCodes.forEach((c, i) => secrets.set(`recovery code ${i + 1}`, c))

    // The admin invites; the invitee accepts with a password.
    const town = await buildMunicipality(t.db)
    expect((await submit(adminAgent, '/invitations/new', '/invitations/new', { email: 'log-einladung@example.de', role: 'member', municipality_id: String(town.id), locale: 'de' })).status).toBe(303)
    const inviteLink = linkIn(await t.smtp.waitFor((m) => m.envelopeTo.includes('log-einladung@example.de')), `${TEST_BASE_URL}/invite/`)
    const invitePath = new URL(inviteLink).pathname
    secrets.set('invitation token', invitePath.split('/').pop()!)
    const inviteePassword = 'Leuchtturm am Deich bei Nacht 7'
    secrets.set('invitee password', inviteePassword)
    const invitee = supertest.agent(app.server)
    expect((await submit(invitee, invitePath, invitePath, { name: 'Lia Log', position: '', password: inviteePassword, password_confirm: inviteePassword })).status).toBe(303)

    // A member resets the password through the mailed link, signs in and changes it again.
    const member = await buildUser(t.db)
    secrets.set('member password', member.password)
    await submit(supertest.agent(app.server), '/password/forgot', '/password/forgot', { email: member.email })
    const resetPath = new URL(linkIn(await t.smtp.waitFor((m) => m.envelopeTo.includes(member.email)), `${TEST_BASE_URL}/password/reset/`)).pathname
    secrets.set('reset token', resetPath.split('/').pop()!)
    const resetPassword = 'Neue Brücke über die Oker 2026'
    secrets.set('reset password', resetPassword)
    expect((await submit(supertest.agent(app.server), resetPath, resetPath, { new_password: resetPassword, new_password_confirm: resetPassword })).status).toBe(303)
    const memberAgent = supertest.agent(app.server)
    expect((await submit(memberAgent, '/login', '/login', { email: member.email, password: resetPassword })).status).toBe(303)
    const changedPassword = 'Drei Störche auf dem Rathausdach'
    secrets.set('changed password', changedPassword)
    expect((await submit(memberAgent, '/account', '/account/password', { current_password: resetPassword, new_password: changedPassword, new_password_confirm: changedPassword })).status).toBe(303)

    // The admin signs in again elsewhere: a wrong code, then a recovery code.
    t.clock.advance(30_000)
    const laptop = supertest.agent(app.server)
    expect((await submit(laptop, '/login', '/login', { email: admin.email, password: admin.password })).status).toBe(303)
    // (Six-digit codes are not searched for: they occur by chance inside timestamps.)
    const wrongCode = code(totpSecret.replace(/ /g, ''), 7)
    expect((await submit(laptop, '/login/2fa', '/login/2fa', { code: wrongCode, next: '/' })).status).toBe(422)
    expect((await submit(laptop, '/login/2fa', '/login/2fa', { code: recoveryCodes[0]!, next: '/' })).status).toBe(303)
    expect((await laptop.get('/admin')).status).toBe(200)

    for (const row of await t.db.selectFrom('sessions').select('sid').execute()) secrets.set(`stored session ${row.sid.slice(0, 4)}`, row.sid)

    // The log is real and detailed, or the checks below would prove nothing.
    expect(log).toContain('"url":"/login/2fa"')
    expect(log).toContain('/invite/[redacted]')
    expect(log).toContain('/password/reset/[redacted]')
    expect(secrets.size).toBeGreaterThan(30)
    const leaks = [...secrets].filter(([, secret]) => log.includes(secret) || log.includes(encodeURIComponent(secret))).map(([name]) => name)
    expect(leaks).toEqual([])
  })
})
