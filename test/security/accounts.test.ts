import { createHash } from 'node:crypto'
import argon2 from 'argon2'
import type { FastifyInstance } from 'fastify'
import { type Kysely, sql } from 'kysely'
import supertest from 'supertest'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { buildApp } from '../../src/app.ts'
import type { Database } from '../../src/db/database.ts'
import { firstAdminLink } from '../../src/features/setup/setup.service.ts'
import { DAY, MINUTE } from '../../src/lib/clock.ts'
import { dummyPasswordHash, hashPassword } from '../../src/lib/passwords.ts'
import type { Mailer, MailMessage } from '../../src/plugins/mailer.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { createTestApp, csrfFrom, login, submitForm, TEST_BASE_URL, type TestApp } from '../helpers/app.ts'
import { type CapturedMail, linkIn } from '../helpers/smtp.ts'

/**
 * SECURITY.md, "Accounts and invitations": hashes, enumeration, link tokens (entropy, storage, single
 * use, origin of the link, GET changes nothing). Demo mode only spares the admins the 2FA setup here.
 */

type Agent = ReturnType<TestApp['agent']>
const GOOD_PASSWORD = 'Sieben Möwen über dem Hafen'
const OTHER_PASSWORD = 'Acht Krähen auf dem Kirchturm'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
})
afterAll(() => t.close())
// The reset form allows 10 requests per IP in 15 minutes; every test starts in a fresh window.
beforeEach(() => t.clock.advance(16 * MINUTE))

async function signedIn(app: TestApp, role: 'admin' | 'member' | 'municipality_admin' = 'admin') {
  const user = await buildUser(app.db, { role })
  const agent = app.agent()
  await login(agent, user.email, user.password)
  return { user, agent }
}

async function mailTo(app: TestApp, email: string, n = 1): Promise<CapturedMail> {
  await app.smtp.waitFor(() => app.smtp.to(email).length >= n)
  return app.smtp.to(email)[n - 1]!
}

const pathOf = (link: string) => new URL(link).pathname
const tokenOf = (link: string) => pathOf(link).split('/').pop()!
const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex')

/** Invites through the admin form and returns the link from the mail. */
async function invite(app: TestApp, admin: Agent, email: string, extra: Record<string, string> = {}) {
  const town = await buildMunicipality(app.db)
  const res = await submitForm(admin, '/invitations/new', '/invitations/new', {
    email,
    role: 'member',
    municipality_id: String(town.id),
    locale: 'de',
    ...extra,
  })
  expect(res.status).toBe(303)
  return linkIn(await mailTo(app, email), `${TEST_BASE_URL}/invite/`)
}

async function requestReset(app: TestApp, email: string) {
  const before = app.smtp.to(email).length
  const res = await submitForm(app.agent(), '/password/forgot', '/password/forgot', { email })
  expect(res.status).toBe(303)
  return linkIn(await mailTo(app, email, before + 1), `${TEST_BASE_URL}/password/reset/`)
}

/** Every row of every table, as text: what "stored anywhere" means. */
async function dumpDatabase(db: Kysely<Database>, except: string[] = []): Promise<Record<string, string[]>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`.execute(db)
  const dump: Record<string, string[]> = {}
  for (const { table_name } of tables.rows) {
    if (except.includes(table_name)) continue
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table_name)}`.execute(db)
    dump[table_name] = rows.rows.map((r) => JSON.stringify(r)).sort()
  }
  return dump
}

/** Argon2 parameters of a stored PHC string. */
function argon2Parameters(hash: string | null) {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(hash ?? '')
  if (!m) throw new Error(`not an argon2id hash: ${hash?.slice(0, 20)}`)
  return { m: Number(m[1]), t: Number(m[2]), p: Number(m[3]) }
}

function expectOwaspParameters(hash: string | null) {
  const { m, t: time, p } = argon2Parameters(hash)
  expect(m).toBeGreaterThanOrEqual(19456)
  expect(time).toBeGreaterThanOrEqual(2)
  expect(p).toBeGreaterThanOrEqual(1)
}

const storedHash = async (db: Kysely<Database>, email: string) =>
  (await db.selectFrom('users').select('password_hash').where('email', '=', email).executeTakeFirstOrThrow()).password_hash

