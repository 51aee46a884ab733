import { Secret, TOTP } from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MINUTE } from '../../../src/lib/clock.ts'
import type { Role } from '../../../src/features/users/users.table.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, login, submitForm, type TestApp } from '../../helpers/app.ts'

const STEP = 30_000

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

type Agent = ReturnType<TestApp['agent']>

/** What an authenticator app would show, `steps` periods from the test clock's now. */
function codeFor(secret: string, steps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 })
  return totp.generate({ timestamp: t.clock.now().getTime() + steps * STEP })
}

function bodyOf(res: { text?: string; body?: unknown }): string {
  return Buffer.isBuffer(res.body) ? res.body.toString('utf8') : (res.text ?? '')
}

/** Signs in and sets up the second factor through the pages; returns the secret and the recovery codes. */
async function signInWith2fa(role: Role = 'member') {
  const user = await buildUser(t.db, { role })
  const agent = t.agent()
  await login(agent, user.email, user.password)
  expect((await submitForm(agent, '/account/2fa', '/account/2fa/start', {})).headers.location).toBe('/account/2fa')
  const page = await agent.get('/account/2fa')
  const secret = page.text.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '')
  const enabled = await submitForm(agent, '/account/2fa', '/account/2fa/enable', { code: codeFor(secret) })
  expect(enabled.status).toBe(200)
  const codes = [...enabled.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!)
  // The code just used is spent: the next sign-in needs the next one.
  t.clock.advance(STEP)
  return { user, agent, secret, codes }
}

/** The password step; returns the agent waiting for its second factor. */
async function passwordStep(email: string, password: string) {
  const agent = t.agent()
  const res = await login(agent, email, password)
  expect(res.headers.location).toBe('/login/2fa?next=%2F')
  return agent
}

function sendCode(agent: Agent, code: string) {
  return submitForm(agent, '/login/2fa', '/login/2fa', { code, next: '/' })
}

describe('setting up two-factor sign-in', () => {
  it('shows a QR code and the key, and switches on only after a correct first code', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const off = await agent.get('/account/2fa')
    expect(off.status).toBe(200)
    expect(off.text).toContain('nicht eingeschaltet')
    expect(off.text).not.toContain('qr.svg')
    expect((await agent.get('/account/2fa/qr.svg')).status).toBe(404)

    await submitForm(agent, '/account/2fa', '/account/2fa/start', {})
    const setup = await agent.get('/account/2fa')
    expect(setup.text).toContain('<img src="/account/2fa/qr.svg"')
    const secret = setup.text.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '')
    expect(secret.length).toBeGreaterThanOrEqual(32)

    const qr = await agent.get('/account/2fa/qr.svg').buffer(true)
    expect(qr.status).toBe(200)
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/)
    expect(qr.headers['cache-control']).toBe('no-store')
    expect(bodyOf(qr)).toContain('<svg')
    expect((await t.agent().get('/account/2fa/qr.svg')).status).toBe(303)

    const wrong = await submitForm(agent, '/account/2fa', '/account/2fa/enable', { code: codeFor(secret, 5) })
    expect(wrong.status).toBe(422)
    expect(wrong.text).toContain('Dieser Code ist nicht gültig.')
    let row = await t.db.selectFrom('users').select(['totp_enabled_at', 'totp_secret']).where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.totp_enabled_at).toBeNull()
    expect(row.totp_secret).toBe(secret)

    const right = await submitForm(agent, '/account/2fa', '/account/2fa/enable', { code: codeFor(secret) })
    expect(right.status).toBe(200)
    const codes = [...right.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!)
    expect(codes).toHaveLength(10)
    expect(new Set(codes).size).toBe(10)
    row = await t.db.selectFrom('users').select(['totp_enabled_at', 'totp_secret']).where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.totp_enabled_at).not.toBeNull()

    const stored = await t.db.selectFrom('recovery_codes').select('code_hash').where('user_id', '=', user.id).execute()
    expect(stored).toHaveLength(10)
    const storedText = JSON.stringify(stored)
    for (const code of codes) expect(storedText).not.toContain(code)

    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.2fa_enabled').where('actor_id', '=', user.id).execute()
    expect(entry).toHaveLength(1)

    // The codes are shown once; the settings page only counts them, and the QR code is gone.
    const on = await agent.get('/account/2fa')
    expect(on.text).toContain('ist eingeschaltet')
    expect(on.text).toContain('10 von 10')
    expect(on.text).not.toContain(codes[0]!)
    expect((await agent.get('/account/2fa/qr.svg')).status).toBe(404)
  })
})

