import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { KyselyPlugin } from 'kysely'
import supertest from 'supertest'
import { buildApp } from '../../src/app.ts'
import { loadConfig } from '../../src/config.ts'
import type { Clock } from '../../src/lib/clock.ts'
import { createMailer } from '../../src/plugins/mailer.ts'
import { createTestDatabase } from './database.ts'
import { startSmtpCapture } from './smtp.ts'

export const TEST_BASE_URL = 'http://forum.test'

/** A clock tests move by hand. */
export class TestClock implements Clock {
  private current: Date
  constructor(start = new Date('2026-03-02T08:00:00Z')) {
    this.current = new Date(start)
  }
  now() {
    return new Date(this.current)
  }
  set(date: Date | string) {
    this.current = new Date(date)
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms)
  }
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>

/**
 * The whole app on its own fresh database, with a real SMTP server on loopback catching mail,
 * CSRF switched on and a clock the test controls. `env` overrides configuration.
 */
export async function createTestApp(env: Record<string, string> = {}, options: { dbPlugins?: KyselyPlugin[] } = {}) {
  const smtp = await startSmtpCapture()
  const handle = await createTestDatabase()
  const dataDir = mkdtempSync(join(tmpdir(), 'kf-test-'))
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    BASE_URL: TEST_BASE_URL,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    SMTP_URL: smtp.url,
    DEMO: 'false',
    LOG_LEVEL: 'silent',
    ...env,
  })
  const clock = new TestClock()
  const mailer = createMailer(config)
  // dbPlugins see every statement the app runs (not the test's own, through `db`).
  const appDb = (options.dbPlugins ?? []).reduce((db, plugin) => db.withPlugin(plugin), handle.db)
  const app: FastifyInstance = await buildApp({ config, db: appDb, mailer, clock })
  await app.ready()
  return {
    app,
    db: handle.db,
    config,
    clock,
    smtp,
    /** A client that keeps cookies, like one browser. */
    agent: () => supertest.agent(app.server),
    async close() {
      await app.close()
      await mailer.close()
      await handle.close()
      await smtp.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

type Agent = ReturnType<typeof supertest.agent>

/** The CSRF token of the first form on a page. */
export async function csrfFrom(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path)
  const match = res.text.match(/name="_csrf" value="([^"]+)"/)
  if (!match) throw new Error(`no CSRF token on ${path} (status ${res.status})`)
  return match[1]!
}

/** Submits a form the way a browser does: fetches the page for its token, then posts urlencoded. */
export async function submitForm(agent: Agent, pagePath: string, action: string, fields: Record<string, string>) {
  const token = await csrfFrom(agent, pagePath)
  return agent.post(action).type('form').send({ _csrf: token, ...fields })
}

/** Signs in through the real login form. */
export async function login(agent: Agent, email: string, password: string) {
  const res = await submitForm(agent, '/login', '/login', { email, password })
  if (res.status !== 303) throw new Error(`login failed for ${email}: ${res.status}`)
  return res
}