describe('password hashes', () => {
  it('are argon2id with at least m=19456 KiB, t=2, p=1 wherever a password is set', async () => {
    expect(argon2Parameters(await hashPassword('irgendein Passwort 1'))).toEqual({ m: 19456, t: 2, p: 1 })
    const { agent: admin } = await signedIn(t)

    // Accepting an invitation.
    const invited = 'hash-einladung@example.de'
    const invitePath = pathOf(await invite(t, admin, invited))
    const accepted = await submitForm(t.agent(), invitePath, invitePath, {
      name: 'Hanna Hash',
      position: '',
      password: GOOD_PASSWORD,
      password_confirm: GOOD_PASSWORD,
    })
    expect(accepted.status).toBe(303)
    expectOwaspParameters(await storedHash(t.db, invited))

    // A password reset.
    const resetUser = await buildUser(t.db, { password_hash: null })
    const resetPath = pathOf(await requestReset(t, resetUser.email))
    expect((await submitForm(t.agent(), resetPath, resetPath, { new_password: GOOD_PASSWORD, new_password_confirm: GOOD_PASSWORD })).status).toBe(303)
    expectOwaspParameters(await storedHash(t.db, resetUser.email))

    // Changing the own password, starting from a weak legacy hash.
    const legacy = await argon2.hash('korrekt-Pferd-Batterie-Heftklammer', { type: argon2.argon2i, memoryCost: 4096, timeCost: 1, parallelism: 1 })
    const changer = await buildUser(t.db, { password_hash: legacy })
    const agent = t.agent()
    await login(agent, changer.email, changer.password)
    const changed = await submitForm(agent, '/account', '/account/password', {
      current_password: changer.password,
      new_password: OTHER_PASSWORD,
      new_password_confirm: OTHER_PASSWORD,
    })
    expect(changed.status).toBe(303)
    expectOwaspParameters(await storedHash(t.db, changer.email))
  })

  it('are argon2id with the same parameters for the first admin created through the setup link', async () => {
    const fresh = await createTestApp()
    try {
      const link = await firstAdminLink(fresh.db, fresh.config, fresh.clock.now())
      expect(link).not.toBeNull()
      const path = pathOf(link!)
      const res = await submitForm(fresh.agent(), path, path, {
        name: 'Erste Administratorin',
        email: 'erste@verband.de',
        password: GOOD_PASSWORD,
        password_confirm: GOOD_PASSWORD,
      })
      expect(res.status).toBe(303)
      expectOwaspParameters(await storedHash(fresh.db, 'erste@verband.de'))
    } finally {
      await fresh.close()
    }
  })
})

describe('no account enumeration', () => {
  afterEach(() => vi.restoreAllMocks())

  it('verifies a password against a dummy hash of the same cost for unknown, deactivated and password-less accounts', async () => {
    const known = await buildUser(t.db)
    const inactive = await buildUser(t.db, { active: false })
    const imported = await buildUser(t.db, { password_hash: null })
    const dummy = await dummyPasswordHash()
    expect(argon2Parameters(dummy)).toEqual(argon2Parameters(known.password_hash))

    const verify = vi.spyOn(argon2, 'verify')
    const attempt = async (email: string) => {
      verify.mockClear()
      const res = await submitForm(t.agent(), '/login', '/login', { email, password: 'falsch-aber-lang-genug' })
      return { res, hashes: verify.mock.calls.map((call) => call[0]) }
    }

    const wrongPassword = await attempt(known.email)
    expect(wrongPassword.hashes).toEqual([known.password_hash])
    const summary = (html: string) => html.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0]
    for (const email of ['niemand-bekannt@example.de', inactive.email, imported.email]) {
      const { res, hashes } = await attempt(email)
      expect(hashes, email).toEqual([dummy])
      expect(res.status).toBe(wrongPassword.res.status)
      expect(summary(res.text)).toBe(summary(wrongPassword.res.text))
    }
  })

  it('answers a reset request before looking the address up or sending anything', async () => {
    // A mailer that holds every mail until released: if the answer waited for the lookup and the mail,
    // the request for the known address would not come back.
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const sent: MailMessage[] = []
    const slowMailer: Mailer = { kind: 'smtp', send: async (m) => (sent.push(m), held), close: async () => {} }
    const app: FastifyInstance = await buildApp({ config: t.config, db: t.db, mailer: slowMailer, clock: t.clock }, { logger: false })
    try {
      await app.ready()
      const user = await buildUser(t.db)
      const ask = async (email: string) => {
        const agent = supertest.agent(app.server)
        const token = await csrfFrom(agent, '/password/forgot')
        return agent.post('/password/forgot').type('form').send({ _csrf: token, email }).timeout(5000)
      }
      const forKnown = await ask(user.email)
      const forUnknown = await ask('unbekannt-zuruecksetzen@example.de')
      expect(forKnown.status).toBe(303)
      expect([forUnknown.status, forUnknown.headers.location, forUnknown.text]).toEqual([
        forKnown.status,
        forKnown.headers.location,
        forKnown.text,
      ])
      // The mail for the known account is on its way (and still held) after the answer went out.
      await vi.waitFor(() => expect(sent.map((m) => m.to)).toEqual([user.email]))
    } finally {
      release()
      await app.close()
    }
  })
})

