import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FORUM_LISTS_TTL_MS } from '../../../src/features/forums/forums.routes.ts'
import { buildMunicipality, buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, type TestApp } from '../../helpers/app.ts'
import { signedIn, textOf } from '../threads/helpers.ts'

let t: TestApp
beforeAll(async () => {
  // Visits are compared over hours here: sessions must outlive the clock's jumps.
  t = await createTestApp({ DEMO: 'true', SESSION_IDLE_MINUTES: '1440', SESSION_MAX_HOURS: '720' })
})
afterAll(() => t.close())

const HOUR = 3_600_000
const threadIdsOn = (html: string) => [...html.matchAll(/id="thread-(\d+)"/g)].map((m) => Number(m[1]))
const nextLink = (html: string) => html.match(/href="([^"]+)" rel="next"/)?.[1]?.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')
/** The card of one forum on the start page. */
const card = (html: string, slug: string) => html.match(new RegExp(`<li class="card forum-card">\\s*<h2><a href="/forums/${slug}">[\\s\\S]*?</li>`))?.[0] ?? ''

describe('start page', () => {
  it('shows each forum with thread and post counts and its latest activity', async () => {
    const town = await buildMunicipality(t.db, { name: 'Gifhorn' })
    const { thread } = await buildThread(t.db, { forum: 'aufnahme-unterbringung-versorgung', title: 'Älteres Thema', at: new Date('2026-02-01T10:00:00Z') })
    const { thread: recent } = await buildThread(t.db, { forum: 'aufnahme-unterbringung-versorgung', title: 'Wohnraum für Familien', at: new Date('2026-02-02T10:00:00Z') })
    await buildReply(t.db, thread.id, { at: new Date('2026-02-01T11:00:00Z') })
    await buildReply(t.db, recent.id, { author: await buildUser(t.db, { municipality_id: town.id }), at: new Date('2026-02-03T09:30:00Z') })
    const { thread: gone } = await buildThread(t.db, { forum: 'aufnahme-unterbringung-versorgung', title: 'Gelöschtes Thema', at: new Date('2026-02-04T10:00:00Z') })
    await t.db.updateTable('threads').set({ deleted_at: new Date() }).where('id', '=', gone.id).execute()

    const { agent } = await signedIn(t, 'member')
    const html = card((await agent.get('/')).text, 'aufnahme-unterbringung-versorgung')
    const text = textOf(html)
    expect(text).toContain('Themen 2')
    expect(text).toContain('Beiträge 4')
    expect(html).toContain(`<a href="/threads/${recent.id}">Wohnraum für Familien</a>`)
    expect(text).toContain('03.02.2026')
    expect(text).toContain('Gifhorn')
    expect(text).not.toContain('Gelöschtes Thema')
  })

  it('counts what is new since the last visit of a forum, leaving out one\'s own posts', async () => {
    const { user, agent } = await signedIn(t, 'member')
    const forum = 'buergerschaftliches-engagement'
    // never visited: no claim about what is new
    expect(card((await agent.get('/')).text, forum)).not.toContain('Neu seit Ihrem letzten Besuch')
    await agent.get(`/forums/${forum}`)
    t.clock.advance(HOUR)
    const { thread } = await buildThread(t.db, { forum, at: t.clock.now() })
    await buildReply(t.db, thread.id, { at: t.clock.now() })
    await buildReply(t.db, thread.id, { author: user, at: t.clock.now() })
    const text = textOf(card((await agent.get('/')).text, forum))
    expect(text).toContain('1 neues Thema, 1 neue Antwort')
    await agent.get(`/forums/${forum}`)
    expect(textOf(card((await agent.get('/')).text, forum))).toContain('Nichts Neues seit Ihrem letzten Besuch.')
  })
})

