import { type Kysely, sql } from 'kysely'
import type { Database } from '../../db/database.ts'
import { activityUpTo, lastDayBefore, lastDaySql } from './activity.queries.ts'

type Db = Kysely<Database>

/** Days are counted as whole UTC days since 1970-01-01; `day` columns hold the same dates. */
export const DAY_MS = 86_400_000
export const dayNumber = (d: Date) => Math.floor(d.getTime() / DAY_MS)
export const dayStart = (n: number) => new Date(n * DAY_MS)
export const dayIso = (n: number) => dayStart(n).toISOString().slice(0, 10)

// ---------------------------------------------------------------------------------------------
// Index: municipality-days marked by the triggers (see the migration) are re-derived from their posts
// ---------------------------------------------------------------------------------------------

export type IndexablePost = {
  id: number
  thread_id: number
  municipality_id: number | null
  created_at: Date
  body: string
  title: string | null
}

export type MunicipalityDay = { municipality_id: number; day: number }
export type MunicipalityDayRow = MunicipalityDay & { stems: string[]; words: string[]; posts: number[] }

/**
 * Locks the index for this transaction (one index run at a time, whoever starts it) and returns the
 * highest post id it has seen.
 */
export async function lockIndex(db: Db, now: Date): Promise<number> {
  await db
    .insertInto('trend_index_state')
    .values({ id: 1, last_post_id: 0, updated_at: now })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute()
  const row = await db.selectFrom('trend_index_state').select('last_post_id').where('id', '=', 1).forUpdate().executeTakeFirstOrThrow()
  return row.last_post_id
}

export async function markIndexed(db: Db, lastPostId: number, now: Date) {
  await db.updateTable('trend_index_state').set({ last_post_id: lastPostId, updated_at: now }).where('id', '=', 1).execute()
}

/** Takes up to `limit` of the oldest marks; they come back if the transaction fails. */
export async function claimDirty(db: Db, limit: number): Promise<MunicipalityDay[]> {
  return db
    .deleteFrom('trend_dirty')
    .where('id', 'in', (eb) => eb.selectFrom('trend_dirty').select('id').orderBy('id').limit(limit))
    .returning(['municipality_id', 'day'])
    .execute()
}

export async function markAllDirty(db: Db) {
  await sql`
    INSERT INTO trend_dirty (municipality_id, day)
    SELECT municipality_id, floor(extract(epoch FROM created_at) / 86400)::integer AS day FROM posts
    WHERE municipality_id IS NOT NULL GROUP BY 2, 1 ORDER BY 2, 1
  `.execute(db)
}

const pairsJson = (pairs: MunicipalityDay[]) => JSON.stringify(pairs.map((p) => ({ m: p.municipality_id, d: p.day })))

/** The stored municipality-days, their forms spelled out again as parallel arrays of stems and words. */
export async function municipalityDays(db: Db, pairs: MunicipalityDay[]): Promise<MunicipalityDayRow[]> {
  if (pairs.length === 0) return []
  const { rows } = await sql<MunicipalityDay & { forms: number[]; posts: number[] }>`
    SELECT t.day, t.municipality_id, t.forms, t.posts
    FROM json_to_recordset(${pairsJson(pairs)}::json) AS md(m integer, d integer)
    JOIN trend_municipality_forms t ON t.day = md.d AND t.municipality_id = md.m
  `.execute(db)
  // The few forms a batch uses, looked up once: cheaper than joining them to each municipality-day.
  const ids = [...new Set(rows.flatMap((r) => r.forms))]
  const { rows: named } = await sql<{ id: number; stem: string; word: string }>`
    SELECT id, stem, word FROM trend_forms WHERE id = ANY(${ids}::integer[])
  `.execute(db)
  const byId = new Map(named.map((f) => [f.id, f]))
  return rows.map(({ day, municipality_id, forms, posts }) => ({
    day,
    municipality_id,
    stems: forms.map((id) => byId.get(id)!.stem),
    words: forms.map((id) => byId.get(id)!.word),
    posts,
  }))
}

