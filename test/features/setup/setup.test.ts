import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { HOUR } from '../../../src/lib/clock.ts'
import { firstAdminLink } from '../../../src/features/setup/setup.service.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, TEST_BASE_URL, type TestApp } from '../../helpers/app.ts'

// A real installation (DEMO false, the default of createTestApp): a new admin is forced to set up 2FA.
let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

const passphrase = 'Lange-Passphrase-fuer-den-Start'
let form: Record<string, string>
let run = 0

/** Starts each test as a fresh installation: no active admin, a new link (and a new email to use). */
async function freshLink() {
  // The audit log references admins, so earlier ones are deactivated rather than deleted.
  await t.db.updateTable('users').set({ active: false }).where('role', '=', 'admin').execute()
  form = { name: 'Erste Administratorin', email: `admin-${++run}@verband.example`, password: passphrase, password_confirm: passphrase }
  const link = await firstAdminLink(t.db, t.config, t.clock.now())
  if (!link) throw new Error('no setup link although no admin exists')
  return link.slice(TEST_BASE_URL.length)
}

async function post(path: string, fields: Record<string, string>) {
  const agent = t.agent()
  const token = await csrfFrom(agent, '/login')
  const res = await agent.post(path).type('form').send({ _csrf: token, ...fields })
  return { res, agent }
}

async function admins() {
  return t.db.selectFrom('users').selectAll().where('role', '=', 'admin').where('active', '=', true).execute()
}

describe('first admin setup link', () => {
  beforeEach(() => t.clock.set('2026-03-02T08:00:00Z'))

  it('shows the form on GET and changes nothing', async () => {
    const path = await freshLink()
    const res = await t.agent().get(path)
    expect(res.status).toBe(200)
    expect(res.text).toContain('Erstes Administrationskonto anlegen')
    expect(res.text).toContain('autocomplete="new-password"')
    expect((await t.agent().get(path)).status).toBe(200)
    expect(await admins()).toHaveLength(0)
  })

  it('creates the admin once, signs them in and sends them to set up 2FA', async () => {
    const path = await freshLink()
    const { res, agent } = await post(path, form)
    expect(res.status).toBe(303)
    const [admin, ...others] = await admins()
    expect(others).toHaveLength(0)
    expect(admin).toMatchObject({ name: form.name, email: form.email, municipality_id: null, active: true })
    expect(admin!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/)
    // Signed in: the new admin is sent to 2FA setup before anything else.
    expect((await agent.get('/')).headers.location).toBe('/account/2fa')
    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'admin.created_by_setup').executeTakeFirstOrThrow()
    expect(entry.target_id).toBe(admin!.id)

    const again = await post(path, { ...form, email: 'zweite@verband.example' })
    expect(again.res.status).toBe(404)
    expect(again.res.text).toContain('Link ungültig')
    expect((await t.agent().get(path)).status).toBe(404)
    expect(await admins()).toHaveLength(1)
  })

  it('answers 404 for a wrong token, an expired link and once an admin exists', async () => {
    const path = await freshLink()
    const wrong = await t.agent().get('/setup/falsch-falsch-falsch')
    expect(wrong.status).toBe(404)
    expect(wrong.text).toContain('Dieser Link ist ungültig, abgelaufen oder wurde bereits verwendet.')
    expect((await post('/setup/falsch-falsch-falsch', form)).res.status).toBe(404)

    t.clock.advance(25 * HOUR)
    expect((await t.agent().get(path)).status).toBe(404)
    expect((await post(path, form)).res.status).toBe(404)
    expect(await admins()).toHaveLength(0)

    const path2 = await freshLink()
    await buildUser(t.db, { role: 'admin' })
    expect((await t.agent().get(path2)).status).toBe(404)
  })

  it('creates exactly one admin from parallel submissions', async () => {
    const path = await freshLink()
    const agents = [t.agent(), t.agent(), t.agent(), t.agent()]
    const tokens = await Promise.all(agents.map((a) => csrfFrom(a, path)))
    const results = await Promise.all(
      agents.map((a, i) => a.post(path).type('form').send({ _csrf: tokens[i]!, ...form, email: `parallel-${i}@verband.example` })),
    )
    expect(results.map((r) => r.status).sort()).toEqual([303, 404, 404, 404])
    expect(await admins()).toHaveLength(1)
  })

  it('re-renders with errors for a weak or mismatched password and a taken email, keeping the link', async () => {
    const path = await freshLink()
    const weak = await post(path, { ...form, password: 'passwort', password_confirm: 'passwort' })
    expect(weak.res.status).toBe(422)
    expect(weak.res.text).toContain('Dieses Passwort ist zu verbreitet')
    expect(weak.res.text).toContain(`value="${form.email}"`)
    expect(weak.res.text).not.toContain('value="passwort"')

    const mismatch = await post(path, { ...form, password_confirm: 'etwas-ganz-anderes-hier' })
    expect(mismatch.res.status).toBe(422)
    expect(mismatch.res.text).toContain('Die beiden Passwörter stimmen nicht überein.')

    const member = await buildUser(t.db)
    const taken = await post(path, { ...form, email: member.email })
    expect(taken.res.status).toBe(422)
    expect(taken.res.text).toContain('Zu dieser E-Mail-Adresse gibt es bereits ein Konto.')

    const smuggled = await post(path, { ...form, role: 'member' })
    expect(smuggled.res.status).toBe(422)

    expect(await admins()).toHaveLength(0)
    expect((await post(path, form)).res.status).toBe(303)
  })
})
