import { randomBytes } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Signer } from '@fastify/cookie'
import { RememberingSigner, SESSION_COOKIE } from '../../src/plugins/session.ts'
import { buildUser } from '../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../helpers/app.ts'

/**
 * SECURITY.md, "Sessions": a new session id whenever the sign-in gets stronger, logout only by POST,
 * no session for requests that need none, no-store on every page. (Timeouts, the cookie's attributes and
 * the role change are in test/features/auth/sessions.test.ts and test/features/admin/users.test.ts.)
 * 2FA is enforced here (DEMO=false).
 */

type Agent = ReturnType<TestApp['agent']>
type Res = { headers: Record<string, unknown> }

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

/** The session id a response sets (unsigned part of the cookie), if any. */
function sidSetBy(res: Res): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? []
  const value = cookies.find((c) => c.startsWith(`${SESSION_COOKIE}=`))?.split(';')[0]!.slice(SESSION_COOKIE.length + 1)
  return value ? decodeURIComponent(value).split('.')[0] : undefined
}

const sessionRow = (sid: string) => t.db.selectFrom('sessions').selectAll().where('sid', '=', sid).executeTakeFirst()

function codeFor(secret: string, steps = 0): string {
  const totp = new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 })
  return totp.generate({ timestamp: t.clock.now().getTime() + steps * 30_000 })
}

/** Switches on 2FA through the pages for a signed-in agent; returns the secret and the enabling response. */
async function enable2fa(agent: Agent) {
  await submitForm(agent, '/account/2fa', '/account/2fa/start', {})
  const page = await agent.get('/account/2fa')
  const secret = page.text.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '')
  const res = await submitForm(agent, '/account/2fa', '/account/2fa/enable', { code: codeFor(secret) })
  expect(res.status).toBe(200)
  t.clock.advance(30_000) // the code just used is spent
  return { secret, res }
}

describe('a new session id', () => {
  it('is issued after the password step and again after the second factor, and the earlier ones are gone', async () => {
    const user = await buildUser(t.db)
    const setup = t.agent()
    await login(setup, user.email, user.password)
    const { secret } = await enable2fa(setup)

    const agent = t.agent()
    const anonymous = sidSetBy(await agent.get('/login'))
    expect(anonymous).toBeDefined()
    const password = await login(agent, user.email, user.password)
    expect(password.headers.location).toBe('/login/2fa?next=%2F')
    const pending = sidSetBy(password)
    expect(pending).toBeDefined()
    expect(pending).not.toBe(anonymous)
    expect(await sessionRow(anonymous!)).toBeUndefined()

    const code = await submitForm(agent, '/login/2fa', '/login/2fa', { code: codeFor(secret), next: '/' })
    expect(code.status).toBe(303)
    const signedIn = sidSetBy(code)
    expect(signedIn).toBeDefined()
    expect([anonymous, pending]).not.toContain(signedIn)
    expect(await sessionRow(pending!)).toBeUndefined()
    expect((await sessionRow(signedIn!))?.user_id).toBe(user.id)
    expect((await agent.get('/')).status).toBe(200)
  })

  it('is issued when staff switch on their second factor and thereby get past the setup page', async () => {
    const staff = await buildUser(t.db, { role: 'staff' })
    const agent = t.agent()
    const signIn = await login(agent, staff.email, staff.password)
    const before = sidSetBy(signIn)!
    expect((await agent.get('/')).headers.location).toBe('/account/2fa')

    const { res } = await enable2fa(agent)
    const after = sidSetBy(res)
    expect(after).toBeDefined()
    expect(after).not.toBe(before)
    expect(await sessionRow(before)).toBeUndefined()
    expect((await sessionRow(after!))?.user_id).toBe(staff.id)
    // The new session is fully signed in, and forms on the recovery-code page carry a token that works.
    expect((await agent.get('/')).status).toBe(200)
    expect((await submitForm(agent, '/account', '/account/profile', { name: 'Stefanie Stab', position: '', locale: 'de' })).status).toBe(303)
  })
})

