import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import { buildUser } from '../factories.ts'
import { createTestApp, login, type TestApp } from '../helpers/app.ts'

/**
 * Deny by default, checked over the whole route table: whatever routes the features register,
 * each one must declare who may use it, and nothing but the public ones answers a stranger.
 */

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

type Route = TestApp['app']['routeTable'][number]

/** A concrete URL for a route pattern: ids, tokens and slugs get plausible values. */
function concretePath(url: string): string {
  return url
    .replace(/:id\b/g, '1')
    .replace(/:token\b/g, randomBytes(32).toString('base64url'))
    .replace(/:slug\b/g, 'impressum')
    .replace(/:[A-Za-z_]+/g, '1')
    .replace(/\*$/, 'css/app.css')
}

const describeRoute = (r: Route) => `${r.method} ${r.url}`

function send(agent: ReturnType<TestApp['agent']>, method: string, path: string) {
  switch (method) {
    case 'GET':
      return agent.get(path).redirects(0)
    case 'HEAD':
      return agent.head(path).redirects(0)
    case 'POST':
      return agent.post(path).type('form').send({}).redirects(0)
    case 'PUT':
      return agent.put(path).type('form').send({}).redirects(0)
    case 'PATCH':
      return agent.patch(path).type('form').send({}).redirects(0)
    case 'DELETE':
      return agent.delete(path).redirects(0)
    default:
      return agent.options(path).redirects(0)
  }
}

describe('the route table', () => {
  it('lists the routes every feature registered, each with an access declaration', () => {
    const table = t.app.routeTable
    // The table must really be the app's routes, or the checks below would pass on nothing.
    expect(table.map(describeRoute)).toEqual(expect.arrayContaining(['GET /login', 'POST /login', 'GET /']))
    const undeclared = table.filter((r) => r.access === undefined).map(describeRoute)
    expect(undeclared).toEqual([])
  })

  it('refuses to register a route that declares no access', async () => {
    const app = await buildApp({ config: t.config, db: t.db, mailer: { kind: 'outbox', send: async () => {}, close: async () => {} }, clock: t.clock })
    try {
      expect(() => app.get('/undeclared', async () => 'hello')).toThrow(/declares no access/)
      expect(() => app.post('/undeclared', { config: {} }, async () => 'hello')).toThrow(/declares no access/)
      // A declared route is fine: the check is about the declaration, not about registering late.
      expect(() => app.get('/declared', { config: { access: 'signed-in' } }, async () => 'hello')).not.toThrow()
    } finally {
      await app.close()
    }
  })
})

describe('anonymous visitors', () => {
  it('are sent to the sign-in page by every non-public route', async () => {
    const protectedRoutes = t.app.routeTable.filter((r) => r.access !== 'public')
    expect(protectedRoutes.length).toBeGreaterThan(0)
    const problems: string[] = []
    for (const route of protectedRoutes) {
      const path = concretePath(route.url)
      const res = await send(t.agent(), route.method, path)
      const location = res.headers.location ?? ''
      const safe = route.method === 'GET' || route.method === 'HEAD'
      const ok = safe
        ? res.status === 303 && location === `/login?next=${encodeURIComponent(path)}`
        : (res.status === 303 && location.startsWith('/login')) || res.status === 403
      if (!ok) problems.push(`${describeRoute(route)} (${path}) → ${res.status} ${location}`)
    }
    expect(problems).toEqual([])
  })

  it('get an answer without a server error from every public route', async () => {
    const publicRoutes = t.app.routeTable.filter((r) => r.access === 'public')
    const problems: string[] = []
    for (const route of publicRoutes) {
      const path = concretePath(route.url)
      const res = await send(t.agent(), route.method, path)
      if (res.status >= 500) problems.push(`${describeRoute(route)} (${path}) → ${res.status}`)
    }
    expect(problems).toEqual([])
  })
})

describe('signed-in members', () => {
  it('are turned away (403) from every route reserved for other roles', async () => {
    const member = await buildUser(t.db, { role: 'member' })
    const agent = t.agent()
    await login(agent, member.email, member.password)
    const reserved = t.app.routeTable.filter((r) => Array.isArray(r.access) && !r.access.includes('member'))
    const problems: string[] = []
    for (const route of reserved) {
      const path = concretePath(route.url)
      const res = await send(agent, route.method, path)
      if (res.status !== 403) problems.push(`${describeRoute(route)} (${path}) → ${res.status} ${res.headers.location ?? ''}`)
    }
    expect(problems).toEqual([])
    // Still signed in afterwards: the 403s were about the role, not a lost session.
    expect((await agent.get('/')).status).toBe(200)
  })
})
