import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { ThreadKind } from '../threads/threads.table.ts'

type Db = Kysely<Database> | Transaction<Database>

export type SearchFilters = {
  forumId?: number
  kind?: ThreadKind
  municipalityId?: number
  district?: string
  /** Calendar days (YYYY-MM-DD), inclusive, in German time. */
  from?: string
  to?: string
}

/** Each source of matches (post texts, titles, attachment names) contributes at most this many posts. */
export const SEARCH_CAP = 500
/**
 * Of the posts that match, only the newest this many are ranked at all: for a common word the newest
 * posts are read backwards (a third of them match), and ranking reads each match's text. Every post read
 * costs, and on a busy server every millisecond counts fifty times: 500 newest matches are a few days of a
 * large forum, more than anyone pages through.
 */
export const NEWEST_MATCHES = 500
/**
 * Title matches are taken newest first, this many: a title match ranks high anyway, and for a common word
 * thousands of titles match. Opening posts that match by their text come in through the posts. Only one
 * title in twenty holds even a common word, so each of these costs twenty threads read: 60 fill three pages.
 */
export const TITLE_MATCHES = 60
/**
 * The latest this many posts are looked through first: a word in one post of forty fills NEWEST_MATCHES
 * there. Only a rarer one sends the search to the index for older posts, and then it finds few.
 */
const RECENT_WINDOW = 20_000
/**
 * Likewise for titles, the latest this many threads: one title in ten or twenty holds a common word, so
 * TITLE_MATCHES are found there after a few hundred threads, not by reading and sorting thousands of
 * matches through the index (7 of the 19 ms of a search for "Unterbringung" in 100,000 threads). A rarer
 * word finds fewer and goes on to the index for older threads; with a filter the window is left out.
 */
const RECENT_THREADS = 2_000
/** Relevance halves when a post is this many days old. */
const RECENCY_DAYS = 180
// Private-use characters nobody types: ts_headline wraps matches in them, the route turns them into <mark>.
export const MARK_START = '\uE000'
export const MARK_END = '\uE001'
// ts_headline drops whatever looks like an HTML tag: angle brackets go in disguised as the (deprecated,
// hardly ever typed) U+2329/U+232A and come back as text. Our markers are removed from the input.
export const LESS_THAN = '\u2329'
export const GREATER_THAN = '\u232A'
const DISGUISE_FROM = `<>${MARK_START}${MARK_END}`
const DISGUISE_TO = `${LESS_THAN}${GREATER_THAN}`
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=35, MinWords=15, ShortWord=3, MaxFragments=2, FragmentDelimiter=" … "`

/** What a query means to the German parser: nothing at all, only exclusions, or something to look for. */
export async function classifyQuery(db: Db, text: string): Promise<'empty' | 'onlyExcluded' | 'searchable'> {
  const { rows } = await sql<{ nodes: number; tree: string }>`
    SELECT numnode(q) AS nodes, querytree(q) AS tree FROM websearch_to_tsquery('german', ${text}) AS q
  `.execute(db)
  const row = rows[0]!
  if (row.nodes === 0) return 'empty'
  return row.tree === 'T' ? 'onlyExcluded' : 'searchable'
}

function filterConditions(f: SearchFilters): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [sql`p.deleted_at IS NULL AND p.hidden_at IS NULL AND t.deleted_at IS NULL`]
  if (f.forumId !== undefined) conditions.push(sql`t.forum_id = ${f.forumId}`)
  if (f.kind !== undefined) conditions.push(sql`t.kind = ${f.kind}`)
  if (f.municipalityId !== undefined) conditions.push(sql`p.municipality_id = ${f.municipalityId}`)
  if (f.district !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM municipalities m WHERE m.id = p.municipality_id AND m.district = ${f.district})`)
  }
  if (f.from !== undefined) conditions.push(sql`p.created_at >= (${f.from}::date)::timestamp AT TIME ZONE 'Europe/Berlin'`)
  if (f.to !== undefined) conditions.push(sql`p.created_at < (${f.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin'`)
  return sql.join(conditions, sql` AND `)
}

/**
 * The same filters on a thread alone, for its opening post: a thread has the municipality and the time of
 * its opening post. Lets the title branch pick its newest matches before it reads any post.
 */