describe('invitation and reset tokens', () => {
  it('carry at least 128 random bits, and only their SHA-256 is stored anywhere in the database', async () => {
    const { agent: admin } = await signedIn(t)
    const links: Record<string, string> = {}
    links.invitation = await invite(t, admin, 'token-einladung@example.de', { name: 'Tina Token' })
    const row = await t.db.selectFrom('invitations').select('id').where('email', '=', 'token-einladung@example.de').executeTakeFirstOrThrow()
    t.smtp.clear()
    expect((await submitForm(admin, '/invitations', `/invitations/${row.id}/resend`, {})).status).toBe(303)
    links.resent = linkIn(await mailTo(t, 'token-einladung@example.de'), `${TEST_BASE_URL}/invite/`)
    const town = await buildMunicipality(t.db)
    const csv = 'name,email,role\nBea Bulk,token-bulk@example.de,member\n'
    expect((await submitForm(admin, '/invitations/bulk', '/invitations/bulk/send', { csv, municipality_id: String(town.id), locale: 'de' })).status).toBe(303)
    links.bulk = linkIn(await mailTo(t, 'token-bulk@example.de'), `${TEST_BASE_URL}/invite/`)
    const user = await buildUser(t.db)
    links.reset = await requestReset(t, user.email)

    // Opened, and sent back with a form the server refuses: nothing may keep the token in a session or flash.
    for (const [kind, link] of Object.entries(links)) {
      const agent = t.agent()
      await agent.get(pathOf(link))
      const fields: Record<string, string> = kind === 'reset' ? { new_password: 'kurz', new_password_confirm: 'kurz' } : { name: 'X', password: 'kurz', password_confirm: 'kurz' }
      await submitForm(agent, pathOf(link), pathOf(link), fields)
    }

    const tokens = Object.values(links).map(tokenOf)
    expect(new Set(tokens).size).toBe(tokens.length)
    const dump = JSON.stringify(await dumpDatabase(t.db))
    for (const [kind, link] of Object.entries(links)) {
      const token = tokenOf(link)
      expect(Buffer.from(token, 'base64url').length, kind).toBeGreaterThanOrEqual(16)
      expect(dump.includes(token), `raw ${kind} token stored`).toBe(false)
    }
    // What is stored is the SHA-256 (the resent link replaced the first one).
    const invitationHashes = (await t.db.selectFrom('invitations').select('token_hash').execute()).map((r) => r.token_hash)
    expect(invitationHashes).toEqual(expect.arrayContaining([sha256(tokenOf(links.resent!)), sha256(tokenOf(links.bulk!))]))
    expect(invitationHashes).not.toContain(sha256(tokenOf(links.invitation!)))
    const resetHashes = (await t.db.selectFrom('password_resets').select('token_hash').where('user_id', '=', user.id).execute()).map((r) => r.token_hash)
    expect(resetHashes).toEqual([sha256(tokenOf(links.reset!))])
  })

  it('are single use for a reset link, also when two submissions race', async () => {
    const user = await buildUser(t.db)
    const path = pathOf(await requestReset(t, user.email))
    const [a, b] = [t.agent(), t.agent()]
    const csrf = await Promise.all([csrfFrom(a, path), csrfFrom(b, path)])
    const passwords = [GOOD_PASSWORD, OTHER_PASSWORD]
    const results = await Promise.all(
      [a, b].map((agent, i) =>
        agent.post(path).type('form').send({ _csrf: csrf[i]!, new_password: passwords[i]!, new_password_confirm: passwords[i]! }),
      ),
    )
    expect(results.map((r) => r.status).sort()).toEqual([303, 410])
    const winner = passwords[results.findIndex((r) => r.status === 303)]!
    const loser = passwords.find((p) => p !== winner)!
    const canLogin = async (password: string) =>
      (await submitForm(t.agent(), '/login', '/login', { email: user.email, password })).status === 303
    expect(await canLogin(winner)).toBe(true)
    expect(await canLogin(loser)).toBe(false)
    const rows = await t.db.selectFrom('password_resets').select('used_at').where('user_id', '=', user.id).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.used_at).not.toBeNull()
  })
})