/** The visible posts of these municipality-days; the opening post carries the thread title. */
export async function postsOfDays(db: Db, pairs: MunicipalityDay[]): Promise<IndexablePost[]> {
  if (pairs.length === 0) return []
  const { rows } = await sql<IndexablePost>`
    SELECT p.id, p.thread_id, p.municipality_id, p.created_at, p.body, CASE WHEN p.position = 1 THEN t.title END AS title
    FROM (SELECT DISTINCT m, d FROM json_to_recordset(${pairsJson(pairs)}::json) AS x(m integer, d integer)) AS md
    JOIN posts p ON p.municipality_id = md.m
      AND p.created_at >= timestamptz '1970-01-01 00:00:00+00' + md.d * interval '1 day'
      AND p.created_at < timestamptz '1970-01-01 00:00:00+00' + (md.d + 1) * interval '1 day'
    JOIN threads t ON t.id = p.thread_id
    WHERE p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL
  `.execute(db)
  return rows
}

export type StemDayDelta = { day: number; stem: string; municipalities: number; posts: number }
export type SurfaceDelta = { stem: string; word: string; uses: number }

/** Replaces these municipality-days by `rows` and applies the deltas to the day counts and written forms. */
export async function replaceMunicipalityDays(
  db: Db,
  pairs: MunicipalityDay[],
  rows: MunicipalityDayRow[],
  stemDays: StemDayDelta[],
  surface: SurfaceDelta[],
) {
  if (pairs.length > 0) {
    await sql`
      DELETE FROM trend_municipality_forms t USING json_to_recordset(${pairsJson(pairs)}::json) AS md(m integer, d integer)
      WHERE t.day = md.d AND t.municipality_id = md.m
    `.execute(db)
  }
  const ids = await formIds(db, rows)
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = JSON.stringify(
      rows.slice(i, i + 5000).map((r) => ({
        m: r.municipality_id,
        d: r.day,
        f: r.stems.map((stem, k) => ids.get(`${stem} ${r.words[k]}`)!).join(' '),
        p: r.posts.join(' '),
      })),
    )
    await sql`
      INSERT INTO trend_municipality_forms (day, municipality_id, forms, posts)
      SELECT x.d, x.m, string_to_array(x.f, ' ')::integer[], string_to_array(x.p, ' ')::integer[]
      FROM json_to_recordset(${chunk}::json) AS x(m integer, d integer, f text, p text)
    `.execute(db)
  }
  for (let i = 0; i < stemDays.length; i += 20_000) {
    const chunk = JSON.stringify(stemDays.slice(i, i + 20_000))
    await sql`
      INSERT INTO trend_stem_days (day, stem, municipalities, posts)
      SELECT x.day, x.stem, x.municipalities, x.posts
      FROM json_to_recordset(${chunk}::json) AS x(day integer, stem text, municipalities integer, posts integer)
      ON CONFLICT (day, stem) DO UPDATE
        SET municipalities = trend_stem_days.municipalities + EXCLUDED.municipalities, posts = trend_stem_days.posts + EXCLUDED.posts
    `.execute(db)
    await sql`
      DELETE FROM trend_stem_days t USING json_to_recordset(${chunk}::json) AS x(day integer, stem text)
      WHERE t.day = x.day AND t.stem = x.stem AND t.municipalities <= 0
    `.execute(db)
  }
  for (let i = 0; i < surface.length; i += 20_000) {
    const chunk = JSON.stringify(surface.slice(i, i + 20_000))
    await sql`
      INSERT INTO trend_surface (stem, word, uses)
      SELECT x.stem, x.word, x.uses FROM json_to_recordset(${chunk}::json) AS x(stem text, word text, uses integer)
      ON CONFLICT (stem, word) DO UPDATE SET uses = trend_surface.uses + EXCLUDED.uses
    `.execute(db)
    await sql`
      DELETE FROM trend_surface t USING json_to_recordset(${chunk}::json) AS x(stem text, word text)
      WHERE t.stem = x.stem AND t.word = x.word AND t.uses <= 0
    `.execute(db)
  }
}

/**
 * The numbers of the forms (stem and written form) these municipality-days use, the new ones numbered
 * first: a few thousand distinct forms for thousands of municipality-days, looked up once each instead
 * of once per use.
 */