function threadFilterConditions(f: SearchFilters): RawBuilder<unknown> {
  const conditions: RawBuilder<unknown>[] = [sql`t.deleted_at IS NULL`]
  if (f.forumId !== undefined) conditions.push(sql`t.forum_id = ${f.forumId}`)
  if (f.kind !== undefined) conditions.push(sql`t.kind = ${f.kind}`)
  if (f.municipalityId !== undefined) conditions.push(sql`t.municipality_id = ${f.municipalityId}`)
  if (f.district !== undefined) {
    conditions.push(sql`EXISTS (SELECT 1 FROM municipalities m WHERE m.id = t.municipality_id AND m.district = ${f.district})`)
  }
  if (f.from !== undefined) conditions.push(sql`t.created_at >= (${f.from}::date)::timestamp AT TIME ZONE 'Europe/Berlin'`)
  if (f.to !== undefined) conditions.push(sql`t.created_at < (${f.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Berlin'`)
  return sql.join(conditions, sql` AND `)
}

export type SearchHit = {
  thread_id: number
  post_id: number
  position: number
  title: string
  title_headline: string
  kind: ThreadKind
  forum_slug: string
  forum_name_de: string
  forum_name_en: string
  municipality_name: string | null
  post_created_at: Date
  headline: string
  attachment_names: string | null
  solved: boolean
}

/**
 * Threads matching a websearch query (quotes, OR, -word), best post per thread, ranked by relevance
 * blended with recency. Candidates are capped per source, so a common word costs no more than a rare one;
 * `capped` says that a source had more matches than it read, so `total` counts only the threads found.
 */
