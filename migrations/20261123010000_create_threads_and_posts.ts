import { type Kysely, sql } from 'kysely'

// Threads, posts and what members do with them. The opening text of a thread is its first post
// (position 1), so edits, attachments, reactions, search and reports treat every text alike.
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [
    `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
    `CREATE TABLE threads (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      external_id text UNIQUE,
      forum_id integer NOT NULL REFERENCES forums(id),
      author_id integer NOT NULL REFERENCES users(id),
      -- the author's municipality when the thread was opened: breadth counts municipalities, not people
      municipality_id integer REFERENCES municipalities(id),
      kind text NOT NULL DEFAULT 'discussion' CHECK (kind IN ('question', 'best_practice', 'discussion')),
      title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
      -- best practice: the structured parts (the opening post holds the summary)
      bp_situation text,
      bp_approach text,
      bp_effort text,
      bp_contact text,
      solution_post_id integer,
      pinned_at timestamptz,
      locked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_post_at timestamptz NOT NULL DEFAULT now(),
      reply_count integer NOT NULL DEFAULT 0,
      -- set when the opening post is deleted or hidden: the thread disappears from lists
      deleted_at timestamptz,
      search tsvector GENERATED ALWAYS AS (setweight(to_tsvector('german', title), 'A')) STORED
    )`,
    `CREATE INDEX threads_forum_activity_idx ON threads (forum_id, (pinned_at IS NOT NULL) DESC, last_post_at DESC, id DESC)`,
    `CREATE INDEX threads_activity_idx ON threads (last_post_at DESC, id DESC)`,
    `CREATE INDEX threads_municipality_idx ON threads (municipality_id)`,
    `CREATE INDEX threads_author_idx ON threads (author_id)`,
    `CREATE INDEX threads_search_idx ON threads USING gin (search)`,
    `CREATE INDEX threads_title_trgm_idx ON threads USING gin (title gin_trgm_ops)`,
    `CREATE TABLE posts (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      external_id text UNIQUE,
      thread_id integer NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
      -- 1 for the opening post, then 2, 3, … in order of arrival: permalinks and pages never shift
      position integer NOT NULL,
      author_id integer NOT NULL REFERENCES users(id),
      municipality_id integer REFERENCES municipalities(id),
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      edited_at timestamptz,
      deleted_at timestamptz,
      deleted_by integer REFERENCES users(id),
      hidden_at timestamptz,
      hidden_by integer REFERENCES users(id),
      hidden_reason text,
      search tsvector GENERATED ALWAYS AS (to_tsvector('german', body)) STORED,
      UNIQUE (thread_id, position)
    )`,
    `CREATE INDEX posts_author_idx ON posts (author_id)`,
    `CREATE INDEX posts_municipality_created_idx ON posts (municipality_id, created_at)`,
    `CREATE INDEX posts_created_idx ON posts (created_at)`,
    `CREATE INDEX posts_search_idx ON posts USING gin (search)`,
    `ALTER TABLE threads ADD CONSTRAINT threads_solution_fk FOREIGN KEY (solution_post_id) REFERENCES posts(id) ON DELETE SET NULL`,
    `CREATE TABLE post_revisions (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      post_id integer NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
      -- the text as it was before the edit
      body text NOT NULL,
      title text,
      edited_by integer REFERENCES users(id),
      created_at timestamptz NOT NULL DEFAULT now()
    )`,
    `CREATE INDEX post_revisions_post_idx ON post_revisions (post_id, created_at)`,
    `CREATE TABLE attachments (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      post_id integer REFERENCES posts(id) ON DELETE CASCADE,
      uploaded_by integer NOT NULL REFERENCES users(id),
      original_name text NOT NULL,
      -- random name under DATA_DIR/uploads; never derived from user input
      stored_name text NOT NULL UNIQUE,
      content_type text NOT NULL,
      size_bytes integer NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      search tsvector GENERATED ALWAYS AS (to_tsvector('german', original_name)) STORED
    )`,
    `CREATE INDEX attachments_post_idx ON attachments (post_id)`,
    `CREATE INDEX attachments_search_idx ON attachments USING gin (search)`,
    `CREATE TABLE post_reactions (
      post_id integer NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (post_id, user_id)
    )`,
    `CREATE INDEX post_reactions_user_idx ON post_reactions (user_id)`,
    `CREATE TABLE thread_concerns (
      thread_id integer NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
      municipality_id integer NOT NULL REFERENCES municipalities(id),
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (thread_id, municipality_id)
    )`,
    `CREATE INDEX thread_concerns_created_idx ON thread_concerns (created_at)`,
    `CREATE TABLE adoptions (
      thread_id integer NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
      municipality_id integer NOT NULL REFERENCES municipalities(id),
      user_id integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (thread_id, municipality_id)
    )`,
    `CREATE TABLE thread_watches (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      thread_id integer NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
      level text NOT NULL CHECK (level IN ('watching', 'muted')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, thread_id)
    )`,
    `CREATE INDEX thread_watches_thread_idx ON thread_watches (thread_id)`,
    `CREATE TABLE forum_watches (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      forum_id integer NOT NULL REFERENCES forums(id),
      level text NOT NULL CHECK (level IN ('watching', 'muted')),
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, forum_id)
    )`,
    `CREATE TABLE thread_reads (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      thread_id integer NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
      last_read_position integer NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (user_id, thread_id)
    )`,
    `CREATE TABLE forum_visits (
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      forum_id integer NOT NULL REFERENCES forums(id),
      -- the visit before the current one: "new since your last visit" compares against it
      previous_visit_at timestamptz,
      last_visit_at timestamptz NOT NULL,
      PRIMARY KEY (user_id, forum_id)
    )`,
    `CREATE TABLE notifications (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('reply', 'mention', 'solution', 'adopted')),
      thread_id integer NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
      post_id integer REFERENCES posts(id) ON DELETE CASCADE,
      actor_id integer REFERENCES users(id) ON DELETE SET NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      -- for the mail issue: one notification model serves the app and email
      emailed_at timestamptz
    )`,
    `CREATE UNIQUE INDEX notifications_once_idx ON notifications (user_id, kind, thread_id, coalesce(post_id, 0))`,
    `CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at DESC) WHERE read_at IS NULL`,
    `CREATE TABLE reports (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      post_id integer NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
      reporter_id integer REFERENCES users(id) ON DELETE SET NULL,
      reason text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      resolved_at timestamptz,
      resolved_by integer REFERENCES users(id) ON DELETE SET NULL,
      resolution text CHECK (resolution IN ('hidden', 'dismissed'))
    )`,
    `CREATE INDEX reports_open_idx ON reports (created_at) WHERE resolved_at IS NULL`,
    `CREATE UNIQUE INDEX reports_once_idx ON reports (post_id, reporter_id) WHERE resolved_at IS NULL`,
  ]) {
    await sql.raw(statement).execute(db)
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql
    .raw(
      `DROP TABLE reports, notifications, forum_visits, thread_reads, forum_watches, thread_watches, adoptions,
        thread_concerns, post_reactions, attachments, post_revisions, posts, threads CASCADE`,
    )
    .execute(db)
}
