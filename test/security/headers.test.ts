import type { FastifyInstance } from 'fastify'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../src/app.ts'
import type { Database } from '../../src/db/database.ts'
import type { Mailer } from '../../src/plugins/mailer.ts'
import { buildUser } from '../factories.ts'
import { createTestApp, login, type TestApp } from '../helpers/app.ts'

const CSP_DIRECTIVES = ["default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"]
const noMail: Mailer = { kind: 'outbox', send: async () => {}, close: async () => {} }

/** Helmet joins directives with ';' and no space; the policy must be exactly these five. */
function cspDirectives(header: unknown): string[] {
  return String(header ?? '')
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
}

type Response = { status: number; headers: Record<string, string>; text: string }

function expectBaselineHeaders(res: Response) {
  expect(cspDirectives(res.headers['content-security-policy'])).toEqual(CSP_DIRECTIVES)
  expect(res.headers['x-content-type-options']).toBe('nosniff')
  expect(res.headers['referrer-policy']).toBe('same-origin')
}

/** What a generic error page must never show: internals an attacker could use. */
function expectGenericErrorPage(res: Response) {
  expect(res.headers['content-type']).toMatch(/^text\/html/)
  expect(res.text).toContain('<html lang="de">')
  expect(res.text).not.toMatch(/\bat [\w.<>]+ \(|node:internal|\.ts:\d+/) // stack frames
  expect(res.text).not.toMatch(/Error:/)
  expect(res.text).not.toMatch(/\b(select|insert|update|delete)\b[\s\S]{0,80}\b(from|into|set|where)\b/i)
  expect(res.text).not.toMatch(/postgres|pglite|kysely|relation "/i)
  expect(res.text.toLowerCase()).not.toContain('fastify')
  for (const version of [process.version, t.app.version, process.versions.v8]) expect(res.text).not.toContain(version)
  expect(res.text).not.toMatch(/\bv\d+\.\d+\.\d+\b/)
  expect(res.headers['x-powered-by']).toBeUndefined()
  expect(res.headers.server).toBeUndefined()
}

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('security headers', () => {
  const anonymous: [string, string, number][] = [
    ['a page', '/login', 200],
    ['the not-found page', '/diese-seite-gibt-es-nicht', 404],
    ['a static file', '/static/css/app.css', 200],
    ['the liveness probe', '/healthz', 200],
    ['the readiness probe', '/readyz', 200],
  ]
  it.each(anonymous)('are sent on %s (%s)', async (_what, path, status) => {
    const res = await t.agent().get(path)
    expect(res.status).toBe(status)
    expectBaselineHeaders(res)
  })

  it('are sent on the error page of a rejected form (403 CSRF)', async () => {
    const agent = t.agent()
    await agent.get('/login')
    const res = await agent.post('/login').type('form').send({ _csrf: 'forged', email: 'a@example.de', password: 'x' })
    expect(res.status).toBe(403)
    expectBaselineHeaders(res)
    expectGenericErrorPage(res)
    expect(res.text).toContain('Das Formular ist abgelaufen')
  })

  it('include no HSTS outside production', async () => {
    const res = await t.agent().get('/login')
    expect(res.headers['strict-transport-security']).toBeUndefined()
  })

  it('include HSTS in production', async () => {
    const prod = await createTestApp({ NODE_ENV: 'production', BASE_URL: 'https://forum.test', TRUST_PROXY: '1' })
    try {
      for (const path of ['/login', '/static/css/app.css', '/nicht-da']) {
        const res = await prod.agent().get(path)
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{8}/)
        expectBaselineHeaders(res)
      }
    } finally {
      await prod.close()
    }
  })

  it('forbid caching of signed-in pages, while static files may be cached', async () => {
    const member = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, member.email, member.password)
    const home = await agent.get('/')
    expect(home.status).toBe(200)
    expect(home.text).toContain(member.name)
    expect(home.headers['cache-control']).toBe('no-store')
    const css = await agent.get('/static/css/app.css')
    expect(css.headers['cache-control']).not.toContain('no-store')
  })
})

describe('error pages', () => {
  it('are German and generic for an unknown address', async () => {
    const res = await t.agent().get('/gibt-es/nicht?x=<script>')
    expect(res.status).toBe(404)
    expectGenericErrorPage(res)
    expect(res.text).toContain('Diese Seite gibt es nicht (mehr).')
    expect(res.text).not.toContain('<script>')
  })

  it('hide what went wrong inside the server behind a generic page', async () => {
    const app = await buildApp({ config: t.config, db: t.db, mailer: noMail, clock: t.clock }, { logger: false })
    app.get('/kaputt', { config: { access: 'public' } }, async () => {
      throw new Error('select * from users where password_hash = 1 — fastify 5.12.8 at /work/src/x.ts:12')
    })
    try {
      await app.ready()
      const res = await supertest(app.server).get('/kaputt')
      expect(res.status).toBe(500)
      expectBaselineHeaders(res)
      expectGenericErrorPage(res)
      expect(res.text).toContain('Ein interner Fehler ist aufgetreten')
      expect(res.headers['cache-control']).toBe('no-store')
    } finally {
      await app.close()
    }
  })
})

describe('health probes', () => {
  it('report alive and ready while the database answers', async () => {
    expect((await t.agent().get('/healthz')).status).toBe(200)
    const ready = await t.agent().get('/readyz')
    expect(ready.status).toBe(200)
    expect(ready.body).toEqual({ status: 'ok' })
  })

  describe('without a database', () => {
    let app: FastifyInstance
    let db: Kysely<Database>
    beforeAll(async () => {
      // Nothing listens on port 1: every query fails the way an unreachable database server does.
      const pool = new pg.Pool({ connectionString: 'postgres://nobody@127.0.0.1:1/none', connectionTimeoutMillis: 1000 })
      pool.on('error', () => {})
      db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
      app = await buildApp({ config: t.config, db, mailer: noMail, clock: t.clock }, { logger: false })
      await app.ready()
    })
    afterAll(async () => {
      await app.close()
      await db.destroy()
    })

    it('stays alive but is not ready', async () => {
      expect((await supertest(app.server).get('/healthz')).status).toBe(200)
      const ready = await supertest(app.server).get('/readyz')
      expect(ready.status).toBe(503)
      expect(ready.body).toEqual({ status: 'unavailable' })
    })

    it('shows a generic German page for a page that needs it', async () => {
      const res = await supertest(app.server).get('/login')
      expect(res.status).toBe(503)
      expect(res.headers['retry-after']).toBeDefined()
      expectBaselineHeaders(res)
      expectGenericErrorPage(res)
      expect(res.text).toContain('Das Forum ist gerade nicht erreichbar')
    })

    it('shows the same page to a signed-in member, whose session cannot be read', async () => {
      const member = await buildUser(t.db)
      const signIn = await login(t.agent(), member.email, member.password)
      const cookie = (signIn.headers['set-cookie'] as unknown as string[])[0]!.split(';')[0]!
      const res = await supertest(app.server).get('/').set('Cookie', cookie)
      expect(res.status).toBe(503)
      expectGenericErrorPage(res)
      expect(res.text).toContain('Das Forum ist gerade nicht erreichbar')
    })
  })
})
