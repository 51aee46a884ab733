import { createReadStream, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { sql, type Kysely } from 'kysely'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Database } from '../../../src/db/database.ts'
import type { DatabaseHandle } from '../../../src/db/connect.ts'
import { exportInterchange } from '../../../src/features/interchange/interchange.export.ts'
import { hasProblems, importInterchange, type ImportProblem } from '../../../src/features/interchange/interchange.import.ts'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestDatabase } from '../../helpers/database.ts'

const fixture = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url)
const forumFile = fixture('interchange-forum.jsonl')
const brokenFile = fixture('interchange-broken.jsonl')
const NOW = new Date('2026-03-02T08:00:00Z')

let handle: DatabaseHandle
let db: Kysely<Database>
beforeEach(async () => {
  handle = await createTestDatabase()
  db = handle.db
})
afterEach(() => handle.close())

function linesOf(file: URL): string[] {
  return readFileSync(file, 'utf8').split('\n')
}

async function run(lines: Iterable<string> | AsyncIterable<string>, batchSize?: number) {
  const problems: ImportProblem[] = []
  const summary = await importInterchange(db, lines, NOW, (p) => problems.push(p), { batchSize })
  return { summary, problems }
}

async function exported(): Promise<unknown[]> {
  const lines: string[] = []
  await exportInterchange(db, (line) => void lines.push(line), { batchSize: 2 })
  return lines.map((l) => JSON.parse(l))
}

