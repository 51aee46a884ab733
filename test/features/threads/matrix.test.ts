import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Author, buildMunicipality, buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, submitForm, type TestApp } from '../../helpers/app.ts'
import { signedIn } from './helpers.ts'

/**
 * Role × owner × action: every combination is called over HTTP and must answer as the access rules say.
 * Each call acts on fresh objects, so an allowed call really changes something and a refused one must not.
 */
type Who = 'anonymous' | 'author' | 'colleague' | 'stranger' | 'contact' | 'staff' | 'admin'
const everyone: Who[] = ['anonymous', 'author', 'colleague', 'stranger', 'contact', 'staff', 'admin']
type Agent = ReturnType<TestApp['agent']>

let t: TestApp
const agents = {} as Record<Who, Agent>
const users = {} as Record<Exclude<Who, 'anonymous'>, Author>

beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
  const town = await buildMunicipality(t.db)
  agents.anonymous = t.agent()
  for (const [who, role, municipality_id] of [
    ['author', 'member', town.id],
    ['colleague', 'member', town.id],
    ['stranger', 'member', undefined],
    ['contact', 'municipality_admin', undefined],
    ['staff', 'staff', undefined],
    ['admin', 'admin', undefined],
  ] as const) {
    const { user, agent } = await signedIn(t, role, municipality_id ? { municipality_id } : {})
    agents[who] = agent
    users[who] = user
  }
})
afterAll(() => t.close())

type Action = {
  name: string
  method: 'GET' | 'POST'
  /** Builds the object acted on; returns the path, the form fields and how to tell that it happened. */
  setup: () => Promise<{ path: string; fields?: Record<string, string>; happened?: () => Promise<boolean> }>
  allowed: Who[]
}

const postRow = (id: number) => t.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const threadRow = (id: number) => t.db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

/** A reply written by "author" in someone else's question. */
async function authorsReply() {
  const { thread } = await buildThread(t.db)
  return buildReply(t.db, thread.id, { author: users.author, body: 'Ursprünglicher Text' })
}