export async function searchThreads(
  db: Db,
  text: string,
  filters: SearchFilters,
  page: { limit: number; offset: number; now: Date },
): Promise<{ hits: SearchHit[]; total: number; capped: boolean }> {
  // The search reads few rows, but the planner cannot know it: it takes a rare word for a common one, and it
  // prices sorting all older matches that are never read. Parallel workers (tens of milliseconds to start on
  // a busy server) and JIT compilation (over a second) would cost far more than the search: both off here.
  if (!db.isTransaction) return db.transaction().execute((trx) => searchThreads(trx, text, filters, page))
  const latest = await sql<{ post_id: number | null; thread_id: number | null }>`
    SELECT set_config('max_parallel_workers_per_gather', '0', true), set_config('jit', 'off', true),
      (SELECT max(id) FROM posts) AS post_id, (SELECT max(id) FROM threads) AS thread_id
  `.execute(db)
  const windowStart = (latest.rows[0]?.post_id ?? 0) - RECENT_WINDOW
  // A filter leaves too few titles among the latest threads (a third, for one forum): the window would only
  // add its reading to the index's. Then it is empty, and every title comes through the index.
  const threadFiltered = Object.values(filters).some((value) => value !== undefined)
  const threadWindowStart = (latest.rows[0]?.thread_id ?? 0) - (threadFiltered ? 0 : RECENT_THREADS)
  const where = filterConditions(filters)
  const threadWhere = threadFilterConditions(filters)
  // The query is written out in every branch, not taken from a CTE: only then does the planner see how
  // common the words are, and walk the newest posts backwards for a common one instead of rechecking all.
  const tsQuery = sql`websearch_to_tsquery('german', ${text})`
  const anyWord = sql`regexp_replace(querytree(${tsQuery}), '&|<->|<[0-9]+>', '|', 'g')::tsquery`
  // The index cannot tell whether words stand side by side: for a phrase, the newest posts that hold all
  // its words are found first and only those are checked for the phrase. (querytree leaves out negations,
  // so this finds a superset; the phrase and any exclusions are checked afterwards.)
  const indexable = sql`(CASE WHEN querytree(${tsQuery}) ~ '<' THEN regexp_replace(querytree(${tsQuery}), '<->|<[0-9]+>', '&', 'g')::tsquery ELSE ${tsQuery} END)`
  // Relevance: the post (with the title, for an opening post; with attachment names, where it has any),
  // halved every RECENCY_DAYS of age. Computed once per candidate, in the branch that finds it.
  const recency = sql`(1.0 / (1.0 + greatest(0, extract(epoch FROM (${page.now}::timestamptz - p.created_at)) / 86400.0) / ${RECENCY_DAYS}))`
  // `newest` and `titles` are read once each: their size also tells whether older matches were left out.
  const { rows } = await sql<{ post_id: number | null; total: number; capped: boolean }>`
    WITH matching AS NOT MATERIALIZED (
      SELECT p.id AS post_id, p.thread_id, p.search,
        CASE WHEN p.position = 1 THEN t.search || p.search ELSE p.search END AS doc, ${recency} AS recency
      -- the thread of each post looked up by its key (OFFSET 0 keeps it so): the planner misjudges how
      -- rare a rare word is and would otherwise merge-join all threads
      FROM posts p CROSS JOIN LATERAL (
        SELECT t.search, t.deleted_at, t.forum_id, t.kind FROM threads t WHERE t.id = p.thread_id OFFSET 0
      ) t
      WHERE p.search @@ ${indexable} AND ${where}
    ),
    -- The newest posts first, within a window of the latest ones (its bound written out, so the planner
    -- knows how few they are): a common word is read backwards there, a rare one through the index.
    recent AS MATERIALIZED (
      SELECT * FROM matching WHERE post_id > ${windowStart}::int ORDER BY post_id DESC LIMIT ${NEWEST_MATCHES}
    ),
    -- Too few there: the words are rare, so the older matches come through the index and are sorted. Both
    -- "+ 0" keep the planner from walking all older posts backwards (it may take a rare word for a common
    -- one) and from listing all older posts in a bitmap.
    older AS (
      SELECT * FROM matching WHERE (SELECT count(*) FROM recent) < ${NEWEST_MATCHES} AND post_id + 0 <= ${windowStart}::int
      ORDER BY post_id + 0 DESC LIMIT ${NEWEST_MATCHES}
    ),
    newest AS (
      SELECT * FROM (SELECT * FROM recent UNION ALL SELECT * FROM older) n ORDER BY post_id DESC LIMIT ${NEWEST_MATCHES}
    ),
    -- titles like posts: the newest threads first, read backwards within their window (bound written out)
    recent_titles AS MATERIALIZED (
      SELECT t.id, t.search, t.deleted_at, t.forum_id, t.kind FROM threads t
      WHERE t.search @@ ${anyWord} AND ${threadWhere} AND t.id > ${threadWindowStart}::int
      ORDER BY t.id DESC LIMIT ${TITLE_MATCHES}
    ),
    -- too few there: older titles through the index, sorted ("+ 0"): walking all threads backwards costs a
    -- rare word every thread, and the planner cannot tell a rare word from a common one
    older_titles AS (
      SELECT t.id, t.search, t.deleted_at, t.forum_id, t.kind FROM threads t
      WHERE (SELECT count(*) FROM recent_titles) < ${TITLE_MATCHES}
        AND t.search @@ ${anyWord} AND ${threadWhere} AND t.id + 0 <= ${threadWindowStart}::int
      ORDER BY t.id + 0 DESC LIMIT ${TITLE_MATCHES}
    ),
    titles AS (
      SELECT * FROM (SELECT * FROM recent_titles UNION ALL SELECT * FROM older_titles) n ORDER BY id DESC LIMIT ${TITLE_MATCHES}
    ),
    found AS (
      SELECT newest.post_id, newest.thread_id, ts_rank_cd(newest.doc, ${tsQuery}, 1) * newest.recency AS score, false AS by_attachment
      FROM newest WHERE newest.search @@ ${tsQuery}
      UNION ALL
      -- a title, together with its opening text: "Dolmetscher Mustervertrag" finds the thread titled
      -- "Dolmetscher" whose first post offers a Mustervertrag
      SELECT p.id, p.thread_id, ts_rank_cd(t.search || p.search, ${tsQuery}, 1) * ${recency}, false
      FROM titles t JOIN posts p ON p.thread_id = t.id AND p.position = 1
      WHERE (t.search || p.search) @@ ${tsQuery} AND ${where}
      UNION ALL
      (SELECT p.id, p.thread_id,
         ts_rank_cd((CASE WHEN p.position = 1 THEN t.search ELSE ''::tsvector END) || p.search || a.search, ${tsQuery}, 1) * ${recency},
         true
       FROM (SELECT a.post_id, string_agg(a.search::text, ' ')::tsvector AS search FROM attachments a
             WHERE a.post_id IN (SELECT a.post_id FROM attachments a WHERE a.search @@ ${anyWord}) GROUP BY a.post_id) a
       JOIN posts p ON p.id = a.post_id JOIN threads t ON t.id = p.thread_id
       WHERE (p.search || a.search) @@ ${tsQuery} AND ${where}
       ORDER BY 3 DESC LIMIT ${SEARCH_CAP})
    ),
    candidates AS (
      SELECT post_id, min(thread_id) AS thread_id, max(score) AS score FROM found GROUP BY post_id
    ),
    best AS (
      SELECT DISTINCT ON (thread_id) post_id, thread_id, score FROM candidates ORDER BY thread_id, score DESC, post_id DESC
    ),
    summary AS (
      SELECT (SELECT count(*) FROM best)::int AS total,
        (SELECT count(*) FROM newest) >= ${NEWEST_MATCHES} OR (SELECT count(*) FROM titles) >= ${TITLE_MATCHES}
          OR (SELECT count(*) FROM found WHERE by_attachment) >= ${SEARCH_CAP} AS capped
    )
    -- one row even for a page past the end: it carries the total for the pagination
    SELECT page.post_id, summary.total, summary.capped
    FROM summary LEFT JOIN LATERAL (
      SELECT post_id, score FROM best ORDER BY score DESC, post_id DESC LIMIT ${page.limit} OFFSET ${page.offset}
    ) page ON true
    ORDER BY page.score DESC, page.post_id DESC
  `.execute(db)
  const { total, capped } = rows[0]!
  const postIds = rows.flatMap((r) => (r.post_id === null ? [] : [r.post_id]))
  const hits = postIds.length === 0 ? [] : await pageDetails(db, text, postIds)
  return { hits, total, capped }
}