async function formIds(db: Db, rows: MunicipalityDayRow[]): Promise<Map<string, number>> {
  // Stems and words never contain spaces (see trends.text.ts).
  const keys = new Set<string>()
  for (const r of rows) r.stems.forEach((stem, k) => keys.add(`${stem} ${r.words[k]}`))
  const ids = new Map<string, number>()
  if (keys.size === 0) return ids
  const forms = JSON.stringify([...keys].map((key) => ({ s: key.slice(0, key.indexOf(' ')), w: key.slice(key.indexOf(' ') + 1) })))
  // Only forms not numbered yet: a conflicting insert would use up a number of the sequence each time.
  await sql`
    INSERT INTO trend_forms (stem, word)
    SELECT x.s, x.w FROM json_to_recordset(${forms}::json) AS x(s text, w text)
    WHERE NOT EXISTS (SELECT 1 FROM trend_forms f WHERE f.stem = x.s AND f.word = x.w)
    ON CONFLICT (stem, word) DO NOTHING
  `.execute(db)
  const { rows: numbered } = await sql<{ id: number; stem: string; word: string }>`
    SELECT f.id, f.stem, f.word FROM json_to_recordset(${forms}::json) AS x(s text, w text)
    JOIN trend_forms f ON f.stem = x.s AND f.word = x.w
  `.execute(db)
  for (const f of numbered) ids.set(`${f.stem} ${f.word}`, f.id)
  return ids
}

/** How many days of stored forms one aggregation query of the full recomputation reads. */
export const RECOMPUTE_CHUNK_DAYS = 16

export type RecomputeOptions = {
  /**
   * How many connections aggregate at once (each its own day ranges). Above 1 only with a connection
   * pool (PostgreSQL server): the embedded database has one connection, the transaction's own.
   */
  readers?: number
  chunkDays?: number
}

/**
 * Full recomputation: the day counts and written forms aggregated again from the stored stems of every
 * municipality-day, in SQL; no text is read or stemmed. Some 21 million stems on a million posts: one
 * query over all of them takes 6 to 9 s, most of it per-row work of the executor on one core. The days
 * are split into short ranges that `readers` connections aggregate side by side (each range an index
 * range scan and a small hash table), while this transaction holds the index lock, so no index run
 * changes the stored forms meanwhile, and writes each range's counts as it arrives: readers of the
 * dashboard see the old counts until the commit, then all new ones.
 */
export async function recomputeStemDays(db: Db, now: Date, { readers = 1, chunkDays = RECOMPUTE_CHUNK_DAYS }: RecomputeOptions = {}) {
  await db.transaction().execute(async (trx) => {
    await lockIndex(trx, now)
    await trx.deleteFrom('trend_stem_days').execute()
    await trx.deleteFrom('trend_surface').execute()
    const [range] = (await sql<{ first: number | null; last: number | null }>`
      SELECT min(day) AS first, max(day) AS last FROM trend_municipality_forms
    `.execute(trx)).rows
    if (range?.first == null || range.last == null) return
    const starts: number[] = []
    for (let day = range.first; day <= range.last; day += chunkDays) starts.push(day)
    // Uses per form over all ranges (as many entries as there are forms, however many posts).
    const uses = new Map<number, number>()
    const source = readers > 1 ? db : trx
    let writing = Promise.resolve()
    async function reader() {
      for (let from = starts.shift(); from !== undefined; from = starts.shift()) {
        // The unnest in the select list streams the arrays (in FROM, each would be copied into a
        // tuplestore first); the range's counts come back as two JSON texts, written as they are.
        const [chunk] = (await sql<{ stem_days: string | null; forms: string | null }>`
          WITH g AS (
            SELECT u.day, u.form, count(*)::integer AS municipalities, sum(u.posts)::integer AS posts
            FROM (
              SELECT day, unnest(forms) AS form, unnest(posts) AS posts FROM trend_municipality_forms
              WHERE day >= ${from}::integer AND day < ${from + chunkDays}::integer
            ) AS u
            GROUP BY u.day, u.form
          )
          SELECT
            (SELECT json_agg(x)::text FROM (
              SELECT g.day, f.stem, sum(g.municipalities)::integer AS municipalities, sum(g.posts)::integer AS posts
              FROM g JOIN trend_forms f ON f.id = g.form GROUP BY g.day, f.stem
            ) AS x) AS stem_days,
            (SELECT json_agg(y)::text FROM (SELECT form, sum(posts)::integer AS uses FROM g GROUP BY form) AS y) AS forms
        `.execute(source)).rows
        if (!chunk?.stem_days) continue
        for (const { form, uses: n } of JSON.parse(chunk.forms!) as { form: number; uses: number }[]) uses.set(form, (uses.get(form) ?? 0) + n)
        const rows = chunk.stem_days
        // One statement at a time on the transaction; the next range is read meanwhile.
        writing = writing.then(() =>
          sql`
            INSERT INTO trend_stem_days (day, stem, municipalities, posts)
            SELECT x.day, x.stem, x.municipalities, x.posts
            FROM json_to_recordset(${rows}::json) AS x(day integer, stem text, municipalities integer, posts integer)
          `.execute(trx).then(() => undefined),
        )
        await writing
      }
    }
    await Promise.all(Array.from({ length: Math.max(1, readers) }, reader))
    await writing
    const surface = JSON.stringify([...uses].map(([form, n]) => ({ form, uses: n })))
    await sql`
      INSERT INTO trend_surface (stem, word, uses)
      SELECT f.stem, f.word, x.uses FROM json_to_recordset(${surface}::json) AS x(form integer, uses integer)
      JOIN trend_forms f ON f.id = x.form
    `.execute(trx)
  })
}

