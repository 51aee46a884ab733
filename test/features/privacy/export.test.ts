import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DataExport } from '../../../src/features/privacy/export.service.ts'
import { runDueJobs } from '../../../src/features/jobs/jobs.service.ts'
import { jobs } from '../../../src/jobs.ts'
import { DAY } from '../../../src/lib/clock.ts'
import { newToken } from '../../../src/lib/tokens.ts'
import { buildUser, PASSWORD } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { buildReply, buildThread } from '../../factories.ts'

type Agent = ReturnType<TestApp['agent']>

describe('exporting one’s data (Art. 15/20)', () => {
  let t: TestApp
  beforeAll(async () => {
    // DEMO: admins need no second factor here (the 2FA rules have tests of their own)
    t = await createTestApp({ DEMO: 'true' })
  })
  afterAll(() => t?.close())

  /** Asks for an export on the page and waits until it is prepared (in the background). */
  async function requestOwnExport(agent: Agent): Promise<string> {
    const before = await t.db.selectFrom('data_exports').select('id').execute()
    const res = await submitForm(agent, '/account/data', '/account/data/export', {})
    expect(res.status).toBe(303)
    const row = await t.db
      .selectFrom('data_exports')
      .select('id')
      .where('id', 'not in', before.length ? before.map((b) => b.id) : [''])
      .executeTakeFirstOrThrow()
    // Whichever runs first, the request's own attempt or the scheduler, prepares it once.
    await runDueJobs(t.app.deps, jobs)
    await expect.poll(async () => (await t.db.selectFrom('data_exports').select('status').where('id', '=', row.id).executeTakeFirst())?.status).toBe('ready')
    return row.id
  }

  it('gives a member everything about them as JSON and as a readable page, and only to them', async () => {
    const { db } = t
    const member = await buildUser(db, { name: 'Erika Export' })
    const other = await buildUser(db, { municipality_id: member.municipality_id, name: 'Otto Ander' })
    await db.updateTable('users').set({ position: 'Sachgebiet Integration' }).where('id', '=', member.id).execute()
    const { thread, post } = await buildThread(db, { author: member, title: 'Sprachkurse für Eltern', body: 'Neue Fassung' })
    await db.insertInto('post_revisions').values({ post_id: post.id, body: 'Erste Fassung', title: 'Sprachkurse', edited_by: member.id }).execute()
    const reply = await buildReply(db, thread.id, { author: other, body: 'Gute Idee' })
    await db.insertInto('post_reactions').values({ post_id: reply.id, user_id: member.id }).execute()
    await db.insertInto('thread_watches').values({ user_id: member.id, thread_id: thread.id, level: 'watching' }).execute()
    await db.insertInto('notifications').values({ user_id: member.id, kind: 'reply', thread_id: thread.id, post_id: reply.id, actor_id: other.id }).execute()
    const now = t.clock.now()
    await db
      .insertInto('invitations')
      .values([
        { token_hash: newToken().hash, email: member.email, role: 'member', municipality_id: member.municipality_id, invited_by: other.id, expires_at: now, used_at: now, user_id: member.id },
        { token_hash: newToken().hash, email: 'neu@example.de', role: 'member', municipality_id: member.municipality_id, invited_by: member.id, expires_at: new Date(now.getTime() + DAY) },
      ])
      .execute()

    const agent = t.agent()
    await login(agent, member.email, PASSWORD)
    const id = await requestOwnExport(agent)

    const page = await agent.get('/account/data')
    expect(page.text).toContain(`/account/data/exports/${id}/json`)

    const file = await agent.get(`/account/data/exports/${id}/json`)
    expect(file.status).toBe(200)
    expect(file.headers['content-disposition']).toMatch(/^attachment; filename="datenauskunft-\d{4}-\d{2}-\d{2}\.json"$/)
    const data = JSON.parse(file.text) as DataExport
    const { tables } = data
    expect(data.user_id).toBe(member.id)
    expect(tables.users).toEqual([expect.objectContaining({ id: member.id, email: member.email, name: 'Erika Export', position: 'Sachgebiet Integration' })])
    expect(tables.users![0]).not.toHaveProperty('password_hash')
    expect(tables.users![0]).not.toHaveProperty('totp_secret')
    expect(tables.threads!.map((r) => r.title)).toEqual(['Sprachkurse für Eltern'])
    expect(tables.posts!.map((r) => r.body)).toEqual(['Neue Fassung'])
    expect(tables.post_revisions!.map((r) => r.body)).toEqual(['Erste Fassung'])
    expect(tables.post_reactions).toHaveLength(1)
    expect(tables.thread_watches).toHaveLength(1)
    expect(tables.notifications).toHaveLength(1)
    expect(tables.invitations!.map((r) => r.email).sort()).toEqual([member.email, 'neu@example.de'].sort())
    expect(tables.invitations![0]).not.toHaveProperty('token_hash')
    // Sessions: when and with which browser; the address only as its network.
    expect(tables.sessions!.length).toBeGreaterThan(0)
    expect(tables.sessions![0]).not.toHaveProperty('sid')
    expect(tables.sessions![0]).not.toHaveProperty('data')
    expect(tables.sessions![0]!.ip).toBe('127.0.0.0')
    // The audit log: the export itself is in it.
    expect(tables.audit_log!.map((r) => r.action)).toContain('user.data_export_requested')
    // Nothing of the other member that is not also theirs.
    expect(file.text).not.toContain(other.email)

    const summary = await agent.get(`/account/data/exports/${id}/html`)
    expect(summary.status).toBe(200)
    expect(summary.text).toContain('Erste Fassung')
    expect(summary.text).toContain('Frühere Versionen von Beiträgen')
    expect(summary.text).toContain(member.email)

    // Someone else's export does not exist for another member, even with the right address.
    const otherAgent = t.agent()
    await login(otherAgent, other.email, PASSWORD)
    expect((await otherAgent.get(`/account/data/exports/${id}/json`)).status).toBe(404)
    expect((await otherAgent.get(`/account/data/exports/${id}/html`)).status).toBe(404)
    expect((await otherAgent.get('/account/data')).text).not.toContain(id)
    // …and a member cannot produce another member's export.
    expect((await submitForm(otherAgent, '/account/data', `/admin/users/${member.id}/export`, {})).status).toBe(403)

    // After 7 days it is gone: not downloadable, then deleted by the retention job.
    t.clock.advance(7 * DAY + 1000)
    await login(agent, member.email, PASSWORD)
    expect((await agent.get(`/account/data/exports/${id}/json`)).status).toBe(404)
    await runDueJobs(t.app.deps, jobs)
    expect(await db.selectFrom('data_exports').select('id').where('id', '=', id).execute()).toEqual([])
  })

  it('lets an admin produce a member’s export on request, audited, for the admin alone', async () => {
    const { db } = t
    const admin = await buildUser(db, { role: 'admin' })
    const member = await buildUser(db, { name: 'Mira Mitglied' })
    const adminAgent = t.agent()
    await login(adminAgent, admin.email, PASSWORD)
    const res = await submitForm(adminAgent, `/admin/users/${member.id}`, `/admin/users/${member.id}/export`, {})
    expect(res.status).toBe(303)
    const row = await db.selectFrom('data_exports').selectAll().where('user_id', '=', member.id).executeTakeFirstOrThrow()
    expect(row.requested_by).toBe(admin.id)
    await runDueJobs(t.app.deps, jobs)
    await expect.poll(async () => (await db.selectFrom('data_exports').select('status').where('id', '=', row.id).executeTakeFirst())?.status).toBe('ready')
    const entry = await db.selectFrom('audit_log').selectAll().where('action', '=', 'user.data_export_requested').where('target_id', '=', member.id).executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ actor_id: admin.id, target_type: 'user', details: { by: 'admin' } })

    const list = await adminAgent.get('/account/data')
    expect(list.text).toContain('Mira Mitglied')
    const file = await adminAgent.get(`/account/data/exports/${row.id}/json`)
    expect(JSON.parse(file.text).tables.users[0].email).toBe(member.email)

    const memberAgent = t.agent()
    await login(memberAgent, member.email, PASSWORD)
    expect((await memberAgent.get(`/account/data/exports/${row.id}/json`)).status).toBe(404)
  })

  it('refuses unknown fields and malformed export ids', async () => {
    const member = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, member.email, PASSWORD)
    expect((await submitForm(agent, '/account/data', '/account/data/export', { user_id: '1' })).status).toBe(400)
    expect((await agent.get('/account/data/exports/..%2F..%2Fetc/json')).status).toBe(404)
  })
})