/** Titles, snippets and context for one page of hits, in the given order. Headlines are costly: only these. */
async function pageDetails(db: Db, text: string, postIds: number[]): Promise<SearchHit[]> {
  const { rows } = await sql<SearchHit>`
    WITH q AS (SELECT websearch_to_tsquery('german', ${text}) AS query)
    SELECT p.id AS post_id, p.thread_id, p.position, t.title, t.kind, t.solution_post_id IS NOT NULL AS solved,
      ts_headline('german', translate(t.title, ${DISGUISE_FROM}, ${DISGUISE_TO}), q.query, ${`${HEADLINE_OPTIONS}, HighlightAll=true`})
        AS title_headline,
      ts_headline('german', translate(p.body, ${DISGUISE_FROM}, ${DISGUISE_TO}), q.query, ${HEADLINE_OPTIONS}) AS headline,
      f.slug AS forum_slug, f.name_de AS forum_name_de, f.name_en AS forum_name_en,
      m.name AS municipality_name, p.created_at AS post_created_at,
      (SELECT string_agg(a.original_name, ', ' ORDER BY a.id) FROM attachments a WHERE a.post_id = p.id AND a.search @@ q.query)
        AS attachment_names
    FROM posts p JOIN threads t ON t.id = p.thread_id JOIN forums f ON f.id = t.forum_id
    LEFT JOIN municipalities m ON m.id = p.municipality_id, q
    WHERE p.id = ANY(${postIds}::int[])
  `.execute(db)
  const byId = new Map(rows.map((r) => [r.post_id, r]))
  return postIds.map((id) => byId.get(id)).filter((r): r is SearchHit => r !== undefined)
}

export type SimilarThread = { id: number; title: string; kind: ThreadKind; replyCount: number; solved: boolean }

/**
 * Existing threads that look like the same question as `title`: German full-text match on the title and
 * opening post (how many of the typed words they share) plus trigram similarity of the titles. Titles are
 * compared in full only with candidates: the ones sharing a word, and for a typo the ones holding a title word
 * that looks like a typed one (title_words).
 */
