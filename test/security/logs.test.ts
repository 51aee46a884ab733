import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp, loggerOptions } from '../../src/app.ts'
import { createMailer, type Mailer } from '../../src/plugins/mailer.ts'
import { SESSION_COOKIE } from '../../src/plugins/session.ts'
import { buildUser } from '../factories.ts'
import { createTestApp, csrfFrom, login, submitForm, type TestApp } from '../helpers/app.ts'

/** The app with its production logger configuration, writing into a string instead of stdout. */
let t: TestApp
let app: FastifyInstance
let mailer: Mailer
let log = ''

beforeAll(async () => {
  t = await createTestApp()
  mailer = createMailer(t.config)
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      log += chunk.toString()
      done()
    },
  })
  const logger = { ...(loggerOptions(t.config) as object), level: 'info', stream }
  app = await buildApp({ config: t.config, db: t.db, mailer, clock: t.clock }, { logger })
  await app.ready()
})
afterAll(async () => {
  await app.close()
  await mailer.close()
  await t.close()
})

const token = () => randomBytes(32).toString('base64url')

describe('the logs', () => {
  it('record requests but never passwords, tokens or session ids', async () => {
    const member = await buildUser(t.db)
    const agent = supertest.agent(app.server)
    const wrongPassword = `Falsch-${token()}`

    const failed = await submitForm(agent, '/login', '/login', { email: member.email, password: wrongPassword })
    expect(failed.status).toBe(422)
    const signIn = await login(agent, member.email, member.password)
    const setCookies = signIn.headers['set-cookie'] as unknown as string[]
    const cookie = decodeURIComponent(
      setCookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(';')[0]!.slice(SESSION_COOKIE.length + 1),
    )
    const sessionId = cookie.split('.')[0]!
    expect((await agent.get('/')).status).toBe(200)

    // Links with secrets in their path, opened and submitted (they may not even exist: the URL alone must not leak).
    const secrets = { invite: token(), reset: token(), setup: token(), unsubscribe: token(), query: token() }
    const newPassword = `Neu-${token()}`
    const anonymous = supertest.agent(app.server)
    const csrf = await csrfFrom(anonymous, '/login')
    for (const path of [`/invite/${secrets.invite}`, `/password/reset/${secrets.reset}`, `/setup/${secrets.setup}`, `/unsubscribe/${secrets.unsubscribe}`]) {
      await anonymous.get(path)
      await anonymous.post(path).type('form').send({ _csrf: csrf, password: newPassword, password_confirm: newPassword, password_confirmation: newPassword })
    }
    await anonymous.get(`/login?token=${secrets.query}`)

    // The log is real and detailed, or the checks below would prove nothing.
    expect(log).toContain('"url":"/login"')
    expect(log).toContain('/invite/[redacted]')
    expect(log).toContain('/password/reset/[redacted]')

    const forbidden = {
      'the password': member.password,
      'the wrong password': wrongPassword,
      'the new password': newPassword,
      'the session cookie': cookie,
      'the session id': sessionId,
      ...Object.fromEntries(Object.entries(secrets).map(([name, value]) => [`the ${name} token`, value])),
    }
    const leaks = Object.entries(forbidden)
      .filter(([, secret]) => log.includes(secret) || log.includes(encodeURIComponent(secret)))
      .map(([name]) => name)
    expect(leaks).toEqual([])
  })
})
