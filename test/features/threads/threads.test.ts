import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeUploads } from '../../../src/features/attachments/attachments.service.ts'
import { CSRF_PLACEHOLDER } from '../../../src/lib/fragments.ts'
import { buildMunicipality, buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, type TestApp } from '../../helpers/app.ts'
import { post, signedIn, textOf } from './helpers.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
})
afterAll(() => t.close())

type Agent = ReturnType<TestApp['agent']>

/** Submits the new-thread form of a forum as a browser does (urlencoded when there are no files). */
async function newThread(agent: Agent, fields: Record<string, string>, forum = 'integration') {
  const token = await csrfFrom(agent, `/forums/${forum}/new`)
  return agent.post(`/forums/${forum}/new`).type('form').send({ _csrf: token, ...fields })
}

async function reply(agent: Agent, threadId: number, fields: Record<string, string>) {
  const token = await csrfFrom(agent, `/threads/${threadId}`)
  return agent.post(`/threads/${threadId}/replies`).type('form').send({ _csrf: token, ...fields })
}

describe('asking a question', () => {
  it('creates the thread and its opening post together and shows it', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const form = await agent.get('/forums/integration/new')
    expect(form.status).toBe(200)
    expect(form.text).toContain('data-draft')
    expect(form.text).toContain('id="similar-threads"')
    expect(form.text).toContain('enctype="multipart/form-data"')

    t.clock.advance(60_000)
    const now = t.clock.now()
    const res = await newThread(agent, { kind: 'question', title: 'Dolmetscher für Elterngespräche?', body: 'Wer hat **Erfahrung**?' })
    expect(res.status).toBe(303)
    const id = Number(res.headers.location!.match(/^\/threads\/(\d+)$/)![1])
    const thread = await t.db.selectFrom('threads').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    expect(thread).toMatchObject({ kind: 'question', author_id: user.id, municipality_id: user.municipality_id, reply_count: 0 })
    expect(thread.last_post_at.toISOString()).toBe(now.toISOString())
    const posts = await t.db.selectFrom('posts').selectAll().where('thread_id', '=', id).execute()
    expect(posts).toHaveLength(1)
    expect(posts[0]).toMatchObject({ position: 1, body: 'Wer hat **Erfahrung**?', author_id: user.id })

    const page = await agent.get(`/threads/${id}`)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Ihr Thema wurde veröffentlicht.')
    expect(page.text).toContain('<h1>Dolmetscher für Elterngespräche?</h1>')
    expect(page.text).toContain('<strong>Erfahrung</strong>')
    expect(textOf(page.text)).toContain('Frage')
    expect(page.text).toContain(`id="post-${posts[0]!.id}"`)
  })

  it('re-renders with German errors and the typed values when the form is incomplete (422)', async () => {
    const { agent } = await signedIn(t, 'member')
    const before = await t.db.selectFrom('threads').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    const res = await newThread(agent, { kind: 'question', title: '', body: 'Mein Text bleibt erhalten' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('Bitte geben Sie einen Titel an.')
    expect(res.text).toContain('Mein Text bleibt erhalten')
    expect(res.text).toMatch(/id="f-title"[^>]*aria-invalid="true"/)

    const long = await newThread(agent, { kind: 'discussion', title: 'x'.repeat(201), body: 'y'.repeat(50_001) })
    expect(long.status).toBe(422)
    expect(long.text).toContain('Der Titel darf höchstens 200 Zeichen lang sein.')
    expect(long.text).toContain('Der Text darf höchstens 50.000 Zeichen lang sein.')
    const after = await t.db.selectFrom('threads').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
  })

  it('refuses smuggled fields such as author_id', async () => {
    const { agent } = await signedIn(t, 'member')
    const other = await buildUser(t.db)
    const res = await newThread(agent, { kind: 'question', title: 'Untergeschoben', body: 'Text', author_id: String(other.id) })
    expect(res.status).toBe(422)
    expect(res.text).toContain('Das Formular enthielt unerwartete Felder.')
    expect(await t.db.selectFrom('threads').select('id').where('title', '=', 'Untergeschoben').executeTakeFirst()).toBeUndefined()
  })

  it('shows a rendered, sanitised preview without saving anything', async () => {
    const { agent } = await signedIn(t, 'member')
    const res = await newThread(agent, {
      kind: 'question',
      title: 'Vorschau-Test',
      body: '## Überschrift\n\n<script>alert(1)</script> [klick](javascript:alert(1))',
      action: 'preview',
    })
    expect(res.status).toBe(200)
    expect(res.text).toContain('<h2>Überschrift</h2>')
    expect(res.text).not.toContain('<script>alert')
    expect(res.text).not.toMatch(/href="javascript:/i)
    // the form keeps what was typed
    expect(res.text).toContain('value="Vorschau-Test"')
    expect(await t.db.selectFrom('threads').select('id').where('title', '=', 'Vorschau-Test').executeTakeFirst()).toBeUndefined()
  })

  it('shows similar existing threads in the preview', async () => {
    await buildThread(t.db, { title: 'Dolmetscherkosten bei Arztbesuchen übernehmen' })
    const { agent } = await signedIn(t, 'member')
    const res = await newThread(agent, { kind: 'question', title: 'Dolmetscherkosten Arztbesuche', body: 'Frage', action: 'preview' })
    const similar = res.text.match(/<div id="similar-threads"[\s\S]*?<\/div>\s*<\/div>/)?.[0] ?? ''
    expect(similar).toContain('Dolmetscherkosten bei Arztbesuchen übernehmen')
  })
})

describe('best practice', () => {
  it('requires situation and approach and shows all parts as headed sections', async () => {
    const { agent } = await signedIn(t, 'member')
    const missing = await newThread(agent, { kind: 'best_practice', title: 'Sprachmittlerpool', body: 'Kurz gesagt', bp_situation: '' })
    expect(missing.status).toBe(422)
    expect(missing.text).toContain('Bitte beschreiben Sie die Ausgangslage.')
    expect(missing.text).toContain('Bitte beschreiben Sie Ihr Vorgehen.')

    const res = await newThread(agent, {
      kind: 'best_practice',
      title: 'Sprachmittlerpool im Landkreis',
      body: 'Ein Pool von 40 Sprachmittlern.',
      bp_situation: 'Zu wenige Dolmetscher',
      bp_approach: 'Ehrenamtliche geschult',
      bp_effort: '2.000 € im Jahr',
      bp_contact: 'Frau Beispiel, Tel. 0511 123',
    })
    expect(res.status).toBe(303)
    const page = await agent.get(res.headers.location!)
    for (const heading of ['Ausgangslage', 'Vorgehen', 'Aufwand und Kosten', 'Ansprechperson']) expect(page.text).toContain(`<h4>${heading}</h4>`)
    expect(page.text).toContain('Ehrenamtliche geschult')
    expect(page.text).toContain('2.000 € im Jahr')
  })

  it('does not store best-practice parts for other kinds', async () => {
    const { agent } = await signedIn(t, 'member')
    const res = await newThread(agent, { kind: 'discussion', title: 'Nur Diskussion', body: 'Text', bp_situation: 'ignoriert' })
    expect(res.status).toBe(303)
    const thread = await t.db.selectFrom('threads').selectAll().where('title', '=', 'Nur Diskussion').executeTakeFirstOrThrow()
    expect(thread.bp_situation).toBeNull()
  })
})

describe('replies', () => {
  it('appends a reply at the next position, keeps counts current and lands on its anchor', async () => {
    const { thread } = await buildThread(t.db)
    await buildReply(t.db, thread.id)
    const { user, agent } = await signedIn(t, 'member')
    t.clock.advance(60_000)
    const now = t.clock.now()
    const res = await reply(agent, thread.id, { body: 'Bei uns klappt das mit dem Landkreis.' })
    expect(res.status).toBe(303)
    const created = await t.db.selectFrom('posts').selectAll().where('thread_id', '=', thread.id).where('position', '=', 3).executeTakeFirstOrThrow()
    expect(created).toMatchObject({ author_id: user.id, municipality_id: user.municipality_id })
    expect(res.headers.location).toBe(`/threads/${thread.id}#post-${created.id}`)
    const after = await t.db.selectFrom('threads').selectAll().where('id', '=', thread.id).executeTakeFirstOrThrow()
    expect(after.reply_count).toBe(2)
    expect(after.last_post_at.toISOString()).toBe(now.toISOString())
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('Ihre Antwort wurde veröffentlicht.')
    expect(page.text).toContain('Bei uns klappt das mit dem Landkreis.')
  })

  it('gives concurrent replies distinct positions', async () => {
    const { thread } = await buildThread(t.db)
    const agents = await Promise.all([signedIn(t, 'member'), signedIn(t, 'member'), signedIn(t, 'member')])
    const tokens = await Promise.all(agents.map(({ agent }) => csrfFrom(agent, `/threads/${thread.id}`)))
    const results = await Promise.all(
      agents.map(({ agent }, i) => agent.post(`/threads/${thread.id}/replies`).type('form').send({ _csrf: tokens[i], body: `parallel ${i}` })),
    )
    expect(results.map((r) => r.status)).toEqual([303, 303, 303])
    const positions = (await t.db.selectFrom('posts').select('position').where('thread_id', '=', thread.id).orderBy('position').execute()).map((p) => p.position)
    expect(positions).toEqual([1, 2, 3, 4])
  })

  it('refuses an empty reply with 422 and a German message', async () => {
    const { thread } = await buildThread(t.db)
    const { agent } = await signedIn(t, 'member')
    const res = await reply(agent, thread.id, { body: '   ' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('Bitte schreiben Sie einen Text.')
  })

  it('previews a reply without publishing it', async () => {
    const { thread } = await buildThread(t.db)
    const { agent } = await signedIn(t, 'member')
    const res = await reply(agent, thread.id, { body: '*betont*', action: 'preview' })
    expect(res.status).toBe(200)
    expect(res.text).toContain('<em>betont</em>')
    expect(res.text).toContain('*betont*</textarea>')
    expect((await t.db.selectFrom('threads').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow()).reply_count).toBe(0)
  })

  it('pre-fills a quote naming the author', async () => {
    const author = await buildUser(t.db, { name: 'Erika Muster' })
    const { thread, post: opening } = await buildThread(t.db, { author, body: 'Erste Zeile\nZweite Zeile' })
    const { agent } = await signedIn(t, 'member')
    const res = await agent.get(`/threads/${thread.id}/reply?quote=${opening.id}`)
    expect(res.status).toBe(200)
    expect(res.text).toContain('&gt; **Erika Muster schrieb:**\n&gt;\n&gt; Erste Zeile\n&gt; Zweite Zeile')
    // a post of another thread is not quoted
    const { post: foreign } = await buildThread(t.db, { body: 'Fremder Text' })
    const other = await agent.get(`/threads/${thread.id}/reply?quote=${foreign.id}`)
    expect(other.text).not.toContain('Fremder Text')
  })

  it('refuses replies in a locked thread, except from staff', async () => {
    const { thread } = await buildThread(t.db, { locked: true })
    const { agent } = await signedIn(t, 'member')
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('Dieses Thema ist geschlossen')
    expect(page.text).not.toContain(`action="/threads/${thread.id}/replies"`)
    const res = await post(agent, `/threads/${thread.id}/replies`, { body: 'Trotzdem' })
    expect(res.status).toBe(403)
    const staff = await signedIn(t, 'staff')
    const ok = await post(staff.agent, `/threads/${thread.id}/replies`, { body: 'Hinweis der Geschäftsstelle' })
    expect(ok.status).toBe(303)
  })
})

describe('thread pages and permalinks', () => {
  it('shows 20 posts a page with numbered links, and /posts/:id finds the right page and anchor', async () => {
    const { thread } = await buildThread(t.db, { body: 'Eröffnung' })
    const replies = []
    for (let i = 2; i <= 45; i++) replies.push(await buildReply(t.db, thread.id, { body: `Antwort Nummer ${i}.` }))
    const { agent } = await signedIn(t, 'member')
    const first = await agent.get(`/threads/${thread.id}`)
    expect(first.text).toContain('Antwort Nummer 20.')
    expect(first.text).not.toContain('Antwort Nummer 21.')
    expect(first.text).toContain(`href="/threads/${thread.id}?page&#x3D;3"`)
    expect(first.text).toMatch(new RegExp(`href="/threads/${thread.id}" aria-current="page"`))
    const third = await agent.get(`/threads/${thread.id}?page=3`)
    expect(third.text).toContain('Antwort Nummer 41.')
    expect(third.text).toContain('Antwort Nummer 45.')
    expect(third.text).not.toContain('Eröffnung')
    expect((await agent.get(`/threads/${thread.id}?page=4`)).status).toBe(404)

    const reply30 = replies.find((r) => r.position === 30)!
    const link = await agent.get(`/posts/${reply30.id}`)
    expect(link.status).toBe(303)
    expect(link.headers.location).toBe(`/threads/${thread.id}?page=2#post-${reply30.id}`)
    expect((await agent.get('/posts/999999')).status).toBe(404)
  })

  it('escapes titles and names and never lets script through', async () => {
    const author = await buildUser(t.db, { name: '<img src=x onerror=alert(1)>' })
    const { thread } = await buildThread(t.db, { author, title: '<script>alert("t")</script>', body: '<b onmouseover=alert(1)>x</b> [a](javascript:alert(1))' })
    const { agent } = await signedIn(t, 'member')
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).not.toContain('<script>alert')
    expect(page.text).not.toContain('<img src=x')
    expect(page.text).not.toContain('<b onmouseover')
    expect(page.text).not.toMatch(/href="javascript:/i)
    expect(page.text).toContain('&lt;script&gt;')
  })

  it('marks the highest position shown as read', async () => {
    const { thread } = await buildThread(t.db)
    await buildReply(t.db, thread.id)
    const { user, agent } = await signedIn(t, 'member')
    await agent.get(`/threads/${thread.id}`)
    const read = await t.db.selectFrom('thread_reads').selectAll().where('user_id', '=', user.id).where('thread_id', '=', thread.id).executeTakeFirst()
    expect(read?.last_read_position).toBe(2)
  })

  it('writes nothing when the same posts are seen again, yet marks a notification about them as read', async () => {
    const { thread, post: opening } = await buildThread(t.db)
    await buildReply(t.db, thread.id)
    const { user, agent } = await signedIn(t, 'member')
    const readRow = () =>
      t.db.selectFrom('thread_reads').selectAll().where('user_id', '=', user.id).where('thread_id', '=', thread.id).executeTakeFirstOrThrow()
    await agent.get(`/threads/${thread.id}`)
    const first = await readRow()
    t.clock.advance(5 * 60_000)
    expect((await agent.get(`/threads/${thread.id}`)).status).toBe(200)
    expect((await readRow()).updated_at).toEqual(first.updated_at)
    // A notification about a post already read (the solution, say) still becomes read on the next visit.
    const { id } = await t.db
      .insertInto('notifications')
      .values({ user_id: user.id, kind: 'solution', thread_id: thread.id, post_id: opening.id, actor_id: null, created_at: t.clock.now() })
      .returning('id')
      .executeTakeFirstOrThrow()
    expect((await agent.get(`/threads/${thread.id}`)).status).toBe(200)
    const notification = await t.db.selectFrom('notifications').select('read_at').where('id', '=', id).executeTakeFirstOrThrow()
    expect(notification.read_at).not.toBeNull()
    expect((await readRow()).last_read_position).toBe(2)
  })
})

describe('editing, history, deleting and restoring', () => {
  it('keeps the previous text as a revision, shows "bearbeitet" and lets staff see the history', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const { thread, post: opening } = await buildThread(t.db, { author: user, title: 'Alter Titel', body: 'Alter Text' })
    const form = await agent.get(`/posts/${opening.id}/edit`)
    expect(form.status).toBe(200)
    expect(form.text).toContain('value="Alter Titel"')
    t.clock.advance(60_000)
    const res = await post(agent, `/posts/${opening.id}/edit`, { title: 'Neuer Titel', body: 'Neuer Text' })
    expect(res.status).toBe(303)
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('<h1>Neuer Titel</h1>')
    expect(page.text).toContain('Neuer Text')
    expect(page.text).toContain('bearbeitet')
    expect(page.text).not.toContain(`/posts/${opening.id}/history`)
    expect((await agent.get(`/posts/${opening.id}/history`)).status).toBe(403)

    const staff = await signedIn(t, 'staff')
    const staffPage = await staff.agent.get(`/threads/${thread.id}`)
    expect(staffPage.text).toContain(`/posts/${opening.id}/history`)
    const history = await staff.agent.get(`/posts/${opening.id}/history`)
    expect(history.status).toBe(200)
    expect(history.text).toContain('Alter Text')
    expect(history.text).toContain('Alter Titel')
    expect(history.text).toContain(user.name)
  })

  it('edits the structured parts of a best practice and refuses an empty approach', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const { thread, post: opening } = await buildThread(t.db, {
      author: user,
      kind: 'best_practice',
      bp: { bp_situation: 'Lage', bp_approach: 'Weg' },
    })
    const bad = await post(agent, `/posts/${opening.id}/edit`, { title: thread.title, body: 'Text', bp_situation: 'Lage', bp_approach: '', bp_effort: '', bp_contact: '' })
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('Bitte beschreiben Sie Ihr Vorgehen.')
    const ok = await post(agent, `/posts/${opening.id}/edit`, { title: thread.title, body: 'Text', bp_situation: 'Lage', bp_approach: 'Neuer Weg', bp_effort: 'wenig', bp_contact: '' })
    expect(ok.status).toBe(303)
    const after = await t.db.selectFrom('threads').selectAll().where('id', '=', thread.id).executeTakeFirstOrThrow()
    expect(after).toMatchObject({ bp_approach: 'Neuer Weg', bp_effort: 'wenig', bp_contact: null })
  })

  it('a deleted reply shows "gelöscht"; staff see its text and restore it', async () => {
    const { thread } = await buildThread(t.db)
    const { user, agent } = await signedIn(t, 'member')
    const mine = await buildReply(t.db, thread.id, { author: user, body: 'Das nehme ich zurück.' })
    const res = await post(agent, `/posts/${mine.id}/delete`)
    expect(res.status).toBe(303)
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('Dieser Beitrag wurde gelöscht.')
    expect(page.text).not.toContain('Das nehme ich zurück.')
    const stored = await t.db.selectFrom('posts').selectAll().where('id', '=', mine.id).executeTakeFirstOrThrow()
    expect(stored.deleted_by).toBe(user.id)
    expect((await t.db.selectFrom('threads').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow()).reply_count).toBe(0)

    const staff = await signedIn(t, 'staff')
    const staffPage = await staff.agent.get(`/threads/${thread.id}`)
    expect(staffPage.text).toContain('Das nehme ich zurück.')
    expect(staffPage.text).toContain(`action="/posts/${mine.id}/restore"`)
    expect((await post(staff.agent, `/posts/${mine.id}/restore`)).status).toBe(303)
    expect((await agent.get(`/threads/${thread.id}`)).text).toContain('Das nehme ich zurück.')
    expect((await t.db.selectFrom('threads').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow()).reply_count).toBe(1)
    // The author's own delete is not a moderation action; the staff restore is.
    const logged = await t.db.selectFrom('audit_log').select(['action', 'actor_id']).where('target_id', '=', mine.id).where('target_type', '=', 'post').execute()
    expect(logged).toEqual([{ action: 'post.restored', actor_id: staff.user.id }])
  })

  it('staff deleting someone else\'s post is in the audit log', async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id, { body: 'Unpassender Beitrag' })
    const staff = await signedIn(t, 'staff')
    expect((await post(staff.agent, `/posts/${reply.id}/delete`)).status).toBe(303)
    const logged = await t.db.selectFrom('audit_log').select(['action', 'actor_id']).where('target_id', '=', reply.id).where('target_type', '=', 'post').execute()
    expect(logged).toEqual([{ action: 'post.deleted', actor_id: staff.user.id }])
  })

  it('staff editing someone else\'s post is in the audit log; editing one\'s own is not', async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id, { body: 'Telefonnummer 0123 456' })
    const staff = await signedIn(t, 'staff')
    expect((await post(staff.agent, `/posts/${reply.id}/edit`, { body: 'Telefonnummer entfernt' })).status).toBe(303)
    const own = await buildReply(t.db, thread.id, { author: staff.user, body: 'Hinweis der Geschäftsstelle' })
    expect((await post(staff.agent, `/posts/${own.id}/edit`, { body: 'Hinweis der Geschäftsstelle, ergänzt' })).status).toBe(303)
    const logged = await t.db
      .selectFrom('audit_log')
      .select(['action', 'actor_id', 'target_id'])
      .where('target_type', '=', 'post')
      .where('target_id', 'in', [reply.id, own.id])
      .execute()
    expect(logged).toEqual([{ action: 'post.edited', actor_id: staff.user.id, target_id: reply.id }])
    const admin = await signedIn(t, 'admin')
    const log = await admin.agent.get('/admin/audit?action=post.edited')
    expect(log.status).toBe(200)
    expect(log.text).toContain('Beitrag bearbeitet (Moderation)')
  })

  it('deleting the opening post removes the thread from lists and from members; staff can restore it', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const { thread, post: opening } = await buildThread(t.db, { author: user, title: 'Bald verschwunden', at: new Date('2026-03-08T00:00:00Z') })
    expect((await agent.get('/forums/integration')).text).toContain('Bald verschwunden')
    const res = await post(agent, `/posts/${opening.id}/delete`)
    expect(res.headers.location).toBe('/forums/integration')
    expect((await agent.get('/forums/integration')).text).not.toContain('Bald verschwunden')
    expect((await agent.get(`/threads/${thread.id}`)).status).toBe(404)
    const staff = await signedIn(t, 'staff')
    const staffView = await staff.agent.get(`/threads/${thread.id}`)
    expect(staffView.status).toBe(200)
    expect(staffView.text).toContain('nur für die Geschäftsstelle sichtbar')
    await post(staff.agent, `/posts/${opening.id}/restore`)
    expect((await agent.get('/forums/integration')).text).toContain('Bald verschwunden')
  })

  it('shows a hidden post as "ausgeblendet" with the reason; only staff read its text', async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id, { body: 'Unangemessener Inhalt' })
    const moderator = await buildUser(t.db, { role: 'staff' })
    await t.db
      .updateTable('posts')
      .set({ hidden_at: new Date(), hidden_by: moderator.id, hidden_reason: 'Persönliche Daten' })
      .where('id', '=', reply.id)
      .execute()
    const { agent } = await signedIn(t, 'member')
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('ausgeblendet')
    expect(page.text).toContain('Grund: Persönliche Daten')
    expect(page.text).not.toContain('Unangemessener Inhalt')
    const staff = await signedIn(t, 'staff')
    expect((await staff.agent.get(`/threads/${thread.id}`)).text).toContain('Unangemessener Inhalt')
  })
})