export async function findSimilarThreads(
  db: Db,
  title: string,
  { limit = 5, excludeId }: { limit?: number; excludeId?: number } = {},
): Promise<SimilarThread[]> {
  const typed = title.trim().slice(0, 200)
  if (typed.length < 4) return []
  const { rows } = await sql<{ id: number; title: string; kind: ThreadKind; reply_count: number; solved: boolean }>`
    WITH input AS (
      SELECT ${typed}::text AS title,
        tsvector_to_array(to_tsvector('german', ${typed})) AS lexemes,
        nullif(regexp_replace(plainto_tsquery('german', ${typed})::text, '&|<->|<[0-9]+>', '|', 'g'), '')::tsquery AS any_query,
        plainto_tsquery('german', ${typed}) AS all_query
    ),
    -- title words that look like a typed word without being it: "Winterdinst" finds "Winterdienst"
    corrected AS (
      SELECT nullif(regexp_replace(plainto_tsquery('german', string_agg(w.word, ' '))::text, '&|<->|<[0-9]+>', '|', 'g'), '')::tsquery
        AS query
      FROM input, regexp_split_to_table(lower(input.title), '[^[:alnum:]]+') typed_word
      JOIN title_words w ON w.word % typed_word
      WHERE length(typed_word) >= 4 AND NOT (tsvector_to_array(to_tsvector('german', w.word)) && input.lexemes)
    ),
    candidates AS (
      (SELECT t.id FROM threads t, input WHERE t.search @@ input.any_query AND t.deleted_at IS NULL
       ORDER BY ts_rank(t.search, input.any_query) DESC LIMIT 200)
      UNION
      (SELECT t.id FROM threads t, input, corrected WHERE t.search @@ corrected.query AND t.deleted_at IS NULL
       ORDER BY similarity(t.title, input.title) DESC LIMIT 50)
      UNION
      (SELECT p.thread_id FROM posts p, input
       WHERE p.search @@ input.all_query AND p.position = 1 AND p.deleted_at IS NULL AND p.hidden_at IS NULL LIMIT 50)
    ),
    scored AS (
      SELECT t.id, t.title, t.kind, t.reply_count, t.solution_post_id IS NOT NULL AS solved,
        (SELECT count(*) FROM unnest(tsvector_to_array(t.search)) l WHERE l = ANY(input.lexemes))::float
          / greatest(cardinality(input.lexemes), 1) AS title_coverage,
        (SELECT count(*) FROM unnest(tsvector_to_array(p.search)) l WHERE l = ANY(input.lexemes))::float
          / greatest(cardinality(input.lexemes), 1) AS body_coverage,
        similarity(t.title, input.title) AS likeness,
        cardinality(input.lexemes) AS words
      FROM candidates c JOIN threads t ON t.id = c.id JOIN posts p ON p.thread_id = t.id AND p.position = 1, input
      WHERE t.deleted_at IS NULL AND p.deleted_at IS NULL AND p.hidden_at IS NULL
        AND (${excludeId ?? null}::int IS NULL OR t.id <> ${excludeId ?? null}::int)
    )
    SELECT id, title, kind, reply_count, solved FROM scored
    -- one shared word of three is chance; half the words, a similar wording or all of them in the text is not
    WHERE title_coverage >= 0.5 OR likeness >= 0.35 OR (body_coverage = 1 AND words >= 2)
    ORDER BY title_coverage + likeness + 0.25 * body_coverage DESC, id DESC
    LIMIT ${limit}
  `.execute(db)
  return rows.map((r) => ({ id: r.id, title: r.title, kind: r.kind, replyCount: r.reply_count, solved: r.solved }))
}

/** Choices for the search filters. */
export async function searchFilterOptions(db: Db) {
  const [forums, municipalities, districts] = await Promise.all([
    db.selectFrom('forums').select(['id', 'slug', 'name_de', 'name_en']).orderBy('position').execute(),
    db.selectFrom('municipalities').select(['id', 'name']).where('active', '=', true).orderBy('name').execute(),
    db.selectFrom('municipalities').select('district').distinct().where('active', '=', true).orderBy('district').execute(),
  ])
  return { forums, municipalities, districts: districts.map((d) => d.district) }
}