/** Throws the whole index away and marks every municipality-day with posts, so the next run derives it from the text. */
export async function clearIndex(db: Db, now: Date) {
  await db.transaction().execute(async (trx) => {
    await lockIndex(trx, now)
    await trx.deleteFrom('trend_municipality_forms').execute()
    await trx.deleteFrom('trend_forms').execute()
    await trx.deleteFrom('trend_stem_days').execute()
    await trx.deleteFrom('trend_surface').execute()
    await trx.deleteFrom('trend_dirty').execute()
    await trx.deleteFrom('trend_snapshot').execute()
    await markAllDirty(trx)
  })
}

export async function saveSnapshot(db: Db, at: Date, result: unknown) {
  await db
    .insertInto('trend_snapshot')
    .values({ id: 1, at, result: JSON.stringify(result) })
    .onConflict((oc) => oc.column('id').doUpdateSet({ at, result: JSON.stringify(result) }))
    .execute()
}

export async function loadSnapshot(db: Db): Promise<{ at: Date; result: unknown } | undefined> {
  return db.selectFrom('trend_snapshot').select(['at', 'result']).where('id', '=', 1).executeTakeFirst()
}

// ---------------------------------------------------------------------------------------------
// Reading evidence
// ---------------------------------------------------------------------------------------------

/** Posts of the day of `at` written before `at` (the partial day is read live, not from the index). */
export async function postsOfPartialDay(db: Db, from: Date, at: Date): Promise<IndexablePost[]> {
  return db
    .selectFrom('posts')
    .innerJoin('threads', 'threads.id', 'posts.thread_id')
    .select([
      'posts.id',
      'posts.thread_id',
      'posts.municipality_id',
      'posts.created_at',
      'posts.body',
      sql<string | null>`CASE WHEN posts.position = 1 THEN threads.title END`.as('title'),
    ])
    .where('posts.created_at', '>=', from)
    .where('posts.created_at', '<', at)
    .where('posts.deleted_at', 'is', null)
    .where('posts.hidden_at', 'is', null)
    .where('threads.deleted_at', 'is', null)
    .execute()
}

export async function municipalityDistricts(db: Db): Promise<Map<number, { name: string; district: string }>> {
  const rows = await db.selectFrom('municipalities').select(['id', 'name', 'district']).execute()
  return new Map(rows.map((r) => [r.id, { name: r.name, district: r.district }]))
}

/** The most used written form of each stem. */
export async function surfaceWords(db: Db, stems: string[]): Promise<Map<string, string>> {
  if (stems.length === 0) return new Map()
  const rows = await db
    .selectFrom('trend_surface')
    .select(['stem', 'word', 'uses'])
    .where('stem', 'in', stems)
    .orderBy('stem')
    .orderBy('uses', 'desc')
    .orderBy('word')
    .execute()
  const out = new Map<string, string>()
  for (const r of rows) if (!out.has(r.stem)) out.set(r.stem, r.word)
  return out
}

// ---------------------------------------------------------------------------------------------
// Threads: which municipalities took part recently
// ---------------------------------------------------------------------------------------------

export type ThreadParticipation = { thread_id: number; municipality_id: number; last_at: Date }

/** Per thread and municipality, the latest post or "betrifft uns auch" in [from, at). */
export async function threadParticipation(db: Db, from: Date, at: Date): Promise<ThreadParticipation[]> {
  const posts = db
    .selectFrom('posts')
    .select(['thread_id', 'municipality_id', 'created_at'])
    .where('created_at', '>=', from)
    .where('created_at', '<', at)
    .where('deleted_at', 'is', null)
    .where('hidden_at', 'is', null)
    .where('municipality_id', 'is not', null)
  const concerns = db
    .selectFrom('thread_concerns')
    .select(['thread_id', 'municipality_id', 'created_at'])
    .where('created_at', '>=', from)
    .where('created_at', '<', at)
  return db
    .selectFrom(posts.unionAll(concerns).as('p'))
    .select(['p.thread_id', 'p.municipality_id', (eb) => eb.fn.max('p.created_at').as('last_at')])
    .groupBy(['p.thread_id', 'p.municipality_id'])
    .$narrowType<{ municipality_id: number; last_at: Date }>()
    .execute()
}