describe('solutions, helpful, concerns and adoptions', () => {
  it('the asker marks a reply as the solution, shown under the question; a new mark replaces it; it can be withdrawn', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const town = await buildMunicipality(t.db, { name: 'Salzgitter' })
    const helper = await buildUser(t.db, { name: 'Hanna Helfer', municipality_id: town.id })
    await t.db.updateTable('users').set({ position: 'Leitung Ordnungsamt' }).where('id', '=', helper.id).execute()
    const { thread } = await buildThread(t.db, { author: user })
    const first = await buildReply(t.db, thread.id, { author: helper, body: 'Fragen Sie den Landkreis.' })
    const second = await buildReply(t.db, thread.id, { body: 'Oder die Volkshochschule.' })
    expect((await post(agent, `/posts/${first.id}/solution`)).status).toBe(303)
    const page = await agent.get(`/threads/${thread.id}`)
    expect(textOf(page.text)).toContain('Gelöst: Antwort von Hanna Helfer (Salzgitter)')
    // each post names its author with position and municipality
    expect(textOf(page.text)).toContain('Hanna Helfer Leitung Ordnungsamt, Salzgitter')
    expect(page.text).toContain(`href="/threads/${thread.id}#post-${first.id}"`)
    await post(agent, `/posts/${second.id}/solution`)
    expect((await t.db.selectFrom('threads').select('solution_post_id').where('id', '=', thread.id).executeTakeFirstOrThrow()).solution_post_id).toBe(second.id)
    await post(agent, `/threads/${thread.id}/solution/clear`)
    expect((await t.db.selectFrom('threads').select('solution_post_id').where('id', '=', thread.id).executeTakeFirstOrThrow()).solution_post_id).toBeNull()
    expect((await agent.get(`/threads/${thread.id}`)).text).not.toContain('Gelöst: Antwort')
  })

  it('refuses to mark the opening post or a reply in a discussion as the solution', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const { post: opening } = await buildThread(t.db, { author: user })
    expect((await post(agent, `/posts/${opening.id}/solution`)).status).toBe(403)
    const { thread: discussion } = await buildThread(t.db, { author: user, kind: 'discussion' })
    const reply = await buildReply(t.db, discussion.id)
    expect((await post(agent, `/posts/${reply.id}/solution`)).status).toBe(403)
  })

  it('counts "hilfreich" once per person, not on one\'s own post, and toggles it back', async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id)
    const { agent } = await signedIn(t, 'member')
    await post(agent, `/posts/${reply.id}/helpful`, { set: '1' })
    await post(agent, `/posts/${reply.id}/helpful`, { set: '1' })
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('1 × hilfreich')
    expect(page.text).toContain('Nicht mehr hilfreich')
    await post(agent, `/posts/${reply.id}/helpful`, { set: '0' })
    expect((await agent.get(`/threads/${thread.id}`)).text).not.toContain('1 × hilfreich')
    expect((await post(agent, `/posts/${reply.id}/helpful`, { set: 'x' })).status).toBe(400)

    const own = await signedIn(t, 'member')
    const ownReply = await buildReply(t.db, thread.id, { author: own.user })
    expect((await post(own.agent, `/posts/${ownReply.id}/helpful`, { set: '1' })).status).toBe(403)
  })

  it('"betrifft uns auch" is one mark per municipality that any of its members sets or withdraws', async () => {
    const town = await buildMunicipality(t.db, { name: 'Wolfenbüttel' })
    const a = await signedIn(t, 'member', { municipality_id: town.id })
    const b = await signedIn(t, 'member', { municipality_id: town.id })
    const { thread } = await buildThread(t.db)
    await post(a.agent, `/threads/${thread.id}/concern`, { set: '1' })
    await post(b.agent, `/threads/${thread.id}/concern`, { set: '1' })
    let page = await b.agent.get(`/threads/${thread.id}`)
    expect(textOf(page.text)).toContain('1 Kommune: Wolfenbüttel')
    expect(page.text).toContain('Betrifft uns doch nicht')
    await post(b.agent, `/threads/${thread.id}/concern`, { set: '0' })
    page = await a.agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('Noch keine Kommune hat dieses Thema markiert.')
    const staff = await signedIn(t, 'staff')
    expect((await post(staff.agent, `/threads/${thread.id}/concern`, { set: '1' })).status).toBe(403)
  })

  it('"übernommen": one per municipality, not by the author\'s own, shown with names', async () => {
    const home = await buildMunicipality(t.db, { name: 'Heimatstadt' })
    const author = await buildUser(t.db, { municipality_id: home.id })
    const { thread } = await buildThread(t.db, { author, kind: 'best_practice', bp: { bp_situation: 'L', bp_approach: 'V' } })
    const colleague = await signedIn(t, 'member', { municipality_id: home.id })
    expect((await post(colleague.agent, `/threads/${thread.id}/adopt`, { set: '1' })).status).toBe(403)
    for (const name of ['Adorf', 'Bedorf']) {
      const town = await buildMunicipality(t.db, { name })
      const { agent } = await signedIn(t, 'member', { municipality_id: town.id })
      expect((await post(agent, `/threads/${thread.id}/adopt`, { set: '1' })).status).toBe(303)
    }
    const page = await colleague.agent.get(`/threads/${thread.id}`)
    expect(textOf(page.text)).toContain('2 × übernommen: Adorf, Bedorf')
    const list = await colleague.agent.get('/forums/integration')
    expect(textOf(list.text)).toContain('2 × übernommen')
    // not on a question
    const { thread: question } = await buildThread(t.db)
    expect((await post((await signedIn(t, 'member')).agent, `/threads/${question.id}/adopt`, { set: '1' })).status).toBe(403)
  })
})