async function tableCounts() {
  const count = async (table: 'municipalities' | 'users' | 'threads' | 'posts') =>
    (await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n
  return { municipalities: await count('municipalities'), users: await count('users'), threads: await count('threads'), posts: await count('posts') }
}

async function postsOf(threadExternalId: string) {
  return db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .select(['posts.position', 'posts.body', 'posts.external_id', 'posts.created_at', 'posts.municipality_id'])
    .where('threads.external_id', '=', threadExternalId)
    .orderBy('posts.position')
    .execute()
}

describe('import', () => {
  it('reports each broken line with its number and a German reason, and imports the rest', async () => {
    const input = createInterface({ input: createReadStream(brokenFile, 'utf8'), crlfDelay: Infinity })
    const { summary, problems } = await run(input)

    expect(problems.map((p) => p.line)).toEqual([3, 4, 5, 8, 9, 10, 12, 13])
    const reason = (line: number) => problems.find((p) => p.line === line)!.reason
    expect(reason(3)).toBe('kein gültiges JSON')
    expect(reason(4)).toMatch(/unbekannter Typ "forum"/)
    expect(reason(5)).toMatch(/unbekannte Kommune „m9“/)
    expect(reason(8)).toMatch(/unbekanntes Forum „sport“/)
    expect(reason(9)).toMatch(/„created_at“ ist kein gültiger Zeitpunkt/)
    expect(reason(10)).toMatch(/Pflichtfeld „author“ fehlt/)
    expect(reason(12)).toMatch(/unbekanntes Thema „t9“/)
    expect(reason(13)).toMatch(/unbekannte Person „u7“/)
    expect(hasProblems(summary)).toBe(true)
    expect(summary).toMatchObject({
      lines: 14,
      unreadable: 2,
      municipality: { imported: 1, present: 0, skipped: 0 },
      user: { imported: 1, present: 0, skipped: 1 },
      thread: { imported: 1, present: 0, skipped: 3 },
      post: { imported: 2, present: 0, skipped: 2 },
    })

    // The good lines are all there: the thread with its opening post and two replies, times kept.
    const thread = await db.selectFrom('threads').selectAll().where('external_id', '=', 't1').executeTakeFirstOrThrow()
    expect(thread.kind).toBe('question')
    expect(thread.reply_count).toBe(2)
    expect(new Date(thread.created_at).toISOString()).toBe('2016-01-10T10:00:00.000Z')
    expect(new Date(thread.last_post_at).toISOString()).toBe('2016-01-11T08:00:00.000Z')
    const peine = await db.selectFrom('municipalities').selectAll().where('external_id', '=', 'm1').executeTakeFirstOrThrow()
    expect(thread.municipality_id).toBe(peine.id)
    const posts = await postsOf('t1')
    expect(posts.map((p) => [p.position, p.body])).toEqual([
      [1, 'Wer hat Erfahrung?'],
      [2, 'Nachtrag: auch mit Fahrdienst.'],
      [3, 'Zweite Antwort'],
    ])
    expect(posts.every((p) => p.municipality_id === peine.id)).toBe(true)
    // Imported people have no password: they need an invitation or a password reset.
    const user = await db.selectFrom('users').selectAll().where('external_id', '=', 'u1').executeTakeFirstOrThrow()
    expect(user).toMatchObject({ password_hash: null, role: 'member', municipality_id: peine.id })
    expect(await db.selectFrom('invitations').select('id').execute()).toHaveLength(0)
  })

  it('changes nothing when the same file is imported twice', async () => {
    const first = await run(linesOf(forumFile))
    expect(first.problems).toEqual([])
    expect(hasProblems(first.summary)).toBe(false)
    expect(first.summary).toMatchObject({
      municipality: { imported: 3, present: 0 },
      user: { imported: 4, present: 0 },
      thread: { imported: 3, present: 0 },
      post: { imported: 4, present: 0 },
    })
    const before = await tableCounts()
    const t1Before = await db.selectFrom('threads').selectAll().where('external_id', '=', 't1').executeTakeFirstOrThrow()

    const second = await run(linesOf(forumFile))
    expect(second.problems).toEqual([])
    expect(second.summary).toMatchObject({
      municipality: { imported: 0, present: 3, skipped: 0 },
      user: { imported: 0, present: 4, skipped: 0 },
      thread: { imported: 0, present: 3, skipped: 0 },
      post: { imported: 0, present: 4, skipped: 0 },
    })
    expect(await tableCounts()).toEqual(before)
    expect(before).toEqual({ municipalities: 3, users: 4, threads: 3, posts: 7 })
    const t1After = await db.selectFrom('threads').selectAll().where('external_id', '=', 't1').executeTakeFirstOrThrow()
    expect(t1After).toEqual(t1Before)
  })

  it('keeps the solution and the structured parts of a best practice', async () => {
    await run(linesOf(forumFile))
    const t1 = await db.selectFrom('threads').selectAll().where('external_id', '=', 't1').executeTakeFirstOrThrow()
    const p1 = await db.selectFrom('posts').select(['id', 'position']).where('external_id', '=', 'p1').executeTakeFirstOrThrow()
    expect(t1.solution_post_id).toBe(p1.id)
    expect(p1.position).toBe(2)
    const t2 = await db.selectFrom('threads').selectAll().where('external_id', '=', 't2').executeTakeFirstOrThrow()
    expect(t2).toMatchObject({ kind: 'best_practice', bp_effort: '0,5 Stellen E 9a', bp_contact: 'Jens Beispiel, 05439 123-45' })
    const t3 = await db.selectFrom('threads').selectAll().where('external_id', '=', 't3').executeTakeFirstOrThrow()
    expect(t3.municipality_id).toBeNull() // staff belong to no municipality
  })

  it('finishes an interrupted import when run again, without duplicates', async () => {
    const lines = linesOf(forumFile)
    // As if killed after the first batches: half the file made it in.
    await run(lines.slice(0, 9), 2)
    const rest = await run(lines, 2)
    expect(rest.problems).toEqual([])
    expect(rest.summary.thread).toEqual({ imported: 1, present: 2, skipped: 0 })
    expect(rest.summary.post).toEqual({ imported: 4, present: 0, skipped: 0 })
    expect(await tableCounts()).toEqual({ municipalities: 3, users: 4, threads: 3, posts: 7 })
    expect((await postsOf('t1')).map((p) => p.position)).toEqual([1, 2, 3])
  })

  it('continues the positions of a thread imported in an earlier run', async () => {
    await run(linesOf(forumFile))
    const { problems } = await run([
      '{"type":"post","id":"late-2","thread":"t1","author":"u3","body":"Noch später","created_at":"2016-03-02T10:00:00Z"}',
      '{"type":"post","id":"late-1","thread":"t1","author":"u1","body":"Später","created_at":"2016-03-01T10:00:00Z"}',
    ])
    expect(problems).toEqual([])
    const posts = await postsOf('t1')
    expect(posts.map((p) => [p.position, p.external_id])).toEqual([
      [1, null],
      [2, 'p1'],
      [3, 'p2'],
      [4, 'late-1'],
      [5, 'late-2'],
    ])
    const t1 = await db.selectFrom('threads').selectAll().where('external_id', '=', 't1').executeTakeFirstOrThrow()
    expect(t1.reply_count).toBe(4)
    expect(new Date(t1.last_post_at).toISOString()).toBe('2016-03-02T10:00:00.000Z')
  })

  it('refuses references to unknown or later records, in the same batch and across batches', async () => {
    const lines = [
      '{"type":"post","id":"p0","thread":"t1","author":"u1","body":"Zu früh","created_at":"2016-01-12T10:00:00Z"}',
      '{"type":"user","id":"u1","municipality":"m1","name":"Erika Muster","email":"e.muster@example.de"}',
      '{"type":"municipality","id":"m1","name":"Wolfenbüttel","kind":"Stadt","district":"Landkreis Wolfenbüttel"}',
      '{"type":"user","id":"u2","municipality":"m1","name":"Jens Beispiel","email":"j.beispiel@example.de"}',
      '{"type":"thread","id":"t1","forum":"integration","author":"u2","title":"Frage","body":"Text","created_at":"2016-01-12T09:00:00Z"}',
      '{"type":"thread","id":"t2","forum":"integration","author":"u1","title":"Von niemandem","body":"Text","created_at":"2016-01-12T09:00:00Z"}',
      '{"type":"post","id":"p1","thread":"t1","author":"u9","body":"Wer?","created_at":"2016-01-12T10:00:00Z"}',
      '{"type":"post","id":"p2","thread":"t2","author":"u2","body":"Wo?","created_at":"2016-01-12T10:00:00Z"}',
    ]
    for (const batchSize of [500, 3]) {
      const problems: ImportProblem[] = []
      const fresh = await createTestDatabase()
      try {
        await importInterchange(fresh.db, lines, NOW, (p) => problems.push(p), { batchSize })
        expect(problems.map((p) => p.line)).toEqual([1, 2, 6, 7, 8])
        expect(problems[0]!.reason).toMatch(/unbekanntes Thema „t1“/)
        expect(problems[1]!.reason).toMatch(/unbekannte Kommune „m1“/)
        expect(problems[2]!.reason).toMatch(/unbekannte Person „u1“/)
        expect(problems[3]!.reason).toMatch(/unbekannte Person „u9“/)
        expect(problems[4]!.reason).toMatch(/unbekanntes Thema „t2“/)
        const threads = await fresh.db.selectFrom('threads').select('external_id').execute()
        expect(threads.map((t) => t.external_id)).toEqual(['t1'])
      } finally {
        await fresh.close()
      }
    }
  })

  it('links municipalities and accounts made in the forum instead of duplicating them', async () => {
    const town = await buildMunicipality(db, { name: 'Wolfenbüttel', district: 'Landkreis Wolfenbüttel', ags: '03158037' })
    const person = await buildUser(db, { email: 'E.Muster@example.de', municipality_id: town.id })
    const { problems, summary } = await run([
      ...linesOf(forumFile).slice(0, 4),
      '{"type":"user","id":"u5","municipality":"m1","name":"Doppelt","email":"e.muster@example.de"}',
    ])
    expect(summary.municipality).toEqual({ imported: 2, present: 1, skipped: 0 })
    expect(summary.user).toEqual({ imported: 0, present: 1, skipped: 1 })
    expect(problems).toEqual([{ line: 5, reason: expect.stringMatching(/E-Mail-Adresse „e.muster@example.de“ gehört bereits/) }])
    const linked = await db.selectFrom('users').select(['external_id', 'password_hash']).where('id', '=', person.id).executeTakeFirstOrThrow()
    expect(linked.external_id).toBe('u1')
    expect(linked.password_hash).not.toBeNull() // the account keeps its password
    expect((await db.selectFrom('municipalities').select('external_id').where('id', '=', town.id).executeTakeFirstOrThrow()).external_id).toBe('m1')
  })
})

describe('export', () => {
  it('writes back what was imported (round trip), but for key order', async () => {
    const input = linesOf(forumFile).filter((l) => l.trim() !== '').map((l) => JSON.parse(l))
    await run(linesOf(forumFile), 2)
    const output = await exported()
    expect(output).toHaveLength(input.length)
    for (const [i, record] of input.entries()) expect(output[i]).toEqual(record)
  })

  it('gives rows without an external id stable generated ids, and leaves out secrets and removed posts', async () => {
    await run(linesOf(forumFile))
    const town = await buildMunicipality(db, { name: 'Peine', district: 'Landkreis Peine' })
    const member = await buildUser(db, { municipality_id: town.id, totp_secret: 'GEHEIM', email: 'neu@example.de' })
    const t1 = await db.selectFrom('threads').select('id').where('external_id', '=', 't1').executeTakeFirstOrThrow()
    const reply = await db
      .insertInto('posts')
      .values({ thread_id: t1.id, position: 4, author_id: member.id, municipality_id: town.id, body: 'Neu im Forum', created_at: NOW })
      .returning('id')
      .executeTakeFirstOrThrow()
    await db
      .insertInto('posts')
      .values({ thread_id: t1.id, position: 5, author_id: member.id, municipality_id: town.id, body: 'Gelöscht', created_at: NOW, deleted_at: NOW })
      .execute()
    await db.updateTable('posts').set({ hidden_at: NOW, hidden_reason: 'Spam' }).where('external_id', '=', 'p4').execute()

    const first = await exported()
    const text = JSON.stringify(first)
    expect(text).not.toMatch(/password|totp|GEHEIM|\$argon2/)
    expect(text).not.toContain('Gelöscht')
    expect(first.some((r) => (r as { id: string }).id === 'p4')).toBe(false)
    expect(first).toContainEqual({ type: 'municipality', id: `m${town.id}`, name: 'Peine', kind: 'Gemeinde', district: 'Landkreis Peine' })
    expect(first).toContainEqual(expect.objectContaining({ type: 'user', id: `u${member.id}`, municipality: `m${town.id}`, role: 'member' }))
    expect(first).toContainEqual({
      type: 'post',
      id: `p${reply.id}`,
      thread: 't1',
      author: `u${member.id}`,
      body: 'Neu im Forum',
      created_at: '2026-03-02T08:00:00Z',
    })
    // Stable: a second export is the same, and so is the export of its import into an empty database.
    expect(await exported()).toEqual(first)
    const copy = await createTestDatabase()
    try {
      await importInterchange(copy.db, first.map((r) => JSON.stringify(r)), NOW, (p) => {
        throw new Error(`unexpected problem ${p.line}: ${p.reason}`)
      })
      const again: unknown[] = []
      await exportInterchange(copy.db, (line) => void again.push(JSON.parse(line)))
      expect(again).toEqual(first)
    } finally {
      await copy.close()
    }
  })

  it('never reuses an external id of another row as a generated id', async () => {
    // An imported municipality calls itself "m1"; the forum's own municipality with id 1 must not.
    const own = await buildMunicipality(db, { name: 'Eigene', district: 'Landkreis Eigen' })
    await run([`{"type":"municipality","id":"m${own.id}","name":"Importiert","kind":"Stadt","district":"Landkreis Import"}`])
    const ids = (await exported()).map((r) => (r as { id: string }).id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids).toContain(`m${own.id}-1`)
  })
})

describe('database', () => {
  it('runs on the database the tests were started with', async () => {
    const { rows } = await sql<{ v: string }>`SELECT version() AS v`.execute(db)
    expect(rows[0]!.v).toMatch(/PostgreSQL/)
    expect(handle.kind).toBe(process.env.DATABASE_URL ? 'postgres' : 'embedded')
  })
})
