import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../../src/features/users/users.table.ts'
import { buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'

type Agent = ReturnType<TestApp['agent']>
type Who = Role | 'anonymous'

let t: TestApp
const agents = {} as Record<Who, Agent>
const users = {} as Record<Role, Awaited<ReturnType<typeof buildUser>>>

beforeAll(async () => {
  // Demo mode does not enforce 2FA for staff and admins; their 2FA is tested elsewhere.
  t = await createTestApp({ DEMO: 'true' })
  agents.anonymous = t.agent()
  for (const role of ['member', 'municipality_admin', 'staff', 'admin'] as const) {
    users[role] = await buildUser(t.db, { role, name: `${role} Moderation` })
    agents[role] = t.agent()
    await login(agents[role], users[role].email, users[role].password)
  }
})
afterAll(() => t.close())

const post = (agent: Agent, action: string, fields: Record<string, string> = {}) => submitForm(agent, '/', action, fields)
const threadRow = (id: number) => t.db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const postRow = (id: number) => t.db.selectFrom('posts').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
const auditActions = async (targetType: string, targetId: number) =>
  (
    await t.db.selectFrom('audit_log').select('action').where('target_type', '=', targetType).where('target_id', '=', targetId).orderBy('id').execute()
  ).map((r) => r.action)

async function reportedReply(reason = 'Bitte prüfen.') {
  const { thread } = await buildThread(t.db)
  const reply = await buildReply(t.db, thread.id, { body: 'Rufen Sie mich privat an: 0123 456789' })
  const reporter = await buildUser(t.db, { name: 'Rosa Meldend' })
  await t.db.insertInto('reports').values({ post_id: reply.id, reporter_id: reporter.id, reason, created_at: t.clock.now() }).execute()
  return { thread, reply, reporter }
}

describe('who may moderate', () => {
  type Case = { name: string; method: 'GET' | 'POST'; path: () => Promise<string>; body?: Record<string, string> }
  const thread = async () => (await buildThread(t.db)).thread.id
  const reply = async () => (await buildReply(t.db, await thread())).id
  const reportId = async () => {
    const { reply: p } = await reportedReply()
    return (await t.db.selectFrom('reports').select('id').where('post_id', '=', p.id).executeTakeFirstOrThrow()).id
  }
  const cases: Case[] = [
    { name: 'pin', method: 'POST', path: async () => `/threads/${await thread()}/pin` },
    { name: 'unpin', method: 'POST', path: async () => `/threads/${await thread()}/unpin` },
    { name: 'lock', method: 'POST', path: async () => `/threads/${await thread()}/lock` },
    { name: 'unlock', method: 'POST', path: async () => `/threads/${await thread()}/unlock` },
    { name: 'move form', method: 'GET', path: async () => `/threads/${await thread()}/move` },
    { name: 'move', method: 'POST', path: async () => `/threads/${await thread()}/move`, body: { forum: 'buergerschaftliches-engagement' } },
    { name: 'hide form', method: 'GET', path: async () => `/posts/${await reply()}/hide` },
    { name: 'hide', method: 'POST', path: async () => `/posts/${await reply()}/hide`, body: { reason: 'Werbung' } },
    { name: 'unhide', method: 'POST', path: async () => `/posts/${await reply()}/unhide` },
    { name: 'reports queue', method: 'GET', path: async () => '/moderation/reports' },
    { name: 'queue: hide', method: 'POST', path: async () => `/moderation/reports/${await reportId()}/hide` },
    { name: 'queue: dismiss', method: 'POST', path: async () => `/moderation/reports/${await reportId()}/dismiss` },
  ]
  const expected: Record<Who, 'login' | 403 | 'ok'> = {
    anonymous: 'login',
    member: 403,
    municipality_admin: 403,
    staff: 'ok',
    admin: 'ok',
  }
  for (const c of cases) {
    for (const who of Object.keys(expected) as Who[]) {
      it(`${c.name}: ${who} → ${expected[who]}`, async () => {
        const path = await c.path()
        const agent = agents[who]
        const res =
          c.method === 'GET'
            ? await agent.get(path)
            : who === 'anonymous'
              ? await agent.post(path).type('form').send(c.body ?? {})
              : await post(agent, path, c.body)
        if (expected[who] === 'login') {
          expect(res.status).toBe(303)
          expect(res.headers.location).toMatch(/^\/login/)
        } else if (expected[who] === 403) {
          expect(res.status).toBe(403)
        } else {
          expect(res.status).toBe(c.method === 'GET' ? 200 : 303)
        }
      })
    }
  }

  it('lets a member report a post but shows them no moderation tools', async () => {
    const { post: opening } = await buildThread(t.db)
    const res = await submitForm(agents.member, `/posts/${opening.id}/report`, `/posts/${opening.id}/report`, { reason: 'Bitte prüfen.' })
    expect(res.status).toBe(303)
    expect(await t.db.selectFrom('reports').select('reporter_id').where('post_id', '=', opening.id).execute()).toEqual([
      { reporter_id: users.member.id },
    ])
    expect((await agents.member.get('/')).text).not.toContain('/moderation/reports')
    expect((await agents.staff.get('/')).text).toContain('<a href="/moderation/reports">Meldungen</a>')
  })
})

describe('threads: pin, lock, move', () => {
  it('pins and unpins, logging each change once', async () => {
    const { thread } = await buildThread(t.db)
    const res = await post(agents.staff, `/threads/${thread.id}/pin`)
    expect(res.headers.location).toBe(`/threads/${thread.id}`)
    expect((await threadRow(thread.id)).pinned_at).toEqual(t.clock.now())
    await post(agents.staff, `/threads/${thread.id}/pin`)
    await post(agents.admin, `/threads/${thread.id}/unpin`)
    expect((await threadRow(thread.id)).pinned_at).toBeNull()
    expect(await auditActions('thread', thread.id)).toEqual(['thread.pinned', 'thread.unpinned'])
  })

  it('locks and unlocks', async () => {
    const { thread } = await buildThread(t.db)
    await post(agents.staff, `/threads/${thread.id}/lock`)
    expect((await threadRow(thread.id)).locked_at).not.toBeNull()
    await post(agents.staff, `/threads/${thread.id}/unlock`)
    expect((await threadRow(thread.id)).locked_at).toBeNull()
    expect(await auditActions('thread', thread.id)).toEqual(['thread.locked', 'thread.unlocked'])
  })

  it('moves a thread to another forum chosen from a labelled select; an unknown forum is an error at the field', async () => {
    const { thread } = await buildThread(t.db, { forum: 'integration', title: 'Falsch einsortiert' })
    const form = await agents.staff.get(`/threads/${thread.id}/move`)
    expect(form.text).toContain('<label for="f-forum">Forum')
    expect(form.text).toContain('<option value="integration" selected>Integration</option>')

    const bad = await post(agents.staff, `/threads/${thread.id}/move`, { forum: 'gibt-es-nicht' })
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('Bitte wählen Sie eines der Foren.')

    const res = await post(agents.staff, `/threads/${thread.id}/move`, { forum: 'aufnahme-unterbringung-versorgung' })
    expect(res.status).toBe(303)
    const forum = await t.db.selectFrom('forums').select('slug').where('id', '=', (await threadRow(thread.id)).forum_id).executeTakeFirstOrThrow()
    expect(forum.slug).toBe('aufnahme-unterbringung-versorgung')
    const entry = await t.db.selectFrom('audit_log').select(['action', 'details']).where('target_id', '=', thread.id).where('action', '=', 'thread.moved').executeTakeFirstOrThrow()
    expect(entry.details).toEqual({ from: 'integration', to: 'aufnahme-unterbringung-versorgung' })
  })

  it('refuses fields the form does not have', async () => {
    const { thread } = await buildThread(t.db)
    expect((await post(agents.staff, `/threads/${thread.id}/pin`, { author_id: '1' })).status).toBe(400)
    expect((await threadRow(thread.id)).pinned_at).toBeNull()
  })
})

describe('hiding posts', () => {
  it('hides a post with a required reason and shows it again', async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id)
    const empty = await post(agents.staff, `/posts/${reply.id}/hide`, { reason: '   ' })
    expect(empty.status).toBe(422)
    expect(empty.text).toContain('Bitte geben Sie einen Grund an.')
    expect(empty.text).toContain('aria-invalid="true"')
    const tooLong = await post(agents.staff, `/posts/${reply.id}/hide`, { reason: 'x'.repeat(1001) })
    expect(tooLong.status).toBe(422)
    expect(tooLong.text).toContain('höchstens 1000 Zeichen')

    const res = await post(agents.staff, `/posts/${reply.id}/hide`, { reason: 'Persönliche Daten' })
    expect(res.headers.location).toBe(`/posts/${reply.id}`)
    let row = await postRow(reply.id)
    expect(row.hidden_reason).toBe('Persönliche Daten')
    expect(row.hidden_by).toBe(users.staff.id)
    expect((await threadRow(thread.id)).deleted_at).toBeNull()

    await post(agents.staff, `/posts/${reply.id}/unhide`)
    row = await postRow(reply.id)
    expect(row.hidden_at).toBeNull()
    expect(row.hidden_reason).toBeNull()
    expect(await auditActions('post', reply.id)).toEqual(['post.hidden', 'post.unhidden'])
  })

  it('takes a thread out of the lists while its opening post is hidden', async () => {
    const { thread, post: opening } = await buildThread(t.db)
    await post(agents.staff, `/posts/${opening.id}/hide`, { reason: 'Spam' })
    expect((await threadRow(thread.id)).deleted_at).not.toBeNull()
    await post(agents.staff, `/posts/${opening.id}/unhide`)
    expect((await threadRow(thread.id)).deleted_at).toBeNull()
  })
})