describe('attachments on threads and replies', () => {
  const multipart = async (agent: Agent, page: string, action: string, fields: Record<string, string>, files: [Buffer, string][]) => {
    const token = await csrfFrom(agent, page)
    let req = agent.post(action).field('_csrf', token)
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value)
    for (const [data, filename] of files) req = req.attach('files', data, filename)
    return req
  }
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

  it('stores a PDF with a best practice and lists it under the opening post', async () => {
    const { agent } = await signedIn(t, 'member')
    const res = await multipart(
      agent,
      '/forums/integration/new',
      '/forums/integration/new',
      { kind: 'best_practice', title: 'Mustervertrag Dolmetscher', body: 'Siehe Anhang', bp_situation: 'L', bp_approach: 'V' },
      [[pdf, 'Mustervertrag.pdf']],
    )
    expect(res.status).toBe(303)
    const page = await agent.get(res.headers.location!)
    expect(page.text).toContain('Mustervertrag.pdf')
  })

  it('refuses a file whose content is not an allowed type, keeping the text (422)', async () => {
    const { thread } = await buildThread(t.db)
    const { agent } = await signedIn(t, 'member')
    const res = await multipart(agent, `/threads/${thread.id}`, `/threads/${thread.id}/replies`, { body: 'Meine Antwort mit Anhang' }, [
      [Buffer.from('<!doctype html><script>alert(1)</script>'), 'harmlos.pdf'],
    ])
    expect(res.status).toBe(422)
    expect(res.text).toContain('Meine Antwort mit Anhang')
    expect(res.text).toMatch(/id="f-files-error"/)
    expect((await t.db.selectFrom('threads').select('reply_count').where('id', '=', thread.id).executeTakeFirstOrThrow()).reply_count).toBe(0)
  })
})