describe('forum page', () => {
  it('marks threads active since the previous visit as new, for the whole sitting', async () => {
    const forum = 'integration'
    const { agent } = await signedIn(t, 'member')
    const { thread: old } = await buildThread(t.db, { forum, title: 'Schon gesehen', at: t.clock.now() })
    await agent.get(`/forums/${forum}`)
    t.clock.advance(2 * HOUR)
    const { thread: fresh } = await buildThread(t.db, { forum, title: 'Frisch eingetroffen', at: t.clock.now() })
    t.clock.advance(2 * HOUR)
    const row = (html: string, id: number) => html.match(new RegExp(`<li class="thread-row" id="thread-${id}">[\\s\\S]*?</li>`))?.[0] ?? ''
    for (const _ of [1, 2]) {
      // the second view belongs to the same sitting: what was new on arrival stays marked
      const html = (await agent.get(`/forums/${forum}`)).text
      expect(row(html, fresh.id)).toContain('badge--new')
      expect(row(html, old.id)).not.toContain('badge--new')
      t.clock.advance(5 * 60_000)
    }
  })

  it('lists pinned threads first, then by latest activity, with kind, author, municipality, replies and solved state', async () => {
    const forum = 'aufnahme-unterbringung-versorgung'
    const town = await buildMunicipality(t.db, { name: 'Peine' })
    const author = await buildUser(t.db, { name: 'Paula Peiner', municipality_id: town.id })
    const base = new Date('2026-01-10T00:00:00Z').getTime()
    const { thread: pinned } = await buildThread(t.db, { forum, title: 'Angeheftet', pinned: true, at: new Date(base) })
    const { thread: question } = await buildThread(t.db, { forum, author, title: 'Gelöste Frage', at: new Date(base + HOUR) })
    const answer = await buildReply(t.db, question.id, { at: new Date(base + 2 * HOUR) })
    await t.db.updateTable('threads').set({ solution_post_id: answer.id }).where('id', '=', question.id).execute()
    const { agent } = await signedIn(t, 'member')
    const html = (await agent.get(`/forums/${forum}`)).text
    const ids = threadIdsOn(html)
    expect(ids[0]).toBe(pinned.id)
    expect(ids.indexOf(question.id)).toBeGreaterThan(0)
    const row = textOf(html.match(new RegExp(`id="thread-${question.id}">[\\s\\S]*?</li>`))![0])
    expect(row).toContain('Frage')
    expect(row).toContain('Gelöst')
    expect(row).toContain('von Paula Peiner (Peine)')
    expect(row).toContain('Antworten: 1')
  })

  it('filters by kind, state and district', async () => {
    const forum = 'integration'
    const east = await buildMunicipality(t.db, { district: 'Landkreis Osten' })
    const eastAuthor = await buildUser(t.db, { municipality_id: east.id })
    const { thread: unanswered } = await buildThread(t.db, { forum, kind: 'question', title: 'Noch offen' })
    const { thread: unsolved } = await buildThread(t.db, { forum, kind: 'question', title: 'Beantwortet, ungelöst' })
    await buildReply(t.db, unsolved.id)
    const { thread: solved } = await buildThread(t.db, { forum, kind: 'question', title: 'Erledigt' })
    const reply = await buildReply(t.db, solved.id)
    await t.db.updateTable('threads').set({ solution_post_id: reply.id }).where('id', '=', solved.id).execute()
    const { thread: practice } = await buildThread(t.db, { forum, kind: 'best_practice', author: eastAuthor, title: 'Gute Praxis Ost' })
    const { agent } = await signedIn(t, 'member')
    const list = async (query: string) => threadIdsOn((await agent.get(`/forums/${forum}?${query}`)).text)

    const practices = await list('kind=best_practice')
    expect(practices).toContain(practice.id)
    expect(practices).not.toContain(unanswered.id)
    expect(await list('state=solved')).toEqual([solved.id])
    const unsolvedIds = await list('state=unsolved')
    expect(unsolvedIds).toEqual(expect.arrayContaining([unanswered.id, unsolved.id]))
    expect(unsolvedIds).not.toContain(solved.id)
    const unansweredIds = await list('state=unanswered&kind=question')
    expect(unansweredIds).toContain(unanswered.id)
    expect(unansweredIds).not.toContain(unsolved.id)
    expect(await list('district=Landkreis+Osten')).toEqual([practice.id])
    // the select keeps the chosen filter
    expect((await agent.get(`/forums/${forum}?state=solved`)).text).toMatch(/<option value="solved" selected>/)
  })

  it('offers a newly joined district in the filter within a minute', async () => {
    const { agent } = await signedIn(t, 'member')
    const option = '<option value="Landkreis Neuland">'
    expect((await agent.get('/forums/integration')).text).not.toContain(option)
    await buildMunicipality(t.db, { district: 'Landkreis Neuland' })
    // the districts are read once a minute, not on every forum page
    expect((await agent.get('/forums/integration')).text).not.toContain(option)
    t.clock.advance(FORUM_LISTS_TTL_MS)
    expect((await agent.get('/forums/integration')).text).toContain(option)
  })

  it('refuses malformed filters and cursors, and unknown forums', async () => {
    const { agent } = await signedIn(t, 'member')
    expect((await agent.get('/forums/integration?kind=umfrage')).status).toBe(400)
    expect((await agent.get('/forums/integration?after=1;DROP')).status).toBe(400)
    expect((await agent.get('/forums/integration?after=0.123.99999999999')).status).toBe(400)
    expect((await agent.get('/forums/gibt-es-nicht')).status).toBe(404)
  })
})

