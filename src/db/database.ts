import type { AuditLogTable } from '../features/audit/audit.table.ts'
import type { LoginThrottleTable, PasswordResetsTable, RecoveryCodesTable } from '../features/auth/auth.table.ts'
import type { ScheduledJobsTable } from '../features/jobs/jobs.table.ts'
import type { ForumCountsTable, ForumsTable } from '../features/forums/forums.table.ts'
import type { DigestDeliveriesTable, MailSettingsTable, UnsubscribeTokensTable } from '../features/mail/mail.table.ts'
import type { InvitationsTable } from '../features/invitations/invitations.table.ts'
import type { MunicipalitiesTable } from '../features/municipalities/municipalities.table.ts'
import type { SitePagesTable } from '../features/pages/pages.table.ts'
import type { DataExportsTable } from '../features/privacy/privacy.table.ts'
import type { AppSettingsTable, RateLimitsTable, SessionsTable } from '../features/sessions/sessions.table.ts'
import type {
  AttachmentsTable,
  ForumVisitsTable,
  ForumWatchesTable,
  MunicipalityMarksTable,
  NotificationsTable,
  PostReactionsTable,
  PostRevisionsTable,
  PostsTable,
  ReportsTable,
  ThreadReadsTable,
  ThreadsTable,
  ThreadWatchesTable,
} from '../features/threads/threads.table.ts'
import type { UsersTable } from '../features/users/users.table.ts'
import type {
  ActivityDaysTable,
  TrendDirtyTable,
  TrendFormsTable,
  TrendIndexStateTable,
  TrendMunicipalityFormsTable,
  TrendSnapshotTable,
  TrendStemDaysTable,
  TrendSurfaceTable,
  TrendWatchAlertsTable,
  TrendWatchTermsTable,
} from '../features/trends/trends.table.ts'

export interface Database {
  municipalities: MunicipalitiesTable
  users: UsersTable
  recovery_codes: RecoveryCodesTable
  invitations: InvitationsTable
  password_resets: PasswordResetsTable
  sessions: SessionsTable
  audit_log: AuditLogTable
  login_throttle: LoginThrottleTable
  rate_limits: RateLimitsTable
  app_settings: AppSettingsTable
  forums: ForumsTable
  site_pages: SitePagesTable
  threads: ThreadsTable
  posts: PostsTable
  post_revisions: PostRevisionsTable
  attachments: AttachmentsTable
  post_reactions: PostReactionsTable
  thread_concerns: MunicipalityMarksTable
  adoptions: MunicipalityMarksTable
  thread_watches: ThreadWatchesTable
  forum_watches: ForumWatchesTable
  thread_reads: ThreadReadsTable
  forum_visits: ForumVisitsTable
  notifications: NotificationsTable
  reports: ReportsTable
  scheduled_jobs: ScheduledJobsTable
  forum_counts: ForumCountsTable
  mail_settings: MailSettingsTable
  unsubscribe_tokens: UnsubscribeTokensTable
  digest_deliveries: DigestDeliveriesTable
  data_exports: DataExportsTable
  trend_municipality_forms: TrendMunicipalityFormsTable
  trend_forms: TrendFormsTable
  trend_stem_days: TrendStemDaysTable
  trend_dirty: TrendDirtyTable
  trend_snapshot: TrendSnapshotTable
  trend_surface: TrendSurfaceTable
  trend_index_state: TrendIndexStateTable
  activity_days: ActivityDaysTable
  trend_watch_terms: TrendWatchTermsTable
  trend_watch_alerts: TrendWatchAlertsTable
}