export async function threadsById(db: Db, ids: number[]) {
  if (ids.length === 0) return []
  return db
    .selectFrom('threads')
    .innerJoin('forums', 'forums.id', 'threads.forum_id')
    .select(['threads.id', 'threads.external_id', 'threads.title', 'threads.created_at', 'forums.slug as forum'])
    .where('threads.id', 'in', ids)
    .where('threads.deleted_at', 'is', null)
    .execute()
}

export type DrillPost = {
  id: number
  thread_id: number
  position: number
  body: string
  created_at: Date
  title: string
  forum: string
  municipality_id: number
  municipality: string
  district: string
}

/** Posts (with thread, forum, municipality) written by these municipalities on these days before `at`. */
export async function postsOfMunicipalityDays(db: Db, pairs: { municipality_id: number; day: number }[], at: Date): Promise<DrillPost[]> {
  if (pairs.length === 0) return []
  const { rows } = await sql<DrillPost>`
    SELECT p.id, p.thread_id, p.position, p.body, p.created_at, t.title, f.slug AS forum,
           m.id AS municipality_id, m.name AS municipality, m.district
    FROM json_to_recordset(${JSON.stringify(pairs)}::json) AS md(municipality_id integer, day integer)
    JOIN posts p ON p.municipality_id = md.municipality_id
      AND p.created_at >= timestamptz '1970-01-01 00:00:00+00' + md.day * interval '1 day'
      AND p.created_at < timestamptz '1970-01-01 00:00:00+00' + (md.day + 1) * interval '1 day'
    JOIN threads t ON t.id = p.thread_id
    JOIN forums f ON f.id = t.forum_id
    JOIN municipalities m ON m.id = p.municipality_id
    WHERE p.created_at < ${at} AND p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL
    ORDER BY p.created_at DESC
    LIMIT 20000
  `.execute(db)
  return rows
}

export type StemDayCount = { day: number; stem: string; municipalities: number }

/** Municipality-days per stem and whole day in [fromDay, toDay). */
export async function stemDays(db: Db, fromDay: number, toDay: number): Promise<StemDayCount[]> {
  return db
    .selectFrom('trend_stem_days')
    .select(['day', 'stem', 'municipalities'])
    .where('day', '>=', fromDay)
    .where('day', '<', toDay)
    .execute()
}

export type StemPoint = { stem: string; day: number; municipality_id: number; posts: number }

/** The municipality-days of some stems on whole days in [fromDay, toDay). */
export async function stemPoints(db: Db, stems: string[], fromDay: number, toDay: number): Promise<StemPoint[]> {
  if (stems.length === 0) return []
  const { rows } = await sql<StemPoint>`
    WITH wanted AS (SELECT array_agg(id) AS forms FROM trend_forms WHERE stem = ANY(${stems}::text[]))
    SELECT f.stem, t.day, t.municipality_id, u.posts
    FROM wanted, trend_municipality_forms t, unnest(t.forms, t.posts) AS u(form, posts), trend_forms f
    WHERE t.day >= ${fromDay}::integer AND t.day < ${toDay}::integer AND t.forms && wanted.forms AND u.form = ANY(wanted.forms) AND f.id = u.form
  `.execute(db)
  return rows
}

/** Posts of municipalities written in [from, at), newest first, with thread, forum and municipality: the drill-down. */
export async function postsBetween(db: Db, from: Date, at: Date, limit = 20_000): Promise<DrillPost[]> {
  return db
    .selectFrom('posts as p')
    .innerJoin('threads as t', 't.id', 'p.thread_id')
    .innerJoin('forums as f', 'f.id', 't.forum_id')
    .innerJoin('municipalities as m', 'm.id', 'p.municipality_id')
    .select(['p.id', 'p.thread_id', 'p.position', 'p.body', 'p.created_at', 't.title', 'f.slug as forum', 'm.id as municipality_id', 'm.name as municipality', 'm.district'])
    .where('p.created_at', '>=', from)
    .where('p.created_at', '<', at)
    .where('p.deleted_at', 'is', null)
    .where('p.hidden_at', 'is', null)
    .where('t.deleted_at', 'is', null)
    .orderBy('p.created_at', 'desc')
    .limit(limit)
    .execute()
}