describe('signing out', () => {
  it('works only by POST: GET and HEAD leave the session alone', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    for (const method of ['get', 'head'] as const) {
      const res = await agent[method]('/logout')
      expect(res.status, method).toBe(404)
    }
    expect((await agent.get('/')).status).toBe(200)
    expect(await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()).toHaveLength(1)
  })

  it('needs the CSRF token, and then deletes the session so the old cookie is worthless', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    const signIn = await login(agent, user.email, user.password)
    const cookie = (signIn.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(';')[0]!

    const forged = await agent.post('/logout').type('form').send({ _csrf: 'erfunden' })
    expect(forged.status).toBe(403)
    expect((await agent.get('/')).status).toBe(200)

    expect((await submitForm(agent, '/', '/logout', {})).status).toBe(303)
    expect(await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()).toHaveLength(0)
    const replayed = await supertest(t.app.server).get('/').set('Cookie', cookie)
    expect(replayed.status).toBe(303)
    expect(replayed.headers.location).toBe('/login?next=%2F')
  })
})

describe("the session cookie's signature", () => {
  it('is checked on every request: a cookie with the id of a session in use and another signature is a stranger', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    const signIn = await login(agent, user.email, user.password)
    const cookie = (signIn.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith(`${SESSION_COOKIE}=`))!.split(';')[0]!
    const [sid, signature] = decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1)).split('.') as [string, string]
    // The genuine cookie has just been checked (and remembered); each variant of it must still fail.
    expect((await supertest(t.app.server).get('/').set('Cookie', cookie)).status).toBe(200)
    const flipped = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)
    for (const forged of [`${sid}.${flipped}`, `${sid}.${signature.slice(0, -1)}`, `${sid}.`, sid, `${sid}.${signature}x`]) {
      const res = await supertest(t.app.server).get('/').set('Cookie', `${SESSION_COOKIE}=${encodeURIComponent(forged)}`)
      expect(res.status, forged).toBe(303)
      expect(res.headers.location).toBe('/login?next=%2F')
    }
    expect((await supertest(t.app.server).get('/').set('Cookie', cookie)).status).toBe(200)
  })
})

describe('RememberingSigner', () => {
  const secret = randomBytes(32).toString('hex')

  it("gives @fastify/cookie's answers, and the same answer again without computing it", () => {
    const plain = new Signer(secret)
    const signer = new RememberingSigner(secret)
    const signed = signer.sign('sitzung-1')
    expect(signed).toBe(plain.sign('sitzung-1'))
    expect(signer.sign('sitzung-1')).toBe(signed)
    const first = signer.unsign(signed)
    expect(first).toEqual(plain.unsign(signed))
    expect(first).toEqual({ valid: true, renew: false, value: 'sitzung-1' })
    // The remembered answer itself, frozen so that no caller can change it for the next request.
    expect(signer.unsign(signed)).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
  })

  it('never remembers a signature it refused, nor accepts one signed with another secret', () => {
    const signer = new RememberingSigner(secret)
    const other = new Signer(randomBytes(32).toString('hex')).sign('sitzung-1')
    const refused = signer.unsign(other)
    expect(refused).toEqual({ valid: false, renew: false, value: null })
    expect(signer.unsign(other)).not.toBe(refused)
    expect(signer.unsign(other).valid).toBe(false)
  })

  it('forgets the oldest entries beyond its capacity and still answers them correctly', () => {
    const plain = new Signer(secret)
    const signer = new RememberingSigner(secret, 3)
    const ids = ['a', 'b', 'c', 'd', 'e']
    const answers = ids.map((id) => signer.unsign(plain.sign(id)))
    expect(signer.unsign(plain.sign('e'))).toBe(answers[4])
    const again = signer.unsign(plain.sign('a'))
    expect(again).not.toBe(answers[0])
    expect(again).toEqual({ valid: true, renew: false, value: 'a' })
    for (const id of ids) expect(signer.sign(id)).toBe(plain.sign(id))
  })
})

