import { type Kysely, sql, type Transaction } from 'kysely'
import { jsonArrayFrom } from 'kysely/helpers/postgres'
import { compiledOnce, type Slots } from '../../db/compiled.ts'
import type { Database } from '../../db/database.ts'
import type { WatchChoice } from '../notifications/notifications.queries.ts'
import type { ThreadKind } from '../threads/threads.table.ts'

type Db = Kysely<Database> | Transaction<Database>

export async function listForums(db: Db) {
  return db.selectFrom('forums').selectAll().orderBy('position').execute()
}

export async function findForumBySlug(db: Db, slug: string) {
  return db.selectFrom('forums').selectAll().where('slug', '=', slug).executeTakeFirst()
}

/**
 * Threads and posts (opening posts included) of each forum; deleted threads do not count. Read from the
 * counters the database keeps with every change of a thread, not counted for each start page.
 */
function forumCountsQuery(db: Db) {
  return db.selectFrom('forum_counts').select(['forum_id', 'threads', 'posts'])
}

type ForumTally = { forum_id: number; threads: number | string | bigint | null; posts: number | string | bigint | null }

function countsByForum(rows: ForumTally[]) {
  return new Map(rows.map((r) => [r.forum_id, { threads: Number(r.threads), posts: Number(r.posts) }]))
}

/** The most recently active thread of each forum, with when and from which municipality its last post came. */
function latestActivityQuery(db: Db) {
  return db
    .selectFrom('forums as f')
    .innerJoinLateral(
      (eb) =>
        eb
          .selectFrom('threads as t')
          .select(['t.id', 't.title', 't.last_post_at'])
          .whereRef('t.forum_id', '=', 'f.id')
          .where('t.deleted_at', 'is', null)
          .orderBy('t.last_post_at', 'desc')
          .orderBy('t.id', 'desc')
          .limit(1)
          .as('lt'),
      (join) => join.onTrue(),
    )
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('posts as p')
          .select('p.municipality_id')
          .whereRef('p.thread_id', '=', 'lt.id')
          .where('p.deleted_at', 'is', null)
          .orderBy('p.position', 'desc')
          .limit(1)
          .as('lp'),
      (join) => join.onTrue(),
    )
    .leftJoin('municipalities as m', 'm.id', 'lp.municipality_id')
    .select(['f.id as forum_id', 'lt.id as thread_id', 'lt.title', 'lt.last_post_at', 'm.name as municipality_name'])
}

/** "Neu seit Ihrem letzten Besuch" counts up to this many threads and replies per forum; more show as "99+". */
export const NEW_SINCE_CAP = 100

/**
 * What arrived in each forum since the user last looked at it (others' threads and replies), each count
 * capped at NEW_SINCE_CAP. Forums never visited have no entry: for a newcomer everything is new, which
 * says nothing.
 *
 * What it reads is bounded by what it shows, however long ago a visit was: per visited forum, the threads
 * active since the visit, newest first (threads_forum_last_post_idx), until the cap; of each such thread
 * only its last NEW_SINCE_CAP positions, which hold any new replies that could still count (positions
 * follow the order of writing). Counting all posts since the earliest visit instead cost a member with one
 * visit a year old 0.7 s per start page on the 1M-post bench data.
 */
function newSinceLastVisitQuery(db: Db, userId: number) {
  return db
    .selectFrom('forum_visits as v')
    .where('v.user_id', '=', userId)
    .select((eb) => {
      const activeSinceVisit = eb
        .selectFrom('threads as t')
        .whereRef('t.forum_id', '=', 'v.forum_id')
        .whereRef('t.last_post_at', '>', 'v.last_visit_at')
        .where('t.deleted_at', 'is', null)
        // The order makes the planner walk the index from the newest; it would guess a third of the forum.
        .orderBy('t.last_post_at', 'desc')
        .limit(NEW_SINCE_CAP)
      return [
        'v.forum_id',
        eb
          .selectFrom(
            activeSinceVisit
              .select('t.id')
              .whereRef('t.created_at', '>', 'v.last_visit_at')
              .where('t.author_id', '<>', userId)
              .as('x'),
          )
          .select(eb.fn.countAll<number>().as('n'))
          .as('threads'),
        eb
          .selectFrom(
            activeSinceVisit
              .innerJoinLateral(
                (lateral) =>
                  lateral
                    .selectFrom('posts as p')
                    .select('p.id')
                    .whereRef('p.thread_id', '=', 't.id')
                    .where('p.position', '>', 1)
                    .where(
                      'p.position',
                      '>',
                      sql<number>`(SELECT max(q.position) FROM posts q WHERE q.thread_id = t.id) - ${NEW_SINCE_CAP}`,
                    )
                    .whereRef('p.created_at', '>', 'v.last_visit_at')
                    .where('p.deleted_at', 'is', null)
                    .where('p.author_id', '<>', userId)
                    .as('p'),
                (join) => join.onTrue(),
              )
              .select('p.id')
              .as('y'),
          )
          .select(eb.fn.countAll<number>().as('n'))
          .as('posts'),
      ]
    })
}

/**
 * The start page's counts, latest activity and what is new for `userId` (the three queries above) in one
 * statement, built and compiled once: one round trip instead of three. On the bench machine every round
 * trip wakes a Postgres process, which cost the start page more than running its three queries.
 */
