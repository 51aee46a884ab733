import { type RawBuilder, sql } from 'kysely'
import { truncateIp } from './privacy.ip.ts'

/**
 * Which rows of which table belong to a person: one line per table, for the export (Art. 15/20) and
 * the erasure (Art. 17). test/features/privacy/schema.test.ts reads information_schema and fails when a
 * column that points at users is missing here, so a new table needs one line here and nothing else.
 *
 * - `userColumns`: a row belongs to the person when any of these columns holds their id.
 * - `also`: a further condition (rows reached through another table), in SQL with the id bound.
 * - `omit`: columns never exported (secrets, hashes, derived search vectors); applied after `transform`.
 * - `erase`: what erasure does with the rows: `delete` them; `keep` them (they then point at the
 *   anonymised account, which names nobody, see `reason`); or `custom` (erasure.service.ts says how).
 */
export type ExportEntry = {
  table: string
  userColumns: string[]
  also?: (userId: number) => RawBuilder<unknown>
  omit?: string[]
  transform?: (row: Record<string, unknown>) => Record<string, unknown>
  erase: 'delete' | 'keep' | 'custom'
  reason?: string
}

export const exportDefinition: ExportEntry[] = [
  { table: 'users', userColumns: ['id'], omit: ['password_hash', 'totp_secret', 'totp_last_step'], erase: 'custom' },
  { table: 'recovery_codes', userColumns: ['user_id'], omit: ['code_hash'], erase: 'delete' },
  { table: 'password_resets', userColumns: ['user_id'], omit: ['token_hash'], erase: 'delete' },
  {
    table: 'sessions',
    userColumns: ['user_id'],
    // a half-finished sign-in (password given, second factor owed) is an anonymous session naming the user
    also: (id) => sql`data->>'pendingUserId' = ${String(id)}`,
    omit: ['sid', 'data'],
    // the address lives in the column or in the session data (see plugins/session.ts); shown only as its network
    transform: (row) => {
      const data = (row.data ?? {}) as { ip?: string; userAgent?: string }
      return { ...row, ip: truncateIp((row.ip as string | null) ?? data.ip), user_agent: row.user_agent ?? data.userAgent ?? null }
    },
    erase: 'delete',
  },
  {
    table: 'invitations',
    // sent by them, accepted by them, or sent to their address
    userColumns: ['invited_by', 'user_id'],
    also: (id) => sql`lower(email) = (SELECT lower(u.email) FROM users u WHERE u.id = ${id})`,
    omit: ['token_hash'],
    erase: 'custom',
  },
  {
    table: 'audit_log',
    userColumns: ['actor_id'],
    also: (id) => sql`target_type = 'user' AND target_id = ${id}`,
    erase: 'keep',
    reason: 'append-only; holds ids and roles only, never names or addresses',
  },
  { table: 'site_pages', userColumns: ['updated_by'], erase: 'keep', reason: 'who last edited a legal page: the anonymised account' },
  { table: 'threads', userColumns: ['author_id'], omit: ['search'], erase: 'custom' },
  { table: 'posts', userColumns: ['author_id', 'deleted_by', 'hidden_by'], omit: ['search'], erase: 'custom' },
  {
    table: 'post_revisions',
    userColumns: ['edited_by'],
    also: (id) => sql`post_id IN (SELECT p.id FROM posts p WHERE p.author_id = ${id})`,
    erase: 'custom',
  },
  { table: 'attachments', userColumns: ['uploaded_by'], omit: ['search', 'stored_name'], erase: 'custom' },
  { table: 'post_reactions', userColumns: ['user_id'], erase: 'keep', reason: 'counts stay right; the row names only the anonymised account' },
  { table: 'thread_concerns', userColumns: ['user_id'], erase: 'custom' },
  { table: 'adoptions', userColumns: ['user_id'], erase: 'custom' },
  { table: 'thread_watches', userColumns: ['user_id'], erase: 'delete' },
  { table: 'forum_watches', userColumns: ['user_id'], erase: 'delete' },
  { table: 'thread_reads', userColumns: ['user_id'], erase: 'delete' },
  { table: 'forum_visits', userColumns: ['user_id'], erase: 'delete' },
  {
    table: 'notifications',
    userColumns: ['user_id', 'actor_id'],
    erase: 'custom',
  },
  { table: 'reports', userColumns: ['reporter_id', 'resolved_by'], erase: 'custom' },
  { table: 'mail_settings', userColumns: ['user_id'], erase: 'delete' },
  { table: 'unsubscribe_tokens', userColumns: ['user_id'], omit: ['token_hash'], erase: 'delete' },
  { table: 'digest_deliveries', userColumns: ['user_id'], omit: ['message_id'], erase: 'delete' },
  {
    table: 'trend_watch_terms',
    userColumns: ['created_by'],
    erase: 'keep',
    reason: 'the term is the staff\'s shared work and stays watched; who added it is then the anonymised account',
  },
]

/**
 * Columns that point at users but are not exported, with the reason. The schema test accepts these.
 */
export const notExported: Record<string, string> = {
  'data_exports.user_id': 'the export itself',
  'data_exports.requested_by': 'the export itself',
}
