import type { KyselyPlugin, RootOperationNode } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildReply, buildThread, buildUser } from '../factories.ts'
import { createTestApp, login, type TestApp } from '../helpers/app.ts'

/**
 * What a signed-in page costs the database: the statements the app runs for one request, compiled
 * to SQL. Each statement is a round trip and a parse and plan on the server, for every page view.
 */

// transformQuery also sees subqueries (a JSON array of posts inside the thread query); only queries
// that return a result went to the server. Statements compiled once (src/db/compiled.ts) meet
// transformQuery on their first run only and keep its queryId: `built` outlives a request.
const built = new Map<unknown, RootOperationNode>()
const statements: RootOperationNode[] = []
const recording: KyselyPlugin = {
  transformQuery: (args) => {
    built.set(args.queryId, args.node)
    return args.node
  },
  transformResult: async (args) => {
    const node = built.get(args.queryId)
    if (node) statements.push(node)
    return args.result
  },
}

let t: TestApp

beforeAll(async () => {
  t = await createTestApp({}, { dbPlugins: [recording] })
})
afterAll(() => t.close())

async function sqlOf(request: () => Promise<unknown>): Promise<string[]> {
  statements.length = 0
  await request()
  return statements.map((node) => t.db.getExecutor().compileQuery(node, { queryId: 'page' }).sql.replace(/\s+/g, ' ').trim())
}

describe('a thread page with 20 replies, opened again', () => {
  it('loads session, person and notification count in one statement, the rest of the page in a second, and writes nothing', async () => {
    const { thread } = await buildThread(t.db, { title: 'Sprachmittlung im Bürgerbüro' })
    for (let i = 0; i < 20; i++) await buildReply(t.db, thread.id, { body: `Antwort ${i}: bei uns **zweimal** die Woche.` })
    const reader = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, reader.email, reader.password)
    await agent.get(`/threads/${thread.id}`)

    const sql = await sqlOf(() => agent.get(`/threads/${thread.id}`).expect(200))
    const sessionReads = sql.filter((s) => /from "sessions"/.test(s))
    expect(sessionReads).toHaveLength(1)
    expect(sessionReads[0]).toMatch(/join "users"/)
    expect(sessionReads[0]).toMatch(/FROM notifications/)
    expect(sql.filter((s) => /from "users"/.test(s))).toEqual([])
    expect(sql.filter((s) => /^(insert|update|delete)/i.test(s))).toEqual([])
    expect(sql).toHaveLength(2)
    expect(sql[1]).toMatch(/from "threads"/)
  })
})

describe('the start page, opened again', () => {
  it('loads session, person and notification count in one statement, counts, latest activity and what is new in a second', async () => {
    const { thread } = await buildThread(t.db, { title: 'Wohnraum für Familien' })
    await buildReply(t.db, thread.id, { body: 'Bei uns über die Wohnungsbaugesellschaft.' })
    const reader = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, reader.email, reader.password)
    await agent.get('/forums/aufnahme-unterbringung-versorgung')
    await agent.get('/')

    const sql = await sqlOf(() => agent.get('/').expect(200))
    expect(sql.filter((s) => /from "sessions"/.test(s))).toHaveLength(1)
    expect(sql.filter((s) => /^(insert|update|delete)/i.test(s))).toEqual([])
    expect(sql).toHaveLength(2)
    expect(sql[1]).toMatch(/from "forum_counts"/)
    expect(sql[1]).toMatch(/from "forum_visits"/)
  })
})

describe('a forum page, opened again', () => {
  it('reads the session, records the visit and lists the threads with their unread counts: three statements', async () => {
    const reader = await buildUser(t.db)
    const { thread } = await buildThread(t.db, { forum: 'integration', title: 'Sprachkurse am Abend' })
    await buildReply(t.db, thread.id, { body: 'Bei uns dienstags.' })
    const agent = t.agent()
    await login(agent, reader.email, reader.password)
    await agent.get(`/threads/${thread.id}`)
    await agent.get('/forums/integration')

    const sql = await sqlOf(() => agent.get('/forums/integration').expect(200))
    expect(sql.filter((s) => /from "sessions"/.test(s))).toHaveLength(1)
    expect(sql).toHaveLength(3)
    const list = sql.find((s) => /from "threads"/.test(s))
    expect(list).toMatch(/FROM thread_reads/)
    expect(sql.filter((s) => /from "thread_reads"/.test(s))).toEqual([])
  })
})