describe('attachments when editing a post', () => {
  const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')
  const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('0000000dIHDR', 'latin1'), Buffer.alloc(20)])

  /** The edit form as a browser submits it: multipart, with the ticked "entfernen" boxes and chosen files. */
  const submitEdit = async (agent: Agent, postId: number, fields: Record<string, string>, remove: number[], files: [Buffer, string][] = []) => {
    const token = await csrfFrom(agent, `/posts/${postId}/edit`)
    let req = agent.post(`/posts/${postId}/edit`).field('_csrf', token)
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value)
    for (const id of remove) req = req.field('remove', String(id))
    for (const [data, filename] of files) req = req.attach('files', data, filename)
    return req
  }
  const attach = async (postId: number, userId: number, names: string[]) => {
    const uploads = names.map((filename) => ({ filename, data: pdf, mimetype: 'application/pdf' }))
    await storeUploads(t.db, t.config.dataDir, { files: uploads, postId, userId, now: t.clock.now() })
    return t.db.selectFrom('attachments').selectAll().where('post_id', '=', postId).orderBy('id').execute()
  }
  const namesOn = async (postId: number) =>
    (await t.db.selectFrom('attachments').select('original_name').where('post_id', '=', postId).orderBy('id').execute()).map((r) => r.original_name)
  const onDisk = (storedName: string) => existsSync(join(t.config.dataDir, 'uploads', storedName))

  it('lists the attachments with "entfernen"; removes the ticked ones from the database and the disk and adds new ones', async () => {
    const { thread } = await buildThread(t.db)
    const { user, agent } = await signedIn(t, 'member')
    const reply = await buildReply(t.db, thread.id, { author: user, body: 'Mit Anhängen' })
    const [keep, drop] = await attach(reply.id, user.id, ['Vertrag.pdf', 'Entwurf.pdf'])
    const form = await agent.get(`/posts/${reply.id}/edit`)
    expect(form.text).toContain('enctype="multipart/form-data"')
    expect(textOf(form.text)).toContain('Vorhandene Anhänge')
    expect(form.text).toContain(`name="remove" value="${drop!.id}"`)
    expect(textOf(form.text)).toContain('entfernen : Entwurf.pdf')
    expect(form.text).toContain('id="f-files"')
    const english = await signedIn(t, 'staff', { locale: 'en' })
    const englishForm = textOf((await english.agent.get(`/posts/${reply.id}/edit`)).text)
    expect(englishForm).toContain('Current attachments')
    expect(englishForm).toContain('remove : Entwurf.pdf')

    const res = await submitEdit(agent, reply.id, { body: 'Mit Anhängen, neu' }, [drop!.id], [[png, 'Plan.png']])
    expect(res.status).toBe(303)
    expect(await namesOn(reply.id)).toEqual(['Vertrag.pdf', 'Plan.png'])
    expect(onDisk(drop!.stored_name)).toBe(false)
    expect(onDisk(keep!.stored_name)).toBe(true)
    const added = await t.db.selectFrom('attachments').selectAll().where('post_id', '=', reply.id).where('original_name', '=', 'Plan.png').executeTakeFirstOrThrow()
    expect(onDisk(added.stored_name)).toBe(true)
    // the edit itself is kept in the history as before
    const revisions = await t.db.selectFrom('post_revisions').select('body').where('post_id', '=', reply.id).execute()
    expect(revisions).toEqual([{ body: 'Mit Anhängen' }])
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('Plan.png')
    expect(page.text).not.toContain('Entwurf.pdf')
  })

  it('keeps at most 5 per post, counting the kept ones; the preview keeps the ticked boxes', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const { thread, post: opening } = await buildThread(t.db, { author: user, title: 'Viele Anhänge' })
    const existing = await attach(opening.id, user.id, ['a.pdf', 'b.pdf', 'c.pdf', 'd.pdf'])
    const fields = { title: 'Viele Anhänge', body: 'Text' }
    const tooMany = await submitEdit(agent, opening.id, fields, [], [[pdf, 'e.pdf'], [pdf, 'f.pdf']])
    expect(tooMany.status).toBe(422)
    expect(tooMany.text).toContain('Ein Beitrag kann höchstens 5 Anhänge haben.')
    expect(tooMany.text).toMatch(/id="f-files"[^>]*aria-invalid="true"/)
    expect(await namesOn(opening.id)).toEqual(['a.pdf', 'b.pdf', 'c.pdf', 'd.pdf'])

    const preview = await submitEdit(agent, opening.id, { ...fields, action: 'preview' }, [existing[0]!.id])
    expect(preview.status).toBe(200)
    expect(preview.text).toContain(`name="remove" value="${existing[0]!.id}" checked`)
    expect(preview.text).not.toContain(`name="remove" value="${existing[1]!.id}" checked`)

    const ok = await submitEdit(agent, opening.id, fields, [existing[0]!.id], [[pdf, 'e.pdf'], [pdf, 'f.pdf']])
    expect(ok.status).toBe(303)
    expect(await namesOn(opening.id)).toEqual(['b.pdf', 'c.pdf', 'd.pdf', 'e.pdf', 'f.pdf'])
    expect((await agent.get(`/threads/${thread.id}`)).text).toContain('f.pdf')
  })

  it('refuses a file by its content and never removes another post\'s attachment', async () => {
    const { thread } = await buildThread(t.db)
    const { user, agent } = await signedIn(t, 'member')
    const mine = await buildReply(t.db, thread.id, { author: user })
    const other = await buildReply(t.db, thread.id)
    const [foreign] = await attach(other.id, other.author_id, ['Fremd.pdf'])
    const bad = await submitEdit(agent, mine.id, { body: 'Neu' }, [], [[Buffer.from('<script>alert(1)</script>'), 'harmlos.pdf']])
    expect(bad.status).toBe(422)
    expect(bad.text).toContain('Dieser Dateityp ist nicht erlaubt')
    expect((await submitEdit(agent, mine.id, { body: 'Neu' }, [foreign!.id])).status).toBe(303)
    expect(await namesOn(other.id)).toEqual(['Fremd.pdf'])
    expect(onDisk(foreign!.stored_name)).toBe(true)
  })

  it('staff removing an attachment of someone else\'s post is in the audit log', async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id, { body: 'Mit Personalliste' })
    const [list] = await attach(reply.id, reply.author_id, ['Personalliste.pdf'])
    const staff = await signedIn(t, 'staff')
    expect((await submitEdit(staff.agent, reply.id, { body: 'Mit Personalliste' }, [list!.id])).status).toBe(303)
    expect(await namesOn(reply.id)).toEqual([])
    const entry = await t.db.selectFrom('audit_log').select(['action', 'actor_id', 'details']).where('target_type', '=', 'post').where('target_id', '=', reply.id).executeTakeFirstOrThrow()
    expect(entry).toMatchObject({ action: 'post.edited', actor_id: staff.user.id, details: { attachments_removed: 1, attachments_added: 0 } })
  })
})

