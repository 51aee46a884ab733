import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eraseUser } from '../../../src/features/privacy/erasure.service.ts'
import { prepareExport, requestExport } from '../../../src/features/privacy/export.service.ts'
import { DAY } from '../../../src/lib/clock.ts'
import { buildMunicipality, buildUser, PASSWORD } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { buildReply, buildThread } from '../../factories.ts'

/**
 * The canary test (SECURITY.md "Privacy"): unique strings in every personal field of a person, the
 * person erased, then every text, JSON and address column of every table read back — none of the
 * strings may be left anywhere. Posts: when the person keeps them, their text stays (it is the
 * forum's content, shown as "Ehemaliges Mitglied"), so those canaries must survive; when they
 * delete them, those canaries must go too.
 */

type Canaries = { personal: string[]; content: string[] }

/** Every value of every text-like column of every table, lower-cased, with where it was found. */
async function dumpEverything(t: TestApp): Promise<{ where: string; value: string }[]> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    SELECT c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables tb ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
    WHERE c.table_schema = 'public' AND tb.table_type = 'BASE TABLE'
      AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'inet', 'tsvector', 'ARRAY', 'USER-DEFINED'))`.execute(t.db)
  const found: { where: string; value: string }[] = []
  for (const { table_name, column_name } of columns.rows) {
    const rows = await sql<{ v: string | null }>`SELECT ${sql.ref(column_name)}::text AS v FROM ${sql.table(table_name)}`.execute(t.db)
    for (const row of rows.rows) if (row.v) found.push({ where: `${table_name}.${column_name}`, value: row.v.toLowerCase() })
  }
  return found
}

function leftovers(dump: { where: string; value: string }[], canaries: string[]) {
  return canaries.flatMap((c) => dump.filter((d) => d.value.includes(c.toLowerCase())).map((d) => `${c} in ${d.where}`))
}

describe('erasing an account (Art. 17)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
  })
  afterAll(() => t?.close())

  /** A person with a unique mark (`tag`) in every personal field, and others who mention and quote them. */
  async function seedPerson(tag: string) {
    const { db } = t
    const now = t.clock.now()
    const town = await buildMunicipality(db, { name: 'Musterstadt ' + tag.slice(0, 3) })
    const person = await buildUser(db, {
      municipality_id: town.id,
      name: `Cora ${tag}name`,
      email: `cora.${tag}mail@musterstadt.example`,
      totp_secret: `${tag}TOTPSECRET`.toUpperCase(),
    })
    await db.updateTable('users').set({ position: `${tag}position`, external_id: `${tag}external` }).where('id', '=', person.id).execute()
    const user = await db.selectFrom('users').selectAll().where('id', '=', person.id).executeTakeFirstOrThrow()
    const other = await buildUser(db, { municipality_id: town.id, name: 'Olaf Other' })

    await db.insertInto('recovery_codes').values({ user_id: person.id, code_hash: `${tag}recovery` }).execute()
    await db.insertInto('password_resets').values({ user_id: person.id, token_hash: `${tag}reset`, expires_at: new Date(now.getTime() + DAY) }).execute()
    await db
      .insertInto('invitations')
      .values({
        token_hash: `${tag}invitetoken`,
        email: user.email,
        name: `Cora ${tag}invitename`,
        role: 'member',
        municipality_id: town.id,
        invited_by: other.id,
        expires_at: new Date(now.getTime() + DAY),
        used_at: now,
        user_id: person.id,
      })
      .execute()
    // A session with an address and a browser, and a half-finished sign-in naming them in its data.
    await db
      .insertInto('sessions')
      .values([
        { sid: `${tag}sid1`, user_id: person.id, data: JSON.stringify({ userId: person.id, ip: '198.51.100.77', userAgent: `${tag}agent` }), expires_at: new Date(now.getTime() + DAY), ip: '198.51.100.77', user_agent: `${tag}agent` },
        { sid: `${tag}sid2`, user_id: null, data: JSON.stringify({ pendingUserId: person.id, note: `${tag}pending` }), expires_at: new Date(now.getTime() + DAY), ip: null, user_agent: null },
      ])
      .execute()

    // Their texts: a thread nobody answered, a best-practice thread others answered, a reply with an old version and a file.
    const lonely = await buildThread(db, { author: user, title: `${tag}lonelytitle`, body: `${tag}lonelybody` })
    const answered = await buildThread(db, {
      author: user,
      kind: 'best_practice',
      title: 'Dolmetscherpool gemeinsam nutzen',
      body: `${tag}openingbody`,
      bp: { bp_situation: `${tag}situation`, bp_contact: `Cora, Tel. ${tag}phone` },
    })
    await buildReply(db, answered.thread.id, { author: other, body: `Danke @${user.handle}!\n\n> **Cora ${tag}name schrieb:**\n>\n> zitiert` })
    const reply = await buildReply(db, lonely.thread.id, { author: user, body: `${tag}replybody` })
    await db.insertInto('post_revisions').values({ post_id: reply.id, body: `${tag}oldversion`, edited_by: person.id }).execute()
    await db
      .insertInto('attachments')
      .values({ post_id: reply.id, uploaded_by: person.id, original_name: `${tag}file.pdf`, stored_name: randomBytes(16).toString('hex'), content_type: 'application/pdf', size_bytes: 10 })
      .execute()
    // Someone else's post that mentioned them, edited since: the old version mentions them too.
    const mention = await buildReply(db, answered.thread.id, { author: other, body: `Frage an @${user.handle}, bitte` })
    await db.insertInto('post_revisions').values({ post_id: mention.id, body: `Alte Frage an @${user.handle}`, edited_by: other.id }).execute()
    // What they did: a report with a reason, a reaction, a watch, a notification, a "betrifft uns auch".
    await db.insertInto('reports').values({ post_id: mention.id, reporter_id: person.id, reason: `${tag}reportreason` }).execute()
    await db.insertInto('post_reactions').values({ post_id: mention.id, user_id: person.id }).execute()
    await db.insertInto('thread_watches').values({ user_id: person.id, thread_id: answered.thread.id, level: 'watching' }).execute()
    await db.insertInto('notifications').values({ user_id: person.id, kind: 'reply', thread_id: answered.thread.id, post_id: mention.id, actor_id: other.id }).execute()
    await db.insertInto('thread_concerns').values({ thread_id: answered.thread.id, municipality_id: town.id, user_id: person.id }).execute()
    // A failed sign-in leaves a throttle row keyed by their address.
    const agent = t.agent()
    await submitForm(agent, '/login', '/login', { email: user.email, password: 'falsch-falsch-falsch' })
    // And an export they asked for holds everything at once.
    const exportId = await requestExport(db, { userId: person.id, requestedBy: person.id, municipalityId: town.id, now })
    await prepareExport(db, exportId, now)

    const canaries: Canaries = {
      personal: [
        `${tag}name`,
        `${tag}mail`,
        user.handle,
        `${tag}position`,
        `${tag}external`,
        `${tag}TOTPSECRET`,
        `${tag}recovery`,
        `${tag}reset`,
        `${tag}invitetoken`,
        `${tag}invitename`,
        `${tag}sid1`,
        `${tag}sid2`,
        `${tag}agent`,
        `${tag}pending`,
        '198.51.100.77',
        `${tag}phone`,
        `${tag}reportreason`,
      ],
      content: [`${tag}lonelytitle`, `${tag}lonelybody`, `${tag}openingbody`, `${tag}situation`, `${tag}replybody`, `${tag}oldversion`, `${tag}file`],
    }
    return { user, other, town, canaries, answered, lonely, exportId }
  }

  it('keeps nothing personal when the posts stay, and the posts keep their text', async () => {
    const { user, canaries, answered } = await seedPerson('kqz7')
    const agent = t.agent()
    await login(agent, user.email, PASSWORD)
    const before = await dumpEverything(t)
    // Every canary is somewhere before, or the test would prove nothing.
    expect(canaries.personal.filter((c) => leftovers(before, [c]).length === 0)).toEqual([])

    expect(await eraseUser(t.db, { userId: user.id, actorId: user.id, deletePosts: false, now: t.clock.now(), dataDir: t.config.dataDir })).toBe('done')

    const after = await dumpEverything(t)
    expect(leftovers(after, canaries.personal)).toEqual([])
    const row = await t.db.selectFrom('users').selectAll().where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row).toMatchObject({ password_hash: null, totp_secret: null, position: null, active: false, name: 'Ehemaliges Mitglied' })
    expect(row.erased_at).not.toBeNull()
    // The forum's content stays: every content canary is still there.
    expect(canaries.content.filter((c) => leftovers(after, [c]).length === 0)).toEqual([])

    // Signed out everywhere, and the old sign-in fails.
    expect((await agent.get('/account')).status).toBe(303)
    const again = await submitForm(t.agent(), '/login', '/login', { email: user.email, password: PASSWORD })
    expect(again.status).toBe(422)
    expect(await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()).toEqual([])

    // The thread shows them as a former member of their municipality; the mention reads neutrally.
    const reader = await buildUser(t.db)
    const readerAgent = t.agent()
    await login(readerAgent, reader.email, PASSWORD)
    const page = await readerAgent.get(`/threads/${answered.thread.id}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Ehemaliges Mitglied (Musterstadt kqz)')
    expect(page.text).toContain('Danke Ehemaliges Mitglied!')

    // One audit entry, naming nobody.
    const entries = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.erased').execute()
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ actor_id: user.id, target_type: 'user', target_id: user.id, details: { by: 'self', posts_deleted: false } })
  })

  it('removes the texts too when the person asks, keeping threads others answered readable', async () => {
    const { user, canaries, answered, lonely, other } = await seedPerson('wjx4')
    const admin = await buildUser(t.db, { role: 'admin' })
    expect(await eraseUser(t.db, { userId: user.id, actorId: admin.id, deletePosts: true, now: t.clock.now(), dataDir: t.config.dataDir })).toBe('done')

    const after = await dumpEverything(t)
    expect(leftovers(after, [...canaries.personal, ...canaries.content])).toEqual([])

    const threads = await t.db.selectFrom('threads').select(['id', 'deleted_at']).where('id', 'in', [answered.thread.id, lonely.thread.id]).orderBy('id').execute()
    // The thread nobody else answered is gone; the one with answers stays, with them.
    expect(threads.find((th) => th.id === lonely.thread.id)?.deleted_at).not.toBeNull()
    expect(threads.find((th) => th.id === answered.thread.id)?.deleted_at).toBeNull()
    const replies = await t.db.selectFrom('posts').select(['body', 'deleted_at']).where('thread_id', '=', answered.thread.id).where('author_id', '=', other.id).execute()
    expect(replies).toHaveLength(2)
    expect(replies.every((r) => r.deleted_at === null && r.body.length > 0)).toBe(true)

    const entry = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'user.erased').where('target_id', '=', user.id).executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ actor_id: admin.id, details: { by: 'admin', posts_deleted: true } })
  })

  it('refuses to erase the last active admin', async () => {
    const db = t.db
    await db.updateTable('users').set({ active: false }).where('role', '=', 'admin').execute()
    const admin = await buildUser(db, { role: 'admin' })
    expect(await eraseUser(db, { userId: admin.id, actorId: admin.id, deletePosts: false, now: t.clock.now(), dataDir: t.config.dataDir })).toBe('privacy.erase.lastAdmin')
    expect((await db.selectFrom('users').select('erased_at').where('id', '=', admin.id).executeTakeFirstOrThrow()).erased_at).toBeNull()
  })
})
