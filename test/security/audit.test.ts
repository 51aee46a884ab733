import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../src/features/users/users.table.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../helpers/app.ts'

/**
 * SECURITY.md, "Logs and audit": an append-only audit entry for every staff and admin action,
 * invitations and role changes. Every state-changing route reserved for particular roles is listed
 * here with what it must record; a new one fails the completeness check until it is added.
 * (Second-factor changes, invitation acceptance and the first-admin setup are checked in their
 * feature tests: test/features/auth/two-factor.test.ts, invitations/, setup/.)
 */

type Agent = ReturnType<TestApp['agent']>
const root = resolve(import.meta.dirname, '..', '..')
type Actor = { id: number; agent: Agent }

let t: TestApp
const actors = {} as Record<'admin' | 'municipality_admin', Actor & { municipalityId: number | null }>

beforeAll(async () => {
  // Demo mode: admins need no second factor here (enforcement is tested in test/features/admin/access.test.ts).
  t = await createTestApp({ DEMO: 'true' })
  for (const role of ['admin', 'municipality_admin'] as const) {
    const user = await buildUser(t.db, { role })
    const agent = t.agent()
    await login(agent, user.email, user.password)
    actors[role] = { id: user.id, agent, municipalityId: user.municipality_id }
  }
})
afterAll(() => t.close())

const post = (agent: Agent, action: string, fields: Record<string, string> = {}) => submitForm(agent, '/', action, fields)
let n = 0
const unique = () => `${++n}-${Math.random().toString(36).slice(2, 7)}`