describe('reports', () => {
  it('files one open report per person and post, with a required reason of at most 1000 characters', async () => {
    const { thread } = await buildThread(t.db, { body: 'Ein fragwürdiger Beitrag' })
    const opening = (await t.db.selectFrom('posts').select('id').where('thread_id', '=', thread.id).executeTakeFirstOrThrow()).id
    const page = await agents.member.get(`/posts/${opening}/report`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('<h1>Beitrag melden</h1>')
    expect(page.text).toContain('Ein fragwürdiger Beitrag')

    const empty = await submitForm(agents.member, `/posts/${opening}/report`, `/posts/${opening}/report`, { reason: '' })
    expect(empty.status).toBe(422)
    expect(empty.text).toContain('Bitte geben Sie einen Grund an.')
    const tooLong = await submitForm(agents.member, `/posts/${opening}/report`, `/posts/${opening}/report`, { reason: 'x'.repeat(1001) })
    expect(tooLong.status).toBe(422)

    const res = await submitForm(agents.member, `/posts/${opening}/report`, `/posts/${opening}/report`, { reason: 'Beleidigend.' })
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/posts/${opening}`)
    const again = await submitForm(agents.member, '/', `/posts/${opening}/report`, { reason: 'Immer noch beleidigend.' })
    expect(again.status).toBe(303)
    const reports = await t.db.selectFrom('reports').select(['reason', 'reporter_id']).where('post_id', '=', opening).execute()
    expect(reports).toEqual([{ reason: 'Beleidigend.', reporter_id: users.member.id }])
    expect((await agents.member.get(`/posts/${opening}/report`)).text).toContain('Sie haben diesen Beitrag bereits gemeldet.')
  })

  it('does not let members report hidden or unknown posts', async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id)
    await t.db.updateTable('posts').set({ hidden_at: t.clock.now(), hidden_reason: 'Spam' }).where('id', '=', reply.id).execute()
    expect((await agents.member.get(`/posts/${reply.id}/report`)).status).toBe(404)
    expect((await submitForm(agents.member, '/', `/posts/${reply.id}/report`, { reason: 'Noch mal' })).status).toBe(404)
    expect((await agents.member.get('/posts/999999/report')).status).toBe(404)
  })

  it('shows the queue to staff and hides a reported post with the report’s reason, resolving all its reports', async () => {
    const { thread, reply, reporter } = await reportedReply('Enthält eine private Telefonnummer.')
    const second = await buildUser(t.db)
    await t.db.insertInto('reports').values({ post_id: reply.id, reporter_id: second.id, reason: 'Privat!' }).execute()

    const queue = await agents.staff.get('/moderation/reports')
    expect(queue.status).toBe(200)
    const row = queue.text.split('<tr>').find((r) => r.includes('Enthält eine private Telefonnummer.'))!
    expect(row).toContain('Rufen Sie mich privat an: 0123 456789')
    expect(row).toContain(`<a href="/threads/${thread.id}">${thread.title}</a>`)
    expect(row).toContain(reporter.name)
    expect(row).toContain('02.03.2026, 09:00')
    const reportId = row.match(/\/moderation\/reports\/(\d+)\/hide/)![1]

    const res = await post(agents.staff, `/moderation/reports/${reportId}/hide`)
    expect(res.headers.location).toBe('/moderation/reports')
    expect((await postRow(reply.id)).hidden_reason).toBe('Enthält eine private Telefonnummer.')
    const reports = await t.db.selectFrom('reports').select(['resolution', 'resolved_by']).where('post_id', '=', reply.id).execute()
    expect(reports).toEqual([
      { resolution: 'hidden', resolved_by: users.staff.id },
      { resolution: 'hidden', resolved_by: users.staff.id },
    ])
    const after = await agents.staff.get('/moderation/reports')
    expect(after.text).toContain('Der Beitrag ist ausgeblendet.')
    expect(after.text).not.toContain('Enthält eine private Telefonnummer.')
    // A second click (another moderator was faster) changes nothing.
    expect((await post(agents.admin, `/moderation/reports/${reportId}/hide`)).status).toBe(303)
    expect(await auditActions('post', reply.id)).toEqual(['post.hidden'])
  })

  it('dismisses a report and keeps the post', async () => {
    const { reply } = await reportedReply('Unbegründet')
    const report = await t.db.selectFrom('reports').select('id').where('post_id', '=', reply.id).executeTakeFirstOrThrow()
    await post(agents.admin, `/moderation/reports/${report.id}/dismiss`)
    const row = await t.db.selectFrom('reports').select(['resolution', 'resolved_at']).where('id', '=', report.id).executeTakeFirstOrThrow()
    expect(row.resolution).toBe('dismissed')
    expect((await postRow(reply.id)).hidden_at).toBeNull()
    expect(await auditActions('post', reply.id)).toEqual(['report.dismissed'])
  })

  it('labels the moderation actions in the audit log', async () => {
    const { thread } = await buildThread(t.db)
    await post(agents.admin, `/threads/${thread.id}/lock`)
    const log = await agents.admin.get('/admin/audit?action=thread.locked')
    expect(log.text).toContain('<td>Thema geschlossen</td>')
  })
})
