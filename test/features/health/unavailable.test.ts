import { mkdtempSync, rmSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import pg from 'pg'
import supertest from 'supertest'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.ts'
import { loadConfig } from '../../../src/config.ts'
import { connectDatabase, type DatabaseHandle, isDatabaseUnavailable } from '../../../src/db/connect.ts'
import { systemClock } from '../../../src/lib/clock.ts'
import type { Mailer } from '../../../src/plugins/mailer.ts'
import { buildUser } from '../../factories.ts'
import { login, TEST_BASE_URL } from '../../helpers/app.ts'
import { createServerTestDatabase } from '../../helpers/database.ts'

const noMail: Mailer = { kind: 'outbox', send: async () => {}, close: async () => {} }
const UNAVAILABLE = 'Das Forum ist gerade nicht erreichbar'

async function appOn(databaseUrl: string, extraRoutes: (app: FastifyInstance) => void = () => {}, logger?: FastifyServerOptions['logger']) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kf-test-'))
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    BASE_URL: TEST_BASE_URL,
    SESSION_SECRET: 'test-secret-test-secret-test-secret-0123',
    DEMO: 'false',
    LOG_LEVEL: 'silent',
  })
  // The pool exactly as the server makes it (timeouts, error handling).
  const handle = await connectDatabase({ databaseUrl })
  const app = await buildApp({ config, db: handle.db, mailer: noMail, clock: systemClock }, logger ? { logger } : {})
  extraRoutes(app)
  await app.ready()
  return {
    app,
    handle,
    async close() {
      await app.close()
      await handle.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

function expectUnavailablePage(res: { status: number; text: string; headers: Record<string, string> }) {
  expect(res.status).toBe(503)
  expect(res.headers['retry-after']).toBe('30')
  expect(res.headers['content-type']).toMatch(/^text\/html/)
  expect(res.text).toContain(UNAVAILABLE)
  expect(res.text).not.toMatch(/ECONNREFUSED|ECONNRESET|postgres|Connection terminated|timeout exceeded/i)
}

describe('telling an unreachable database from other errors', () => {
  it('recognises what the pg driver reports when the server is gone, shutting down or starting', async () => {
    // A real refusal, as the driver reports it.
    const client = new pg.Client({ connectionString: 'postgres://nobody@127.0.0.1:1/none' })
    const refused = await client.connect().then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(isDatabaseUnavailable(refused)).toBe(true)
    const sqlState = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' })
    expect(isDatabaseUnavailable(sqlState('57P01', 'terminating connection due to administrator command'))).toBe(true)
    expect(isDatabaseUnavailable(sqlState('57P03', 'the database system is starting up'))).toBe(true)
    expect(isDatabaseUnavailable(sqlState('57P03', 'the database system is shutting down'))).toBe(true)
    expect(isDatabaseUnavailable(sqlState('08006', 'connection failure'))).toBe(true)
    expect(isDatabaseUnavailable(sqlState('53300', 'sorry, too many clients already'))).toBe(true)
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true)
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true)
    // A host name with two addresses (::1 and 127.0.0.1): one refusal per address.
    const both = new AggregateError([refused, refused], 'connect ECONNREFUSED')
    expect(isDatabaseUnavailable(both)).toBe(true)
    expect(isDatabaseUnavailable(new Error('wrapped', { cause: refused }))).toBe(true)
  })

  it('leaves bugs and bad queries alone: those stay 500 or 4xx', () => {
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(false)
    expect(isDatabaseUnavailable(Object.assign(new Error('syntax error'), { code: '42601' }))).toBe(false)
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false)
    expect(isDatabaseUnavailable(new AggregateError([new Error('a'), new Error('b')]))).toBe(false)
    expect(isDatabaseUnavailable(undefined)).toBe(false)
  })
})

describe('DATABASE_URL pointing at a port nobody listens on', () => {
  let t: Awaited<ReturnType<typeof appOn>>
  beforeAll(async () => {
    t = await appOn('postgres://nobody@127.0.0.1:1/none')
  })
  afterAll(() => t.close())

  it('answers every page with the German 503 page, anonymous or with a session cookie', async () => {
    expectUnavailablePage(await supertest(t.app.server).get('/login'))
    expectUnavailablePage(await supertest(t.app.server).get('/'))
    expectUnavailablePage(await supertest(t.app.server).get('/threads/1').set('Cookie', 'kf_sid=s%3Aabc.def'))
    expectUnavailablePage(await supertest(t.app.server).post('/login').type('form').send({ email: 'a@b.de', password: 'x' }))
  })

  it('stays alive (/healthz) but is not ready (/readyz), and keeps answering', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await supertest(t.app.server).get('/healthz')).status).toBe(200)
      const ready = await supertest(t.app.server).get('/readyz')
      expect(ready.status).toBe(503)
      expect(ready.body).toEqual({ status: 'unavailable' })
    }
  })
})