async function invitationId(email: string) {
  return (await t.db.selectFrom('invitations').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id
}

async function invite(actor: Actor, municipalityId: number | null) {
  const email = `audit-${unique()}@example.de`
  const res = await post(actor.agent, '/invitations/new', {
    email,
    role: 'member',
    municipality_id: municipalityId ? String(municipalityId) : '',
    locale: 'de',
  })
  expect(res.status).toBe(303)
  return { email, id: await invitationId(email) }
}

type Case = {
  route: string
  as: 'admin' | 'municipality_admin'
  /**
   * Performs the action through the route; returns the expected actions (in order) and their target.
   * `ready()` marks the end of the preparation: only entries written after it count.
   */
  act: (actor: Actor & { municipalityId: number | null }, ready: () => Promise<void>) => Promise<{ status: number; expect: string[]; targetId?: number }>
}

const cases: Case[] = [
  {
    route: 'POST /invitations/new',
    as: 'admin',
    act: async (actor) => {
      const town = await buildMunicipality(t.db)
      const email = `neu-${unique()}@example.de`
      const res = await post(actor.agent, '/invitations/new', { email, role: 'member', municipality_id: String(town.id), locale: 'de' })
      return { status: res.status, expect: ['invitation.created'], targetId: await invitationId(email) }
    },
  },
  {
    route: 'POST /invitations/new',
    as: 'municipality_admin',
    act: async (actor) => {
      const email = `kollegin-${unique()}@example.de`
      const res = await post(actor.agent, '/invitations/new', { email, role: 'member', locale: 'de' })
      return { status: res.status, expect: ['invitation.created'], targetId: await invitationId(email) }
    },
  },
  {
    route: 'POST /invitations/:id/resend',
    as: 'municipality_admin',
    act: async (actor, ready) => {
      const { id } = await invite(actor, null)
      await ready()
      const res = await post(actor.agent, `/invitations/${id}/resend`)
      return { status: res.status, expect: ['invitation.resent'], targetId: id }
    },
  },
  {
    route: 'POST /invitations/:id/revoke',
    as: 'admin',
    act: async (actor, ready) => {
      const { id } = await invite(actor, (await buildMunicipality(t.db)).id)
      await ready()
      const res = await post(actor.agent, `/invitations/${id}/revoke`)
      return { status: res.status, expect: ['invitation.revoked'], targetId: id }
    },
  },
  {
    route: 'POST /invitations/bulk/preview',
    as: 'admin',
    act: async (actor) => {
      const town = await buildMunicipality(t.db)
      const csv = `name,email,role\nPia Probe,probe-${unique()}@example.de,member\n`
      const res = await submitForm(actor.agent, '/invitations/bulk', '/invitations/bulk/preview', { csv, municipality_id: String(town.id), locale: 'de' })
      // A preview changes nothing, so it records nothing.
      return { status: res.status, expect: [] }
    },
  },
  {
    route: 'POST /invitations/bulk/send',
    as: 'admin',
    act: async (actor) => {
      const town = await buildMunicipality(t.db)
      const csv = `name,email,role\nBen Bulk,bulk-${unique()}@example.de,member\nSara Stab,stab-${unique()}@verband.de,staff\n`
      const res = await submitForm(actor.agent, '/invitations/bulk', '/invitations/bulk/send', { csv, municipality_id: String(town.id), locale: 'de' })
      return { status: res.status, expect: ['invitation.created', 'invitation.created'] }
    },
  },
  {
    route: 'POST /admin/municipalities/new',
    as: 'admin',
    act: async (actor) => {
      const name = `Auditstadt ${unique()}`
      const res = await post(actor.agent, '/admin/municipalities/new', { name, kind: 'Stadt', district: 'Landkreis Protokoll', ags: '' })
      const row = await t.db.selectFrom('municipalities').select('id').where('name', '=', name).executeTakeFirstOrThrow()
      return { status: res.status, expect: ['municipality.created'], targetId: row.id }
    },
  },
  {
    route: 'POST /admin/municipalities/:id/edit',
    as: 'admin',
    act: async (actor) => {
      const town = await buildMunicipality(t.db)
      const res = await post(actor.agent, `/admin/municipalities/${town.id}/edit`, { name: `Umbenannt ${unique()}`, kind: 'Stadt', district: town.district, ags: '' })
      return { status: res.status, expect: ['municipality.updated'], targetId: town.id }
    },
  },
  {
    route: 'POST /admin/municipalities/:id/deactivate',
    as: 'admin',
    act: async (actor) => {
      const town = await buildMunicipality(t.db)
      await buildUser(t.db, { municipality_id: town.id })
      const res = await post(actor.agent, `/admin/municipalities/${town.id}/deactivate`)
      return { status: res.status, expect: ['municipality.deactivated'], targetId: town.id }
    },
  },
  {
    route: 'POST /admin/municipalities/:id/reactivate',
    as: 'admin',
    act: async (actor) => {
      const town = await buildMunicipality(t.db, { active: false })
      const res = await post(actor.agent, `/admin/municipalities/${town.id}/reactivate`)
      return { status: res.status, expect: ['municipality.reactivated'], targetId: town.id }
    },
  },
  {
    route: 'POST /admin/users/:id/role',
    as: 'admin',
    act: async (actor) => {
      const member = await buildUser(t.db)
      const res = await post(actor.agent, `/admin/users/${member.id}/role`, { role: 'staff', municipality_id: '' })
      return { status: res.status, expect: ['user.role_changed'], targetId: member.id }
    },
  },
  {
    route: 'POST /admin/users/:id/role',
    as: 'admin',
    act: async (actor) => {
      // Same role, another municipality: a change of scope is recorded too.
      const member = await buildUser(t.db)
      const other = await buildMunicipality(t.db)
      const res = await post(actor.agent, `/admin/users/${member.id}/role`, { role: 'member', municipality_id: String(other.id) })
      return { status: res.status, expect: ['user.municipality_changed'], targetId: member.id }
    },
  },
  {
    route: 'POST /admin/users/:id/deactivate',
    as: 'admin',
    act: async (actor) => {
      const member = await buildUser(t.db)
      const res = await post(actor.agent, `/admin/users/${member.id}/deactivate`)
      return { status: res.status, expect: ['user.deactivated'], targetId: member.id }
    },
  },
  {
    route: 'POST /admin/users/:id/reactivate',
    as: 'admin',
    act: async (actor) => {
      const member = await buildUser(t.db, { active: false })
      const res = await post(actor.agent, `/admin/users/${member.id}/reactivate`)
      return { status: res.status, expect: ['user.reactivated'], targetId: member.id }
    },
  },
  {
    route: 'POST /colleagues/:id/deactivate',
    as: 'municipality_admin',
    act: async (actor) => {
      const colleague = await buildUser(t.db, { municipality_id: actor.municipalityId })
      const res = await post(actor.agent, `/colleagues/${colleague.id}/deactivate`)
      return { status: res.status, expect: ['user.deactivated'], targetId: colleague.id }
    },
  },
  {
    route: 'POST /colleagues/:id/reactivate',
    as: 'municipality_admin',
    act: async (actor) => {
      const colleague = await buildUser(t.db, { municipality_id: actor.municipalityId, active: false })
      const res = await post(actor.agent, `/colleagues/${colleague.id}/reactivate`)
      return { status: res.status, expect: ['user.reactivated'], targetId: colleague.id }
    },
  },
  {
    route: 'POST /admin/pages/:slug',
    as: 'admin',
    act: async (actor) => {
      const res = await post(actor.agent, '/admin/pages/impressum', { title: 'Impressum', body: `Verband, Stand ${unique()}`, action: 'save' })
      return { status: res.status, expect: ['site_page.updated'] }
    },
  },
  {
    route: 'POST /admin/pages/:slug',
    as: 'admin',
    act: async (actor) => {
      const res = await post(actor.agent, '/admin/pages/impressum', { title: 'Impressum', body: 'Nur ansehen', action: 'preview' })
      return { status: res.status, expect: [] }
    },
  },
  {
    route: 'POST /dashboard/watchlist',
    as: 'admin',
    act: async (actor) => {
      const term = `Wärmeplanung ${unique().replace(/[^a-z]/g, '') || 'x'}`
      const res = await post(actor.agent, '/dashboard/watchlist', { term })
      const row = await t.db.selectFrom('trend_watch_terms').select('id').where('term', '=', term).executeTakeFirstOrThrow()
      return { status: res.status, expect: ['trend_watch.added'], targetId: row.id }
    },
  },
  {
    route: 'POST /dashboard/watchlist/:id/delete',
    as: 'admin',
    act: async (actor, ready) => {
      const term = `Schulbus ${unique().replace(/[^a-z]/g, '') || 'x'}`
      expect((await post(actor.agent, '/dashboard/watchlist', { term })).status).toBe(303)
      const row = await t.db.selectFrom('trend_watch_terms').select('id').where('term', '=', term).executeTakeFirstOrThrow()
      await ready()
      const res = await post(actor.agent, `/dashboard/watchlist/${row.id}/delete`)
      return { status: res.status, expect: ['trend_watch.removed'], targetId: row.id }
    },
  },
]

/**
 * Moderation is tested with its audit entries in its own feature test (it needs threads and posts);
 * here only that the test exists and checks the action.
 */
const auditedInFeatureTests: Record<string, { file: string; actions: string[] }> = {
  'POST /threads/:id/pin': { file: 'test/features/moderation/moderation.test.ts', actions: ['thread.pinned'] },
  'POST /threads/:id/unpin': { file: 'test/features/moderation/moderation.test.ts', actions: ['thread.unpinned'] },
  'POST /threads/:id/lock': { file: 'test/features/moderation/moderation.test.ts', actions: ['thread.locked'] },
  'POST /threads/:id/unlock': { file: 'test/features/moderation/moderation.test.ts', actions: ['thread.unlocked'] },
  'POST /threads/:id/move': { file: 'test/features/moderation/moderation.test.ts', actions: ['thread.moved'] },
  'POST /posts/:id/hide': { file: 'test/features/moderation/moderation.test.ts', actions: ['post.hidden'] },
  'POST /posts/:id/unhide': { file: 'test/features/moderation/moderation.test.ts', actions: ['post.unhidden'] },
  'POST /moderation/reports/:id/hide': { file: 'test/features/moderation/moderation.test.ts', actions: ['post.hidden'] },
  'POST /moderation/reports/:id/dismiss': { file: 'test/features/moderation/moderation.test.ts', actions: ['report.dismissed'] },
  'POST /admin/users/:id/export': { file: 'test/features/privacy/export.test.ts', actions: ['user.data_export_requested'] },
  'POST /admin/users/:id/erase': { file: 'test/features/privacy/close-account.test.ts', actions: ['user.erased'] },
  'POST /posts/:id/restore': { file: 'test/features/threads/threads.test.ts', actions: ['post.restored'] },
  'POST /admin/mail/test-digest': { file: 'test/features/mail/settings.test.ts', actions: ['mail.test_digest'] },
}

async function entriesAfter(id: number) {
  return t.db.selectFrom('audit_log').selectAll().where('id', '>', id).orderBy('id').execute()
}

async function lastId() {
  const row = await t.db.selectFrom('audit_log').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst()
  return Number(row?.id ?? 0)
}

describe('the audit log', () => {
  it.each(cases.map((c) => [c.route, c.as, c] as const))('records %s by a %s', async (_route, as, c) => {
    const actor = actors[as]
    let before = await lastId()
    const outcome = await c.act(actor, async () => {
      before = await lastId()
    })
    expect(outcome.status).toBeLessThan(400)
    const entries = await entriesAfter(before)
    expect(entries.map((e) => e.action)).toEqual(outcome.expect)
    for (const entry of entries) {
      expect(entry.actor_id).toBe(actor.id)
      expect(entry.at).toEqual(t.clock.now())
      if (outcome.targetId !== undefined) expect(entry.target_id).toBe(outcome.targetId)
      // Ids, roles and states only: names and addresses stay in their rows (erasure reaches them there).
      expect(JSON.stringify(entry.details)).not.toMatch(/@|Auditstadt|Umbenannt/)
    }
  })

  it('covers every state-changing route reserved for particular roles', () => {
    const reserved = t.app.routeTable
      .filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && Array.isArray(r.access))
      .map((r) => `${r.method} ${r.url}`)
    expect(reserved.length).toBeGreaterThan(10)
    const covered = new Set([...cases.map((c) => c.route), ...Object.keys(auditedInFeatureTests)])
    expect(reserved.filter((r) => !covered.has(r)), 'role-restricted routes without an audit check: add the audit entry and a case here').toEqual([])
    for (const [route, { file, actions }] of Object.entries(auditedInFeatureTests)) {
      if (!reserved.includes(route)) continue
      const text = existsSync(join(root, file)) ? readFileSync(join(root, file), 'utf8') : ''
      expect(text, `${route}: ${file} checks the audit log`).toContain('audit_log')
      for (const action of actions) expect(text, `${route}: ${file} checks ${action}`).toContain(`'${action}'`)
    }
  })

  it('records nothing for a refused attempt', async () => {
    const member = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, member.email, member.password)
    const target = await buildUser(t.db)
    const before = await lastId()
    const roles: Role[] = ['admin']
    const res = await post(agent, `/admin/users/${target.id}/role`, { role: roles[0]!, municipality_id: '' })
    expect(res.status).toBe(403)
    expect(await entriesAfter(before)).toEqual([])
  })
})