const startPageStatement = compiledOnce((db: Kysely<Database>, slot: Slots<{ userId: number }>) =>
  db.selectNoFrom([
    jsonArrayFrom(forumCountsQuery(db)).as('counts'),
    jsonArrayFrom(latestActivityQuery(db)).as('latest'),
    jsonArrayFrom(newSinceLastVisitQuery(db, slot('userId'))).as('fresh'),
  ]),
)

export async function startPageActivity(db: Kysely<Database>, userId: number) {
  const [row] = await startPageStatement(db, { userId })
  if (!row) throw new Error('startPageActivity: no row')
  return {
    counts: countsByForum(row.counts),
    // JSON has no dates: the time of the latest post comes back as text.
    latest: new Map(row.latest.map((r) => [r.forum_id, { ...r, last_post_at: new Date(r.last_post_at) }])),
    fresh: countsByForum(row.fresh),
  }
}

/** A visit is a sitting: page views within this gap belong to the same visit. */
const VISIT_GAP = '30 minutes'

/**
 * Records a visit to a forum page and returns the baseline for "neu": the visit before the current sitting.
 * Reloads and paging within a sitting keep the baseline, so what was new on arrival stays marked. The
 * visitor's watch choice for the forum comes back in the same round trip.
 */
export async function recordForumVisit(
  db: Db,
  userId: number,
  forumId: number,
  now: Date,
): Promise<{ baseline: Date | null; watchLevel: WatchChoice }> {
  const row = await db
    .insertInto('forum_visits')
    .values({ user_id: userId, forum_id: forumId, previous_visit_at: null, last_visit_at: now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'forum_id']).doUpdateSet({
        previous_visit_at: sql`case when forum_visits.last_visit_at < ${now}::timestamptz - ${VISIT_GAP}::interval
          then forum_visits.last_visit_at else forum_visits.previous_visit_at end`,
        last_visit_at: now,
      }),
    )
    .returning((eb) => [
      'previous_visit_at',
      eb
        .selectFrom('forum_watches as w')
        .select('w.level')
        .whereRef('w.user_id', '=', 'forum_visits.user_id')
        .whereRef('w.forum_id', '=', 'forum_visits.forum_id')
        .as('watch_level'),
    ])
    .executeTakeFirstOrThrow()
  return { baseline: row.previous_visit_at, watchLevel: row.watch_level ?? 'none' }
}

/** Districts that have municipalities, for the district filter. */
export async function listDistricts(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('municipalities').select('district').distinct().orderBy('district').execute()
  return rows.map((r) => r.district)
}

export type ThreadState = 'solved' | 'unsolved' | 'unanswered'
export type ThreadFilter = { kind?: ThreadKind; state?: ThreadState; district?: string }
/** Position in the list order (pinned first, latest activity first): microseconds keep the order exact. */
export type ListCursor = { pinned: boolean; micros: string; id: number }

/**
 * One page of a forum's threads, pinned first and then by latest activity. Keyset pagination: the next
 * page starts after the cursor of the last row, along threads_forum_activity_idx; never OFFSET.
 */
export async function listThreads(
  db: Db,
  forumId: number,
  filter: ThreadFilter,
  after: ListCursor | null,
  limit: number,
  viewerId: number,
) {
  let query = db
    .selectFrom('threads as t')
    .innerJoin('users as a', 'a.id', 't.author_id')
    .leftJoin('municipalities as m', 'm.id', 't.municipality_id')
    .select([
      't.id',
      't.kind',
      't.title',
      't.pinned_at',
      't.locked_at',
      't.reply_count',
      't.last_post_at',
      't.created_at',
      't.solution_post_id',
      'a.name as author_name',
      'm.name as municipality_name',
      sql<string>`(extract(epoch from t.last_post_at) * 1000000)::bigint::text`.as('cursor_micros'),
      sql<number>`(SELECT count(*)::integer FROM adoptions ad WHERE ad.thread_id = t.id)`.as('adoption_count'),
      // The viewer's unread posts (visible ones after the position read up to), null for a thread never
      // opened: in the same statement, not in a round trip of its own after the list.
      sql<number | null>`(
        SELECT (SELECT count(*)::integer FROM posts p
                WHERE p.thread_id = tr.thread_id AND p.position > tr.last_read_position AND p.deleted_at IS NULL AND p.hidden_at IS NULL)
        FROM thread_reads tr WHERE tr.user_id = ${viewerId} AND tr.thread_id = t.id)`.as('unread'),
    ])
    .where('t.forum_id', '=', forumId)
    .where('t.deleted_at', 'is', null)
  if (filter.kind) query = query.where('t.kind', '=', filter.kind)
  if (filter.state === 'solved') query = query.where('t.kind', '=', 'question').where('t.solution_post_id', 'is not', null)
  if (filter.state === 'unsolved') query = query.where('t.kind', '=', 'question').where('t.solution_post_id', 'is', null)
  if (filter.state === 'unanswered') query = query.where('t.reply_count', '=', 0)
  if (filter.district) query = query.where('m.district', '=', filter.district)
  if (after) {
    query = query.where(
      sql<boolean>`((t.pinned_at is not null), t.last_post_at, t.id) < (${after.pinned}::boolean,
        timestamptz 'epoch' + ${after.micros}::bigint * interval '1 microsecond', ${after.id}::integer)`,
    )
  }
  const rows = await query
    .orderBy(sql`(t.pinned_at is not null)`, 'desc')
    .orderBy('t.last_post_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(limit + 1)
    .execute()
  const more = rows.length > limit
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return {
    threads: page,
    next: more && last ? { pinned: last.pinned_at !== null, micros: last.cursor_micros, id: last.id } : null,
  }
}