const actions: Action[] = [
  {
    name: 'open the edit form of a reply',
    method: 'GET',
    setup: async () => ({ path: `/posts/${(await authorsReply()).id}/edit` }),
    allowed: ['author', 'staff', 'admin'],
  },
  {
    name: 'edit a reply',
    method: 'POST',
    setup: async () => {
      const reply = await authorsReply()
      return {
        path: `/posts/${reply.id}/edit`,
        fields: { body: 'Geänderter Text' },
        happened: async () => (await postRow(reply.id)).body === 'Geänderter Text',
      }
    },
    allowed: ['author', 'staff', 'admin'],
  },
  {
    name: 'edit an opening post (and title)',
    method: 'POST',
    setup: async () => {
      const { thread, post } = await buildThread(t.db, { author: users.author })
      return {
        path: `/posts/${post.id}/edit`,
        fields: { title: 'Neuer Titel', body: 'Neu' },
        happened: async () => (await threadRow(thread.id)).title === 'Neuer Titel',
      }
    },
    allowed: ['author', 'staff', 'admin'],
  },
  {
    name: 'delete a reply',
    method: 'POST',
    setup: async () => {
      const reply = await authorsReply()
      return { path: `/posts/${reply.id}/delete`, happened: async () => (await postRow(reply.id)).deleted_at !== null }
    },
    allowed: ['author', 'staff', 'admin'],
  },
  {
    name: 'restore a deleted reply',
    method: 'POST',
    setup: async () => {
      const reply = await authorsReply()
      await t.db.updateTable('posts').set({ deleted_at: new Date(), deleted_by: users.author.id }).where('id', '=', reply.id).execute()
      return { path: `/posts/${reply.id}/restore`, happened: async () => (await postRow(reply.id)).deleted_at === null }
    },
    allowed: ['staff', 'admin'],
  },
  {
    name: 'see the history of a post',
    method: 'GET',
    setup: async () => ({ path: `/posts/${(await authorsReply()).id}/history` }),
    allowed: ['staff', 'admin'],
  },
  {
    name: "mark a reply to the author's question as the solution",
    method: 'POST',
    setup: async () => {
      const { thread } = await buildThread(t.db, { author: users.author })
      const reply = await buildReply(t.db, thread.id)
      return { path: `/posts/${reply.id}/solution`, happened: async () => (await threadRow(thread.id)).solution_post_id === reply.id }
    },
    allowed: ['author', 'staff', 'admin'],
  },
  {
    name: "withdraw the solution of the author's question",
    method: 'POST',
    setup: async () => {
      const { thread } = await buildThread(t.db, { author: users.author })
      const reply = await buildReply(t.db, thread.id)
      await t.db.updateTable('threads').set({ solution_post_id: reply.id }).where('id', '=', thread.id).execute()
      return { path: `/threads/${thread.id}/solution/clear`, happened: async () => (await threadRow(thread.id)).solution_post_id === null }
    },
    allowed: ['author', 'staff', 'admin'],
  },
  {
    name: "adopt the author's best practice",
    method: 'POST',
    setup: async () => {
      const { thread } = await buildThread(t.db, { author: users.author, kind: 'best_practice', bp: { bp_situation: 'L', bp_approach: 'V' } })
      return {
        path: `/threads/${thread.id}/adopt`,
        fields: { set: '1' },
        happened: async () => (await t.db.selectFrom('adoptions').select('thread_id').where('thread_id', '=', thread.id).execute()).length === 1,
      }
    },
    allowed: ['stranger', 'contact'],
  },
  {
    name: 'mark a thread "betrifft uns auch"',
    method: 'POST',
    setup: async () => {
      const { thread } = await buildThread(t.db)
      return {
        path: `/threads/${thread.id}/concern`,
        fields: { set: '1' },
        happened: async () => (await t.db.selectFrom('thread_concerns').select('thread_id').where('thread_id', '=', thread.id).execute()).length === 1,
      }
    },
    allowed: ['author', 'colleague', 'stranger', 'contact'],
  },
  {
    name: "mark the author's reply as helpful",
    method: 'POST',
    setup: async () => {
      const reply = await authorsReply()
      return {
        path: `/posts/${reply.id}/helpful`,
        fields: { set: '1' },
        happened: async () => (await t.db.selectFrom('post_reactions').select('user_id').where('post_id', '=', reply.id).execute()).length === 1,
      }
    },
    allowed: ['colleague', 'stranger', 'contact', 'staff', 'admin'],
  },
]

async function call(who: Who, action: Action) {
  const { path, fields, happened } = await action.setup()
  const agent = agents[who]
  const res =
    action.method === 'GET'
      ? await agent.get(path)
      : await submitForm(agent, who === 'anonymous' ? '/login' : '/', path, fields ?? {})
  return { res, happened: happened ? await happened() : undefined }
}

describe.each(actions)('$name', (action) => {
  it.each(everyone)('%s', async (who) => {
    const { res, happened } = await call(who, action)
    if (who === 'anonymous') {
      expect(res.status).toBe(303)
      expect(res.headers.location).toMatch(/^\/login/)
    } else if (action.allowed.includes(who)) {
      expect(res.status).toBe(action.method === 'GET' ? 200 : 303)
    } else {
      expect(res.status).toBe(403)
    }
    if (happened !== undefined) expect(happened).toBe(action.allowed.includes(who))
  })
})

describe('objects of deleted threads', () => {
  it('are not found for members, but for staff', async () => {
    const { post } = await buildThread(t.db, { author: users.author })
    const other = await buildUser(t.db)
    await t.db.updateTable('posts').set({ deleted_at: new Date(), deleted_by: other.id }).where('id', '=', post.id).execute()
    await t.db.updateTable('threads').set({ deleted_at: new Date() }).where('id', '=', post.thread_id).execute()
    expect((await agents.stranger.get(`/posts/${post.id}`)).status).toBe(404)
    expect((await agents.author.get(`/threads/${post.thread_id}`)).status).toBe(404)
    expect((await agents.staff.get(`/posts/${post.id}`)).status).toBe(303)
  })
})
