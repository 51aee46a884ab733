import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DatabaseHandle } from '../../../src/db/connect.ts'
import { buildMunicipality, buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestDatabase } from '../../helpers/database.ts'

/**
 * activity_days is kept by triggers: after every kind of change it must equal the aggregate over posts,
 * threads and "betrifft uns auch" marks computed directly.
 */

let handle: DatabaseHandle
const db = () => handle.db

beforeAll(async () => {
  handle = await createTestDatabase()
})
afterAll(async () => {
  await handle.close()
})

type Row = { day: string; municipality_id: number | null; forum_id: number; all_posts: number; posts: number; visible_posts: number; visible_threads: number; marks: number }

const columns = sql`to_char(day, 'YYYY-MM-DD') AS day, municipality_id, forum_id, all_posts::integer, posts::integer, visible_posts::integer,
  visible_threads::integer, marks::integer`

async function stored(): Promise<Row[]> {
  const { rows } = await sql<Row>`SELECT ${columns} FROM activity_days WHERE all_posts + marks > 0 ORDER BY 1, 2 NULLS FIRST, 3`.execute(db())
  return rows
}

async function direct(): Promise<Row[]> {
  const { rows } = await sql<Row>`
    SELECT ${columns} FROM (
      SELECT day, municipality_id, forum_id, sum(all_posts) AS all_posts, sum(posts) AS posts, sum(visible_posts) AS visible_posts,
             sum(visible_threads) AS visible_threads, sum(marks) AS marks
      FROM (
        SELECT (p.created_at AT TIME ZONE 'UTC')::date AS day, p.municipality_id, t.forum_id, 1 AS all_posts,
               (t.deleted_at IS NULL)::integer AS posts, (t.deleted_at IS NULL AND p.hidden_at IS NULL)::integer AS visible_posts,
               (t.deleted_at IS NULL AND p.hidden_at IS NULL AND p.position = 1)::integer AS visible_threads, 0 AS marks
        FROM posts p JOIN threads t ON t.id = p.thread_id WHERE p.deleted_at IS NULL
        UNION ALL
        SELECT (c.created_at AT TIME ZONE 'UTC')::date, c.municipality_id, t.forum_id, 0, 0, 0, 0, 1
        FROM thread_concerns c JOIN threads t ON t.id = c.thread_id
      ) x GROUP BY 1, 2, 3
    ) y ORDER BY 1, 2 NULLS FIRST, 3
  `.execute(db())
  return rows
}

const expectInStep = async () => expect(await stored()).toEqual(await direct())

