import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MINUTE } from '../../../src/lib/clock.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, login, type TestApp } from '../../helpers/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

async function signedIn(app: TestApp = t) {
  const user = await buildUser(app.db)
  const agent = app.agent()
  const res = await login(agent, user.email, user.password)
  return { user, agent, res }
}

function sessionCookieHeader(res: { headers: Record<string, unknown> }): string {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? []
  const cookie = cookies.find((c) => c.startsWith('kf_sid='))
  if (!cookie) throw new Error('no session cookie set')
  return cookie
}

describe('idle timeout and absolute lifetime (defaults: 30 minutes, 12 hours)', () => {
  it('keeps an active session and ends one idle for more than 30 minutes', async () => {
    const { agent } = await signedIn()
    t.clock.advance(29 * MINUTE)
    expect((await agent.get('/')).status).toBe(200)
    t.clock.advance(29 * MINUTE)
    expect((await agent.get('/')).status).toBe(200)
    t.clock.advance(31 * MINUTE)
    const expired = await agent.get('/')
    expect(expired.status).toBe(303)
    expect(expired.headers.location).toBe('/login?next=%2F')
    const loginPage = await agent.get('/login')
    expect(loginPage.text).toMatch(/role="status"[^>]*>Ihre Sitzung ist abgelaufen/)
    // Being away does not come back to life: the old session is gone, not just hidden.
    expect((await agent.get('/')).status).toBe(303)
  })

  it('ends even an active session after 12 hours', async () => {
    const { agent } = await signedIn()
    // A request every 25 minutes until 11 h 40 min, then one after 12 h 05 min.
    for (let i = 0; i < 28; i++) {
      t.clock.advance(25 * MINUTE)
      expect((await agent.get('/')).status).toBe(200)
    }
    t.clock.advance(25 * MINUTE)
    expect((await agent.get('/')).headers.location).toBe('/login?next=%2F')
  })

  it('stays alive through "Sitzung verlängern" without other activity', async () => {
    const { agent } = await signedIn()
    const token = await csrfFrom(agent, '/')
    t.clock.advance(25 * MINUTE)
    const extended = await agent.post('/session/extend').type('form').send({ _csrf: token, next: '/' })
    expect(extended.status).toBe(303)
    expect(extended.headers.location).toBe('/')
    t.clock.advance(25 * MINUTE)
    const page = await agent.get('/')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Ihre Sitzung wurde verlängert.')

    // The script's variant answers without a page.
    t.clock.advance(25 * MINUTE)
    const quiet = await agent.post('/session/extend').set('Accept', 'application/json').type('form').send({ _csrf: token })
    expect(quiet.status).toBe(204)
    t.clock.advance(25 * MINUTE)
    expect((await agent.get('/')).status).toBe(200)

    // Without it, the same pause ends the session.
    const idle = await signedIn()
    t.clock.advance(50 * MINUTE)
    expect((await idle.agent.get('/')).status).toBe(303)
  })

  it('signs a deactivated account out on its next request', async () => {
    const { user, agent } = await signedIn()
    expect((await agent.get('/')).status).toBe(200)
    await t.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute()
    expect((await agent.get('/')).headers.location).toBe('/login?next=%2F')
    expect(await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()).toHaveLength(0)
    await t.db.updateTable('users').set({ active: true }).where('id', '=', user.id).execute()
    expect((await agent.get('/')).status).toBe(303)
  })
})

describe('configured timeouts', () => {
  let custom: TestApp
  beforeAll(async () => {
    custom = await createTestApp({ SESSION_IDLE_MINUTES: '5', SESSION_MAX_HOURS: '1' })
  })
  afterAll(() => custom.close())

  it('uses SESSION_IDLE_MINUTES and SESSION_MAX_HOURS', async () => {
    const idle = await signedIn(custom)
    custom.clock.advance(6 * MINUTE)
    expect((await idle.agent.get('/')).status).toBe(303)

    const busy = await signedIn(custom)
    for (let i = 0; i < 14; i++) {
      custom.clock.advance(4 * MINUTE)
      expect((await busy.agent.get('/')).status).toBe(200)
    }
    custom.clock.advance(5 * MINUTE)
    expect((await busy.agent.get('/')).status).toBe(303)
  })
})

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Lax, for the whole site, without a lifetime of its own', async () => {
    const { res } = await signedIn()
    const cookie = sessionCookieHeader(res)
    expect(cookie).toMatch(/; HttpOnly/i)
    expect(cookie).toMatch(/; SameSite=Lax/i)
    expect(cookie).toMatch(/; Path=\//i)
    expect(cookie).not.toMatch(/; Secure/i)
    expect(cookie).not.toMatch(/Max-Age|Expires/i)
  })

  it('is Secure in production', async () => {
    const prod = await createTestApp({ NODE_ENV: 'production', BASE_URL: 'https://forum.test', TRUST_PROXY: 'true' })
    try {
      const res = await prod.agent().get('/login').set('X-Forwarded-Proto', 'https')
      expect(res.status).toBe(200)
      const cookie = sessionCookieHeader(res)
      expect(cookie).toMatch(/; Secure/i)
      expect(cookie).toMatch(/; HttpOnly/i)
      expect(cookie).toMatch(/; SameSite=Lax/i)
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/)
    } finally {
      await prod.close()
    }
  })
})