describe('in English', () => {
  it('speaks English to a user who chose it', async () => {
    const { thread } = await buildThread(t.db, { kind: 'best_practice', bp: { bp_situation: 'Lage', bp_approach: 'Weg' } })
    await buildReply(t.db, thread.id)
    const { agent } = await signedIn(t, 'member', { locale: 'en' })
    const page = await agent.get(`/threads/${thread.id}`)
    expect(page.text).toContain('<html lang="en">')
    expect(page.text).toContain('<h4>Situation</h4>')
    expect(page.text).toContain('Adopted by our municipality')
    expect(page.text).toContain('Mark as helpful')
    const form = await agent.get('/forums/integration/new')
    expect(form.text).toContain('Best practice')
    expect(form.text).toContain('Preview')
  })
})

// Posts are rendered once per distinct input and remembered (src/lib/fragments.ts): what one reader
// was shown must never reach another, and whatever changes a post must show at the next view.
describe('posts rendered once for many readers', () => {
  const helpfulToken = (html: string, postId: number) =>
    html.match(new RegExp(`action="/posts/${postId}/helpful" class="inline-form"><input type="hidden" name="_csrf" value="([^"]+)"`))?.[1]

  it("carries each reader's own CSRF token in every post's forms", async () => {
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id)
    const anna = await signedIn(t, 'member')
    const bert = await signedIn(t, 'member')
    const annaPage = (await anna.agent.get(`/threads/${thread.id}`)).text
    const bertPage = (await bert.agent.get(`/threads/${thread.id}`)).text
    const annaToken = helpfulToken(annaPage, reply.id)!
    const bertToken = helpfulToken(bertPage, reply.id)!
    expect(annaToken).toBeTruthy()
    expect(bertToken).toBeTruthy()
    expect(annaToken).not.toBe(bertToken)
    // Each page's post forms carry the token of that page's header (the reader's session).
    const annaInputs = [...annaPage.matchAll(/name="_csrf" value="([^"]*)"/g)].map((m) => m[1])
    expect(annaInputs.length).toBeGreaterThan(3)
    expect(new Set(annaInputs)).toEqual(new Set([annaToken]))
    expect(annaPage).not.toContain(CSRF_PLACEHOLDER)

    const withBertsToken = await anna.agent.post(`/posts/${reply.id}/helpful`).type('form').send({ _csrf: bertToken, set: '1' })
    expect(withBertsToken.status).toBe(403)
    const withOwnToken = await anna.agent.post(`/posts/${reply.id}/helpful`).type('form').send({ _csrf: annaToken, set: '1' })
    expect(withOwnToken.status).toBe(303)
  })

  it('shows at the next view what changed about a post, for whoever reads it', async () => {
    const town = await buildMunicipality(t.db, { name: 'Peine' })
    const author = await buildUser(t.db, { name: 'Paula Alt', municipality_id: town.id })
    const { thread } = await buildThread(t.db)
    const reply = await buildReply(t.db, thread.id, { author, body: 'Erste Fassung' })
    const reader = await signedIn(t, 'member')
    const staff = await signedIn(t, 'staff')
    const before = textOf((await reader.agent.get(`/threads/${thread.id}`)).text)
    expect(before).toContain('Paula Alt')
    expect(before).toContain('Erste Fassung')
    expect(before).not.toContain('1 × hilfreich')

    await post(reader.agent, `/posts/${reply.id}/helpful`, { set: '1' })
    await t.db.updateTable('users').set({ name: 'Paula Neu' }).where('id', '=', author.id).execute()
    await t.db.updateTable('posts').set({ body: 'Zweite Fassung', edited_at: new Date('2026-03-02T08:00:00Z') }).where('id', '=', reply.id).execute()
    const after = await reader.agent.get(`/threads/${thread.id}`)
    expect(textOf(after.text)).toContain('Paula Neu')
    expect(textOf(after.text)).toContain('Zweite Fassung')
    expect(textOf(after.text)).not.toContain('Erste Fassung')
    expect(after.text).toContain('1 × hilfreich')
    expect(after.text).toContain('Nicht mehr hilfreich')

    // The same post for staff (moderation links) and, marked by nobody else, for another member.
    const forStaff = await staff.agent.get(`/threads/${thread.id}`)
    expect(forStaff.text).toContain(`href="/posts/${reply.id}/hide"`)
    expect(after.text).not.toContain(`href="/posts/${reply.id}/hide"`)
    expect(forStaff.text).not.toContain('Nicht mehr hilfreich')

    await t.db.updateTable('posts').set({ hidden_at: new Date('2026-03-03T08:00:00Z') }).where('id', '=', reply.id).execute()
    const hidden = textOf((await reader.agent.get(`/threads/${thread.id}`)).text)
    expect(hidden).not.toContain('Zweite Fassung')
  })
})