describe('the log during an outage', () => {
  const lines: { level: number; msg: string; failedRequests?: number; code?: string; err?: unknown }[] = []
  let t: Awaited<ReturnType<typeof appOn>>
  beforeAll(async () => {
    const stream = { write: (line: string) => void lines.push(JSON.parse(line)) }
    t = await appOn('postgres://nobody@127.0.0.1:1/none', () => {}, { level: 'info', stream })
  })
  afterAll(() => t.close())

  it('says once that the database is unavailable, without a stack, not once per failed request', async () => {
    for (let i = 0; i < 5; i++) expectUnavailablePage(await supertest(t.app.server).get('/login'))
    const warnings = lines.filter((l) => l.msg === 'database unavailable: answering 503')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ level: 40, code: 'ECONNREFUSED', failedRequests: 1 })
    expect(warnings[0]!.err).toBeUndefined()
    expect(lines.filter((l) => l.level >= 50)).toEqual([])
  })
})

/** A TCP proxy in front of the Postgres server: cut() drops every connection and refuses new ones. */
async function startProxy(target: { host: string; port: number }) {
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let port = 0
  const listen = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((client) => {
        const upstream = net.connect(target.port, target.host)
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => {
            client.destroy()
            upstream.destroy()
          })
        }
        client.pipe(upstream).pipe(client)
      })
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port
        resolve()
      })
    })
  await listen()
  return {
    port: () => port,
    async cut() {
      await new Promise<void>((resolve) => {
        server!.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
    },
    restore: listen,
  }
}

// Needs a Postgres server to put the proxy in front of (DATABASE_URL=… npx vitest run this file).
describe.skipIf(!process.env.DATABASE_URL)('a database server that goes away and comes back', () => {
  let proxy: Awaited<ReturnType<typeof startProxy>>
  let database: { url: string; drop: () => Promise<void> }
  let direct: DatabaseHandle
  let t: Awaited<ReturnType<typeof appOn>>
  beforeAll(async () => {
    database = await createServerTestDatabase(process.env.DATABASE_URL!)
    const real = new URL(database.url)
    proxy = await startProxy({ host: real.hostname, port: Number(real.port || 5432) })
    const viaProxy = new URL(database.url)
    viaProxy.host = `127.0.0.1:${proxy.port()}`
    direct = await connectDatabase({ databaseUrl: database.url })
    // A page that changes the session and loses the database before the session is written back.
    t = await appOn(viaProxy.toString(), (app) =>
      app.get('/test/lose-database', { config: { access: 'signed-in' } }, async (request, reply) => {
        request.session.flash = 'threads.replied'
        await proxy.cut()
        return reply.send('ok')
      }),
    )
  })
  afterAll(async () => {
    await t.close()
    await direct.close()
    await proxy.cut()
    await database.drop()
  })

  it('answers 503 while it is gone and serves the same signed-in member again once it is back, in the same process', async () => {
    const member = await buildUser(direct.db)
    const agent = supertest.agent(t.app.server)
    await login(agent, member.email, member.password)
    expect((await agent.get('/')).status).toBe(200)

    // The pool now holds idle connections; the server "restarts": each of them errors while idle.
    await proxy.cut()
    await new Promise((resolve) => setTimeout(resolve, 100))
    expectUnavailablePage(await agent.get('/'))
    expectUnavailablePage(await agent.get('/search?q=Kita'))
    // Probes come without cookies, as from a load balancer.
    expect((await supertest(t.app.server).get('/readyz')).status).toBe(503)
    expect((await supertest(t.app.server).get('/healthz')).status).toBe(200)

    await proxy.restore()
    expect((await supertest(t.app.server).get('/readyz')).status).toBe(200)
    const back = await agent.get('/')
    expect(back.status).toBe(200)
    expect(back.text).toContain(member.name)
  })

  it('answers with the German 503 page when only writing the session back fails', async () => {
    const member = await buildUser(direct.db)
    const agent = supertest.agent(t.app.server)
    await login(agent, member.email, member.password)
    const res = await agent.get('/test/lose-database')
    expectUnavailablePage(res)
    expect(res.text).not.toContain('statusCode')
    await proxy.restore()
    expect((await agent.get('/')).status).toBe(200)
  })

  it('survives losing the server while a transaction holds a connection between two statements', async () => {
    // pg-pool takes its error listener off a client while it is checked out: without one of our own,
    // the client's 'error' event would end the process.
    const outcome = await t.handle.db
      .transaction()
      .execute(async (trx) => {
        await sql`select 1`.execute(trx)
        await proxy.cut()
        await new Promise((resolve) => setTimeout(resolve, 100))
        await sql`select 2`.execute(trx)
      })
      .then(
        () => 'committed',
        (err: unknown) => (isDatabaseUnavailable(err) ? 'unavailable' : String(err)),
      )
    expect(outcome).toBe('unavailable')
    await proxy.restore()
    expect((await supertest(t.app.server).get('/readyz')).status).toBe(200)
  })
})