// ---------------------------------------------------------------------------------------------
// Radar and activity
// ---------------------------------------------------------------------------------------------

export type UnansweredQuestion = { id: number; title: string; created_at: Date; forum: string; municipality: string | null; district: string | null }

/** Questions opened in [from, before) that nobody but the asker's municipality answered before `at`. */
export async function unansweredQuestions(db: Db, from: Date, before: Date, at: Date): Promise<UnansweredQuestion[]> {
  const { rows } = await sql<UnansweredQuestion>`
    SELECT t.id, t.title, t.created_at, f.slug AS forum, m.name AS municipality, m.district
    FROM threads t
    JOIN forums f ON f.id = t.forum_id
    LEFT JOIN municipalities m ON m.id = t.municipality_id
    WHERE t.kind = 'question' AND t.deleted_at IS NULL AND t.created_at >= ${from} AND t.created_at < ${before}
      AND NOT EXISTS (
        SELECT 1 FROM posts p
        WHERE p.thread_id = t.id AND p.position > 1 AND p.created_at < ${at} AND p.deleted_at IS NULL
          AND p.author_id <> t.author_id
      )
    ORDER BY t.created_at
  `.execute(db)
  return rows
}

export type SilentMunicipality = { id: number; name: string; district: string; last_post_at: Date }

/**
 * Municipalities that posted in [from, silentSince) but not in [silentSince, at): those whose last post
 * (not deleted) before `at` falls in [from, silentSince). One probe of posts_municipality_created_idx per
 * active municipality instead of reading months of posts.
 */
export async function silentMunicipalities(db: Db, from: Date, silentSince: Date, at: Date): Promise<SilentMunicipality[]> {
  const { rows } = await sql<SilentMunicipality>`
    SELECT m.id, m.name, m.district, last_post.at AS last_post_at
    FROM municipalities m
    CROSS JOIN LATERAL (
      SELECT p.created_at AS at FROM posts p
      WHERE p.municipality_id = m.id AND p.created_at < ${at} AND p.deleted_at IS NULL
      ORDER BY p.created_at DESC
      LIMIT 1
    ) last_post
    WHERE m.active AND last_post.at >= ${from} AND last_post.at < ${silentSince}
    ORDER BY last_post.at, m.name
  `.execute(db)
  return rows
}

export type WeeklyActivity = { weeks_ago: number; forum: string; posts: number; municipalities: number }

/**
 * Per week back from `at` (0 = the last 7 days, whole days, see activity.queries.ts) and forum: posts not
 * deleted in threads not deleted, and the distinct municipalities that wrote them.
 */
export async function weeklyActivity(db: Db, weeks: number, at: Date): Promise<WeeklyActivity[]> {
  const firstDay = lastDayBefore(at) - weeks * 7 + 1
  const { rows } = await sql<WeeklyActivity>`
    SELECT ((${lastDaySql(at)} - a.day) / 7)::integer AS weeks_ago,
           f.slug AS forum, sum(a.posts)::integer AS posts, count(DISTINCT a.municipality_id)::integer AS municipalities
    FROM (${activityUpTo(firstDay, at)}) a
    JOIN forums f ON f.id = a.forum_id
    WHERE a.posts > 0
    GROUP BY 1, 2
  `.execute(db)
  return rows
}

/** Distinct municipalities with a post (not deleted) per week back from `at`, all forums together. */
export async function weeklyParticipation(db: Db, weeks: number, at: Date): Promise<{ weeks_ago: number; municipalities: number }[]> {
  const firstDay = lastDayBefore(at) - weeks * 7 + 1
  const { rows } = await sql<{ weeks_ago: number; municipalities: number }>`
    SELECT ((${lastDaySql(at)} - a.day) / 7)::integer AS weeks_ago,
           count(DISTINCT a.municipality_id)::integer AS municipalities
    FROM (${activityUpTo(firstDay, at)}) a
    WHERE a.all_posts > 0 AND a.municipality_id IS NOT NULL
    GROUP BY 1
  `.execute(db)
  return rows
}

export async function forumNames(db: Db) {
  return db.selectFrom('forums').select(['slug', 'name_de', 'name_en']).orderBy('id').execute()
}