describe('requests that need no session', () => {
  const count = async () => Number((await t.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n)

  it('get no cookie and leave no session row (saveUninitialized: false)', async () => {
    const before = await count()
    for (const path of ['/healthz', '/readyz', '/static/css/app.css']) {
      const res = await t.agent().get(path)
      expect(res.status, path).toBe(200)
      expect(sidSetBy(res), path).toBeUndefined()
    }
    expect(await count()).toBe(before)
    // A page with a form does need one (its CSRF secret): the check above would notice a session.
    expect(sidSetBy(await t.agent().get('/login'))).toBeDefined()
  })

  it("an anonymous visitor's error pages (a scanner's 404s) start none; with a session, the language form stays", async () => {
    const before = await count()
    for (const path of ['/wp-login.php', '/.env', '/threads/999999999', '/forums/gibt-es-nicht']) {
      const res = await t.agent().get(path)
      expect([404, 303], path).toContain(res.status)
      expect(sidSetBy(res), path).toBeUndefined()
      if (res.status === 404) {
        expect(res.text, path).toContain('<h1>Fehler 404</h1>')
        expect(res.text, path).not.toContain('action="/language"')
      }
    }
    expect(await count()).toBe(before)

    // A visitor who has a session (the login page gave one) keeps the language switch on the error page,
    // and it works there.
    const agent = t.agent()
    expect(sidSetBy(await agent.get('/login'))).toBeDefined()
    const missing = await agent.get('/gibt-es-nicht')
    expect(missing.status).toBe(404)
    expect(missing.text).toContain('action="/language"')
    const token = missing.text.match(/name="_csrf" value="([^"]+)"/)![1]!
    const switched = await agent.post('/language').type('form').send({ _csrf: token, lang: 'en', next: '/login' })
    expect(switched.status).toBe(303)
    expect((await agent.get('/login')).text).toContain('<html lang="en">')
    expect(await count()).toBe(before + 1)

    // Signed in, the error page keeps the whole header, language form included.
    const user = await buildUser(t.db)
    const member = t.agent()
    await login(member, user.email, user.password)
    const signedIn = await member.get('/gibt-es-nicht')
    expect(signedIn.status).toBe(404)
    expect(signedIn.text).toContain('action="/language"')
    expect(signedIn.text).toContain('action="/logout"')
  })
})

describe('Cache-Control: no-store', () => {
  /** A concrete URL for a route pattern. */
  const concrete = (url: string) =>
    url
      .replace(/:token\b/g, randomBytes(32).toString('base64url'))
      .replace(/:slug\b/g, 'impressum')
      .replace(/:[A-Za-z_]+/g, '1')

  it('is sent by every page a signed-in user can request, whatever its status', async () => {
    const admin = await buildUser(t.db, { role: 'admin' })
    const member = await buildUser(t.db)
    const agents: Agent[] = []
    for (const user of [admin, member]) {
      const agent = t.agent()
      await login(agent, user.email, user.password)
      if (user.role === 'admin') await enable2fa(agent)
      agents.push(agent)
    }
    const pages = t.app.routeTable.filter((r) => r.method === 'GET' && !r.url.startsWith('/static/'))
    expect(pages.length).toBeGreaterThan(10)
    const problems: string[] = []
    const statuses = new Set<number>()
    for (const agent of agents) {
      for (const route of pages) {
        const path = concrete(route.url)
        const res = await agent.get(path).redirects(0)
        statuses.add(res.status)
        if (res.headers['cache-control'] !== 'no-store') problems.push(`${path} → ${res.status} ${res.headers['cache-control']}`)
      }
    }
    expect(problems).toEqual([])
    // Signed-in pages were really among them, not only redirects to the sign-in.
    expect(statuses).toContain(200)
    expect((await agents[0]!.get('/admin')).status).toBe(200)
  })
})