describe('links in mails', () => {
  let proxied: TestApp
  beforeAll(async () => {
    // Behind a trusted proxy, Fastify believes X-Forwarded-Host: the strongest temptation to use it for links.
    proxied = await createTestApp({ DEMO: 'true', TRUST_PROXY: 'true' })
  })
  afterAll(() => proxied.close())

  const forged = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' }

  async function forgedPost(agent: Agent, page: string, action: string, fields: Record<string, string>) {
    const token = await csrfFrom(agent, page)
    return agent.post(action).set(forged).type('form').send({ _csrf: token, ...fields })
  }

  it('come from BASE_URL, whatever Host or X-Forwarded-Host the request names, and carry no address or numeric id', async () => {
    const { agent: admin } = await signedIn(proxied)
    const town = await buildMunicipality(proxied.db)
    const invitation = { role: 'member', municipality_id: String(town.id), locale: 'de' }
    expect((await forgedPost(admin, '/invitations/new', '/invitations/new', { email: 'host-einzeln@example.de', ...invitation })).status).toBe(303)
    await mailTo(proxied, 'host-einzeln@example.de')
    const row = await proxied.db.selectFrom('invitations').select('id').where('email', '=', 'host-einzeln@example.de').executeTakeFirstOrThrow()
    expect((await forgedPost(admin, '/invitations', `/invitations/${row.id}/resend`, {})).status).toBe(303)
    await mailTo(proxied, 'host-einzeln@example.de', 2)
    const csv = 'name,email,role\nBodo Bulk,host-bulk@example.de,member\n'
    expect((await forgedPost(admin, '/invitations/bulk', '/invitations/bulk/send', { csv, municipality_id: String(town.id), locale: 'de' })).status).toBe(303)
    await mailTo(proxied, 'host-bulk@example.de')
    const user = await buildUser(proxied.db)
    expect((await forgedPost(proxied.agent(), '/password/forgot', '/password/forgot', { email: user.email })).status).toBe(303)
    await mailTo(proxied, user.email)

    expect(proxied.smtp.mails).toHaveLength(4)
    for (const mail of proxied.smtp.mails) {
      const content = `${mail.text}\n${mail.html}`
      expect(content).not.toContain('evil.example')
      const urls = [...content.matchAll(/\b(?:https?:)?\/\/[^\s"'<>]+/g)].map((m) => m[0].replace(/&amp;/g, '&'))
      expect(urls.length, mail.subject).toBeGreaterThan(0)
      for (const url of urls) {
        expect(url.startsWith(`${TEST_BASE_URL}/`), url).toBe(true)
        const { pathname, search } = new URL(url)
        expect(`${pathname}${search}`, url).not.toMatch(/@|%40/)
        expect(pathname.split('/').filter((s) => /^\d+$/.test(s)), url).toEqual([])
      }
    }
  })
})

describe('opening a link', () => {
  /** Tables that every request may touch: the visitor's own session (CSRF secret) and the request counter. */
  const requestBookkeeping = ['sessions', 'rate_limits']

  async function expectNothingChanges(app: TestApp, paths: string[], agents: Agent[]) {
    const before = await dumpDatabase(app.db, requestBookkeeping)
    // The snapshot is real: it holds the tables the links live in.
    expect(Object.values(before).flat().length).toBeGreaterThan(0)
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['invitations', 'password_resets', 'app_settings', 'audit_log']))
    for (const agent of agents) {
      for (const path of paths) {
        const get = await agent.get(path)
        expect(get.status, path).toBeLessThan(500)
        const head = await agent.head(path)
        expect(head.status, path).toBeLessThan(500)
      }
    }
    app.clock.advance(MINUTE)
    expect(await dumpDatabase(app.db, requestBookkeeping)).toEqual(before)
  }

  it('(GET or HEAD) changes no row, for valid, spent, expired and unknown invitation and reset links', async () => {
    const { agent: admin } = await signedIn(t)
    const links = [await invite(t, admin, 'scanner-offen@example.de'), await invite(t, admin, 'scanner-zurueck@example.de')]
    const revoked = await t.db.selectFrom('invitations').select('id').where('email', '=', 'scanner-zurueck@example.de').executeTakeFirstOrThrow()
    expect((await submitForm(admin, '/invitations', `/invitations/${revoked.id}/revoke`, {})).status).toBe(303)
    const user = await buildUser(t.db)
    links.push(await requestReset(t, user.email))
    // A reset link made void by a newer one.
    const older = await buildUser(t.db)
    links.push(await requestReset(t, older.email))
    await requestReset(t, older.email)
    const paths = [...links.map(pathOf), '/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', '/password/reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA']
    const member = await signedIn(t, 'member')
    // A mail scanner, a stranger, and someone signed in who clicks the link.
    await expectNothingChanges(t, paths, [t.agent(), t.agent(), member.agent])
    // Expired: opening it still changes nothing.
    t.clock.advance(15 * DAY)
    await expectNothingChanges(t, paths, [t.agent()])
  })

  it('(GET or HEAD) changes no row for the first-admin setup link', async () => {
    const fresh = await createTestApp()
    try {
      const link = await firstAdminLink(fresh.db, fresh.config, fresh.clock.now())
      await expectNothingChanges(fresh, [pathOf(link!)], [fresh.agent(), fresh.agent()])
      // The link still works afterwards, and its raw token is nowhere in the database.
      expect((await fresh.agent().get(pathOf(link!))).status).toBe(200)
      expect(JSON.stringify(await dumpDatabase(fresh.db))).not.toContain(tokenOf(link!))
    } finally {
      await fresh.close()
    }
  })
})