describe('keyset pagination over 10,000 threads', () => {
  it('shows every thread exactly once across the pages, in order, also with a filter', async () => {
    const forum = await t.db.selectFrom('forums').select('id').where('slug', '=', 'buergerschaftliches-engagement').executeTakeFirstOrThrow()
    const author = await buildUser(t.db)
    const other = await buildMunicipality(t.db, { district: 'Region Massen' })
    // Groups of four threads share a timestamp (ties broken by id), with microseconds that a
    // millisecond cursor would lose; every 2,500th is pinned; every 10th is from another district.
    await sql`
      INSERT INTO threads (forum_id, author_id, municipality_id, kind, title, created_at, last_post_at, pinned_at)
      SELECT ${forum.id}, ${author.id}, CASE WHEN g % 10 = 0 THEN ${other.id}::integer ELSE ${author.municipality_id}::integer END,
        'discussion', 'Massenthema ' || g, ts, ts, CASE WHEN g % 2500 = 0 THEN ts END
      FROM generate_series(1, 10000) AS g,
        LATERAL (SELECT timestamptz '2025-01-01 00:00:00.000001+00' + (g / 4) * interval '1 minute' + (g % 3) * interval '1 microsecond' AS ts) AS x
    `.execute(t.db)
    // as autovacuum would: the planner needs statistics to walk the activity index
    await sql`ANALYZE threads`.execute(t.db)
    const expected = await t.db
      .selectFrom('threads')
      .select('id')
      .where('forum_id', '=', forum.id)
      .where('deleted_at', 'is', null)
      .orderBy(sql`(pinned_at is not null)`, 'desc')
      .orderBy('last_post_at', 'desc')
      .orderBy('id', 'desc')
      .execute()
    expect(expected.length).toBeGreaterThanOrEqual(10_000)

    const { agent } = await signedIn(t, 'member')
    const walk = async (start: string) => {
      const seen: number[] = []
      let url: string | undefined = start
      while (url) {
        const res = await agent.get(url)
        expect(res.status).toBe(200)
        seen.push(...threadIdsOn(res.text))
        url = nextLink(res.text)
        if (url) expect(url).not.toMatch(/offset|page=/)
      }
      return seen
    }
    const seen = await walk('/forums/buergerschaftliches-engagement')
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen).toEqual(expected.map((r) => r.id))

    const filtered = await walk('/forums/buergerschaftliches-engagement?district=Region+Massen')
    expect(filtered).toHaveLength(1000)
    expect(new Set(filtered).size).toBe(1000)
  }, 300_000)
})