describe('signing in with a second factor', () => {
  it('asks for the code after the password and signs in only with a valid one', async () => {
    const { user, secret } = await signInWith2fa()
    const agent = await passwordStep(user.email, user.password)
    expect((await agent.get('/')).headers.location).toBe('/login?next=%2F')
    const page = await agent.get('/login/2fa?next=%2F')
    expect(page.status).toBe(200)
    expect(page.text).toContain('autocomplete="one-time-code"')

    const wrong = await sendCode(agent, codeFor(secret, 3))
    expect(wrong.status).toBe(422)
    expect(wrong.text).toContain('Dieser Code ist nicht gültig.')
    expect((await agent.get('/')).status).toBe(303)

    const right = await sendCode(agent, codeFor(secret))
    expect(right.status).toBe(303)
    expect(right.headers.location).toBe('/')
    const home = await agent.get('/')
    expect(home.status).toBe(200)
    expect(home.text).toContain(user.name)
  })

  it('accepts a code one step off for clock drift, but not two', async () => {
    const { user, secret } = await signInWith2fa()
    const agent = await passwordStep(user.email, user.password)
    expect((await sendCode(agent, codeFor(secret, 2))).status).toBe(422)
    expect((await sendCode(agent, codeFor(secret, 1))).status).toBe(303)
  })

  it('refuses a code used again within its window', async () => {
    const { user, secret } = await signInWith2fa()
    const code = codeFor(secret)
    expect((await sendCode(await passwordStep(user.email, user.password), code)).status).toBe(303)
    const replay = await sendCode(await passwordStep(user.email, user.password), code)
    expect(replay.status).toBe(422)
    t.clock.advance(STEP)
    expect((await sendCode(await passwordStep(user.email, user.password), codeFor(secret))).status).toBe(303)
  })

  it('accepts each recovery code once, however it is typed', async () => {
    const { user, codes } = await signInWith2fa()
    const first = await passwordStep(user.email, user.password)
    const used = await sendCode(first, codes[0]!.toUpperCase().replace(/-/g, ' '))
    expect(used.status).toBe(303)
    const home = await first.get('/')
    expect(home.status).toBe(200)
    expect(home.text).toContain('mit einem Wiederherstellungscode angemeldet')

    const again = await sendCode(await passwordStep(user.email, user.password), codes[0]!)
    expect(again.status).toBe(422)
    expect((await sendCode(await passwordStep(user.email, user.password), codes[1]!)).status).toBe(303)
    const row = await t.db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', user.id)
      .where('used_at', 'is not', null)
      .executeTakeFirstOrThrow()
    expect(Number(row.n)).toBe(2)
  })

  it('forgets the password step after ten minutes', async () => {
    const { user, secret } = await signInWith2fa()
    const agent = await passwordStep(user.email, user.password)
    const token = await csrfFrom(agent, '/login/2fa')
    t.clock.advance(11 * MINUTE)
    const res = await agent.post('/login/2fa').type('form').send({ _csrf: token, code: codeFor(secret), next: '/' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login')
    expect((await agent.get('/login')).text).toContain('nicht rechtzeitig abgeschlossen')
    expect((await agent.get('/')).status).toBe(303)
  })

  it('sends a visitor without a password step back to the sign-in', async () => {
    const res = await t.agent().get('/login/2fa')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login')
  })

  it('slows down wrong codes with growing waits, without locking out', async () => {
    const { user, secret } = await signInWith2fa()
    const agent = await passwordStep(user.email, user.password)
    for (let i = 0; i < 5; i++) expect((await sendCode(agent, '000000')).status).toBe(422)
    const blocked = await sendCode(agent, codeFor(secret))
    expect(blocked.status).toBe(429)
    expect(blocked.headers['retry-after']).toBe('1')
    t.clock.advance(1000)
    expect((await sendCode(agent, '000000')).status).toBe(422)
    expect((await sendCode(agent, codeFor(secret))).headers['retry-after']).toBe('2')
    t.clock.advance(STEP)
    expect((await sendCode(agent, codeFor(secret))).status).toBe(303)
  })
})

describe('managing the second factor', () => {
  it('renews the recovery codes after the password is confirmed', async () => {
    const { user, agent, codes } = await signInWith2fa()
    const wrong = await submitForm(agent, '/account/2fa', '/account/2fa/recovery-codes', { password: 'falsch-falsch-falsch' })
    expect(wrong.status).toBe(422)
    expect(wrong.text).toContain('Das Passwort ist nicht korrekt.')
    const renewed = await submitForm(agent, '/account/2fa', '/account/2fa/recovery-codes', { password: user.password })
    expect(renewed.status).toBe(200)
    const fresh = [...renewed.text.matchAll(/<li><code>([a-z0-9-]+)<\/code><\/li>/g)].map((m) => m[1]!)
    expect(fresh).toHaveLength(10)
    expect((await sendCode(await passwordStep(user.email, user.password), codes[2]!)).status).toBe(422)
    expect((await sendCode(await passwordStep(user.email, user.password), fresh[0]!)).status).toBe(303)
  })

  it('lets a member switch it off with the password, logged in the audit trail', async () => {
    const { user, agent } = await signInWith2fa()
    const wrong = await submitForm(agent, '/account/2fa', '/account/2fa/disable', { disable_password: 'falsch-falsch-falsch' })
    expect(wrong.status).toBe(422)
    const off = await submitForm(agent, '/account/2fa', '/account/2fa/disable', { disable_password: user.password })
    expect(off.status).toBe(303)
    expect((await agent.get('/account/2fa')).text).toContain('Die Zwei-Faktor-Anmeldung ist ausgeschaltet.')
    const row = await t.db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ totp_secret: null, totp_enabled_at: null })
    expect(await t.db.selectFrom('recovery_codes').select('id').where('user_id', '=', user.id).execute()).toHaveLength(0)
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'auth.2fa_disabled').where('actor_id', '=', user.id).execute()
    expect(entry).toHaveLength(1)
    expect((await login(t.agent(), user.email, user.password)).headers.location).toBe('/')
  })

  it('does not let staff switch it off', async () => {
    const { user, agent } = await signInWith2fa('staff')
    const page = await agent.get('/account/2fa')
    expect(page.text).not.toContain('action="/account/2fa/disable"')
    const res = await submitForm(agent, '/account/2fa', '/account/2fa/disable', { disable_password: user.password })
    expect(res.status).toBe(403)
    const row = await t.db.selectFrom('users').select('totp_enabled_at').where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.totp_enabled_at).not.toBeNull()
  })

  it('leaves it optional for members', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    expect((await login(agent, user.email, user.password)).headers.location).toBe('/')
    expect((await agent.get('/')).status).toBe(200)
    const page = await agent.get('/account/2fa')
    expect(page.text).toContain('Das ist freiwillig')
  })
})

describe('staff and admins without a second factor', () => {
  it('are sent to the setup from every page until it is on', async () => {
    const user = await buildUser(t.db, { role: 'admin' })
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const pages = t.app.routeTable.filter(
      (r) => r.method === 'GET' && r.access !== 'public' && !r.allowWithout2fa && (r.access === 'signed-in' || r.access?.includes('admin')),
    )
    expect(pages.map((p) => p.url)).toContain('/')
    expect(pages.map((p) => p.url)).toContain('/account')
    for (const { url } of pages) {
      const res = await agent.get(url.replace(/:\w+/g, '1').replace('*', 'x'))
      expect([url, res.status, res.headers.location]).toEqual([url, 303, '/account/2fa'])
    }
    const setup = await agent.get('/account/2fa')
    expect(setup.status).toBe(200)
    expect(setup.text).toContain('Pflicht')

    await submitForm(agent, '/account/2fa', '/account/2fa/start', {})
    const page = await agent.get('/account/2fa')
    const secret = page.text.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '')
    expect((await submitForm(agent, '/account/2fa', '/account/2fa/enable', { code: codeFor(secret) })).status).toBe(200)
    expect((await agent.get('/')).status).toBe(200)
    expect((await agent.get('/account')).status).toBe(200)
  })
})
