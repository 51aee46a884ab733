import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../../src/features/users/users.table.ts'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'
import { post, signedIn } from './helpers.ts'

type Agent = ReturnType<TestApp['agent']>
type Who = Role | 'anonymous'
const everyone: Who[] = ['anonymous', 'member', 'municipality_admin', 'staff', 'admin']

let t: TestApp
const agents = {} as Record<Who, Agent>
let contactMunicipalityId: number

beforeAll(async () => {
  // Demo mode does not enforce 2FA for staff and admins (the 2FA setup is another feature); the last
  // test below shows what happens without it.
  t = await createTestApp({ DEMO: 'true' })
  agents.anonymous = t.agent()
  for (const role of ['member', 'staff', 'admin'] as const) agents[role] = (await signedIn(t, role)).agent
  const contact = await signedIn(t, 'municipality_admin')
  agents.municipality_admin = contact.agent
  contactMunicipalityId = contact.user.municipality_id!
})
afterAll(() => t.close())

type Route = {
  name: string
  method: 'GET' | 'POST'
  /** Builds what the request acts on afresh, so every allowed call really changes something. */
  path: () => Promise<string>
  body?: () => Promise<Record<string, string>>
  allowed: Role[]
}

let n = 0
const fixed = (path: string) => async () => path
const municipality = async () => (await buildMunicipality(t.db)).id
const member = async () => (await buildUser(t.db)).id
const colleague = async () => (await buildUser(t.db, { municipality_id: contactMunicipalityId })).id
const inactiveColleague = async () =>
  (await buildUser(t.db, { municipality_id: contactMunicipalityId, active: false })).id

const routes: Route[] = [
  { name: '/admin', method: 'GET', path: fixed('/admin'), allowed: ['admin'] },
  { name: '/admin/municipalities', method: 'GET', path: fixed('/admin/municipalities'), allowed: ['admin'] },
  { name: '/admin/municipalities/new', method: 'GET', path: fixed('/admin/municipalities/new'), allowed: ['admin'] },
  {
    name: '/admin/municipalities/new',
    method: 'POST',
    path: fixed('/admin/municipalities/new'),
    body: async () => ({ name: `Neuort ${++n}`, kind: 'Gemeinde', district: 'Landkreis Matrix', ags: '' }),
    allowed: ['admin'],
  },
  { name: '/admin/municipalities/:id', method: 'GET', path: async () => `/admin/municipalities/${await municipality()}`, allowed: ['admin'] },
  { name: '/admin/municipalities/:id/edit', method: 'GET', path: async () => `/admin/municipalities/${await municipality()}/edit`, allowed: ['admin'] },
  {
    name: '/admin/municipalities/:id/edit',
    method: 'POST',
    path: async () => `/admin/municipalities/${await municipality()}/edit`,
    body: async () => ({ name: `Umbenannt ${++n}`, kind: 'Stadt', district: 'Landkreis Matrix', ags: '' }),
    allowed: ['admin'],
  },
  { name: '/admin/municipalities/:id/deactivate', method: 'POST', path: async () => `/admin/municipalities/${await municipality()}/deactivate`, allowed: ['admin'] },
  {
    name: '/admin/municipalities/:id/reactivate',
    method: 'POST',
    path: async () => `/admin/municipalities/${(await buildMunicipality(t.db, { active: false })).id}/reactivate`,
    allowed: ['admin'],
  },
  { name: '/admin/users', method: 'GET', path: fixed('/admin/users'), allowed: ['admin'] },
  { name: '/admin/users/:id', method: 'GET', path: async () => `/admin/users/${await member()}`, allowed: ['admin'] },
  {
    name: '/admin/users/:id/role',
    method: 'POST',
    path: async () => `/admin/users/${await member()}/role`,
    body: async () => ({ role: 'staff', municipality_id: '' }),
    allowed: ['admin'],
  },
  { name: '/admin/users/:id/erase', method: 'GET', path: async () => `/admin/users/${await member()}/erase`, allowed: ['admin'] },
  {
    name: '/admin/users/:id/erase',
    method: 'POST',
    path: async () => `/admin/users/${await member()}/erase`,
    body: async () => ({ posts: 'keep', confirm: 'yes' }),
    allowed: ['admin'],
  },
  { name: '/admin/users/:id/export', method: 'POST', path: async () => `/admin/users/${await member()}/export`, allowed: ['admin'] },
  { name: '/admin/users/:id/deactivate', method: 'POST', path: async () => `/admin/users/${await member()}/deactivate`, allowed: ['admin'] },
  {
    name: '/admin/users/:id/reactivate',
    method: 'POST',
    path: async () => `/admin/users/${(await buildUser(t.db, { active: false })).id}/reactivate`,
    allowed: ['admin'],
  },
  { name: '/admin/audit', method: 'GET', path: fixed('/admin/audit'), allowed: ['admin'] },
  { name: '/colleagues', method: 'GET', path: fixed('/colleagues'), allowed: ['municipality_admin'] },
  { name: '/colleagues/:id/deactivate', method: 'POST', path: async () => `/colleagues/${await colleague()}/deactivate`, allowed: ['municipality_admin'] },
  { name: '/colleagues/:id/reactivate', method: 'POST', path: async () => `/colleagues/${await inactiveColleague()}/reactivate`, allowed: ['municipality_admin'] },
]

function expected(route: Route, who: Who): { status: number; location?: RegExp } {
  if (who === 'anonymous') return { status: 303, location: /^\/login/ }
  if (!route.allowed.includes(who)) return { status: 403 }
  return route.method === 'GET' ? { status: 200 } : { status: 303 }
}

describe('who may use the administration', () => {
  for (const route of routes) {
    for (const who of everyone) {
      const want = expected(route, who)
      it(`${route.method} ${route.name} as ${who} → ${want.status}`, async () => {
        const path = await route.path()
        const agent = agents[who]
        const res =
          route.method === 'GET'
            ? await agent.get(path)
            : who === 'anonymous'
              ? await agent.post(path).type('form').send((await route.body?.()) ?? {})
              : await post(agent, path, (await route.body?.()) ?? {})
        expect(res.status, `${route.method} ${path} as ${who}`).toBe(want.status)
        if (want.location) expect(res.headers.location).toMatch(want.location)
        if (want.status === 403) expect(res.text).toContain('Sie haben keine Berechtigung für diese Seite.')
      })
    }
  }

  it('covers every administration route of this feature', () => {
    const ours = /^\/(admin(\/(municipalities|users|audit)(\/.*)?)?|colleagues(\/.*)?)$/
    const registered = t.app.routeTable
      .filter((r) => (r.method === 'GET' || r.method === 'POST') && ours.test(r.url))
      .map((r) => `${r.method} ${r.url}`)
    expect(registered.length).toBeGreaterThan(0)
    expect(registered.sort()).toEqual(routes.map((r) => `${r.method} ${r.name}`).sort())
  })

  it('sends an admin without a second factor to the 2FA setup when 2FA is enforced (DEMO=false)', async () => {
    const strict = await createTestApp()
    try {
      const admin = await buildUser(strict.db, { role: 'admin' })
      const agent = strict.agent()
      await login(agent, admin.email, admin.password)
      const res = await agent.get('/admin')
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe('/account/2fa')
    } finally {
      await strict.close()
    }
  })
})