describe('activity_days', () => {
  it('follows new posts, deleted, hidden and restored posts, deleted and moved threads and marks', async () => {
    const a = await buildMunicipality(db(), { name: 'Aachtal', district: 'Nord' })
    const b = await buildMunicipality(db(), { name: 'Bergdorf', district: 'Süd' })
    const ua = { id: (await buildUser(db(), { municipality_id: a.id })).id, municipality_id: a.id }
    const ub = { id: (await buildUser(db(), { municipality_id: b.id })).id, municipality_id: b.id }
    const staff = await buildUser(db(), { role: 'staff', municipality_id: null })
    const noPlace = { id: staff.id, municipality_id: null }

    // New threads and replies, on two days, one late in the evening (UTC day), one without municipality.
    const first = await buildThread(db(), { author: ua, at: new Date('2026-03-01T23:30:00Z') })
    const second = await buildThread(db(), { author: ub, forum: 'buergerschaftliches-engagement', at: new Date('2026-03-02T08:00:00Z') })
    const reply = await buildReply(db(), first.thread.id, { author: ub, at: new Date('2026-03-02T00:10:00Z') })
    await buildReply(db(), first.thread.id, { author: noPlace, at: new Date('2026-03-02T09:00:00Z') })
    await buildReply(db(), second.thread.id, { author: ua, at: new Date('2026-03-02T10:00:00Z') })
    const before = await stored()
    expect(before.reduce((n, r) => n + r.all_posts, 0)).toBe(5)
    expect(before.find((r) => r.day === '2026-03-01' && r.municipality_id === a.id)).toMatchObject({ posts: 1, visible_threads: 1 })
    await expectInStep()

    // Hidden, deleted, restored posts.
    await db().updateTable('posts').set({ hidden_at: new Date() }).where('id', '=', reply.id).execute()
    await expectInStep()
    expect((await stored()).find((r) => r.day === '2026-03-02' && r.municipality_id === b.id && r.forum_id === first.thread.forum_id)).toMatchObject({
      posts: 1,
      visible_posts: 0,
    })
    await db().updateTable('posts').set({ hidden_at: null, deleted_at: new Date() }).where('id', '=', reply.id).execute()
    await expectInStep()
    await db().updateTable('posts').set({ deleted_at: null }).where('id', '=', reply.id).execute()
    await expectInStep()
    // An edit changes no count.
    await db().updateTable('posts').set({ body: 'Neu formuliert' }).where('id', '=', reply.id).execute()
    await expectInStep()

    // A mark, removed again.
    await db().insertInto('thread_concerns').values({ thread_id: second.thread.id, municipality_id: a.id, user_id: ua.id, created_at: new Date('2026-03-03T12:00:00Z') }).execute()
    await expectInStep()
    expect((await stored()).find((r) => r.day === '2026-03-03')).toMatchObject({ municipality_id: a.id, marks: 1, all_posts: 0 })
    await db().deleteFrom('thread_concerns').where('thread_id', '=', second.thread.id).execute()
    await expectInStep()
    await db().insertInto('thread_concerns').values({ thread_id: second.thread.id, municipality_id: a.id, user_id: ua.id, created_at: new Date('2026-03-03T12:00:00Z') }).execute()

    // A thread deleted and restored, moved to another forum (with its mark), deleted for good.
    await db().updateTable('threads').set({ deleted_at: new Date() }).where('id', '=', first.thread.id).execute()
    await expectInStep()
    expect((await stored()).filter((r) => r.forum_id === first.thread.forum_id).every((r) => r.posts === 0 && r.all_posts > 0)).toBe(true)
    await db().updateTable('threads').set({ deleted_at: null }).where('id', '=', first.thread.id).execute()
    await expectInStep()
    await db().updateTable('threads').set({ forum_id: first.thread.forum_id }).where('id', '=', second.thread.id).execute()
    await expectInStep()
    await db().deleteFrom('threads').where('id', '=', second.thread.id).execute()
    await expectInStep()
    // A post deleted for good, a post moved to another day and municipality.
    await db().deleteFrom('posts').where('id', '=', reply.id).execute()
    await expectInStep()
    await db().updateTable('posts').set({ created_at: new Date('2026-02-20T10:00:00Z'), municipality_id: b.id }).where('id', '=', first.post.id).execute()
    await expectInStep()
    expect((await stored()).map((r) => r.day)).toContain('2026-02-20')
    expect((await stored()).map((r) => r.day)).not.toContain('2026-03-01')
  })

  it('counts a bulk write that touches more day-municipality pairs than Postgres has lock slots', async () => {
    // 200 municipalities on 200 days: 40,000 pairs in one statement, as an import writes them. With a lock
    // per pair this failed with "out of shared memory" (the lock table holds some 7,000 by default).
    const { thread, post } = await buildThread(db(), { at: new Date('2025-01-01T10:00:00Z') })
    await sql`INSERT INTO municipalities (name, kind, district) SELECT 'Massenort ' || i, 'gemeinde', 'Kreis ' || (i % 9) FROM generate_series(1, 200) i`.execute(db())
    await sql`
      INSERT INTO posts (thread_id, position, author_id, municipality_id, body, created_at)
      SELECT ${thread.id}, 1 + row_number() OVER (), ${post.author_id}, m.id, 'Beitrag', timestamptz '2025-01-02 09:00+00' + d * interval '1 day'
      FROM (SELECT id FROM municipalities WHERE name LIKE 'Massenort %') m CROSS JOIN generate_series(0, 199) d
    `.execute(db())
    const [{ pairs }] = (await sql<{ pairs: number }>`SELECT count(DISTINCT (day, municipality_id))::integer AS pairs FROM activity_days`.execute(db())).rows as [{ pairs: number }]
    expect(pairs).toBeGreaterThan(40_000)
    await expectInStep()
  })

  it('is rebuilt after a TRUNCATE', async () => {
    await buildThread(db(), { at: new Date('2026-03-05T10:00:00Z') })
    await sql`TRUNCATE thread_concerns`.execute(db())
    await expectInStep()
    await sql`TRUNCATE posts CASCADE`.execute(db())
    expect(await stored()).toEqual([])
    await expectInStep()
  })
})
