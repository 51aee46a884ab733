import argon2 from 'argon2'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HOUR } from '../../../src/lib/clock.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, submitForm, type TestApp } from '../../helpers/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())
// Failures are forgotten after a day; every test starts with a clean record for the shared test IP.
beforeEach(() => t.clock.advance(25 * HOUR))

function attempt(email: string, password: string, app: TestApp = t) {
  return submitForm(app.agent(), '/login', '/login', { email, password })
}

/** A sign-in post from a client claiming to be somewhere else. */
async function attemptVia(app: TestApp, forwardedFor: string, email: string) {
  const agent = app.agent()
  const token = await csrfFrom(agent, '/login')
  return agent.post('/login').set('X-Forwarded-For', forwardedFor).type('form').send({ _csrf: token, email, password: 'falsch-falsch' })
}

describe('login throttling', () => {
  it('answers repeated failures with 429 and growing waits, never a lockout', async () => {
    const user = await buildUser(t.db)
    for (let i = 0; i < 5; i++) expect((await attempt(user.email, 'falsch-falsch')).status).toBe(422)

    const first = await attempt(user.email, user.password)
    expect(first.status).toBe(429)
    expect(first.headers['retry-after']).toBe('1')
    expect(first.text).toContain('Zu viele fehlgeschlagene Anmeldeversuche.')
    expect(first.text).toContain('Bitte warten Sie 1 Sekunden')

    t.clock.advance(1000)
    expect((await attempt(user.email, 'falsch-falsch')).status).toBe(422)
    expect((await attempt(user.email, user.password)).headers['retry-after']).toBe('2')
    t.clock.advance(2000)
    expect((await attempt(user.email, 'falsch-falsch')).status).toBe(422)
    expect((await attempt(user.email, user.password)).headers['retry-after']).toBe('4')

    t.clock.advance(4000)
    const ok = await attempt(user.email, user.password)
    expect(ok.status).toBe(303)
    // Success clears the account's record: the next typo does not wait.
    expect((await attempt(user.email, 'falsch-falsch')).status).toBe(422)
  })

  it('throttles an address trying many accounts, whatever X-Forwarded-For it sends', async () => {
    for (let i = 0; i < 20; i++) {
      expect((await attemptVia(t, `203.0.113.${i + 1}`, `unbekannt-${i}@example.de`)).status).toBe(422)
    }
    const res = await attemptVia(t, '198.51.100.77', 'noch-einer@example.de')
    expect(res.status).toBe(429)
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0)
  })

  it('takes the client address from X-Forwarded-For only behind a configured proxy', async () => {
    const proxied = await createTestApp({ TRUST_PROXY: 'true' })
    try {
      for (let i = 0; i < 21; i++) {
        expect((await attemptVia(proxied, `203.0.113.${i + 1}`, `unbekannt-${i}@example.de`)).status).toBe(422)
      }
    } finally {
      await proxied.close()
    }
  })
})

describe('password hashes', () => {
  it('rehashes a weaker stored hash on the next sign-in', async () => {
    const weak = await argon2.hash('korrekt-Pferd-Batterie-Heftklammer', { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 })
    const user = await buildUser(t.db, { password_hash: weak })
    expect((await attempt(user.email, user.password)).status).toBe(303)
    const row = await t.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.password_hash).not.toBe(weak)
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    expect((await attempt(user.email, user.password)).status).toBe(303)
  })

  it('keeps a current hash as it is', async () => {
    const user = await buildUser(t.db)
    expect((await attempt(user.email, user.password)).status).toBe(303)
    const row = await t.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.password_hash).toBe(user.password_hash)
  })
})
