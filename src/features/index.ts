import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app.ts'
import adminRoutes from './admin/admin.routes.ts'
import attachmentsRoutes from './attachments/attachments.routes.ts'
import auditRoutes from './audit/audit.routes.ts'
import accountRoutes from './auth/account.routes.ts'
import authRoutes from './auth/auth.routes.ts'
import passwordResetRoutes from './auth/password-reset.routes.ts'
import twoFactorRoutes from './auth/two-factor.routes.ts'
import forumsRoutes from './forums/forums.routes.ts'
import healthRoutes from './health/health.routes.ts'
import acceptInvitationRoutes from './invitations/accept.routes.ts'
import invitationsRoutes from './invitations/invitations.routes.ts'
import mailAdminRoutes from './mail/mail-admin.routes.ts'
import mailSettingsRoutes from './mail/settings.routes.ts'
import unsubscribeRoutes from './mail/unsubscribe.routes.ts'
import moderationRoutes from './moderation/moderation.routes.ts'
import municipalitiesRoutes from './municipalities/municipalities.routes.ts'
import notificationsRoutes from './notifications/notifications.routes.ts'
import outboxRoutes from './outbox/outbox.routes.ts'
import pagesRoutes from './pages/pages.routes.ts'
import peopleRoutes from './people/people.routes.ts'
import privacyRoutes from './privacy/privacy.routes.ts'
import searchRoutes from './search/search.routes.ts'
import setupRoutes from './setup/setup.routes.ts'
import marksRoutes from './threads/marks.routes.ts'
import postsRoutes from './threads/posts.routes.ts'
import threadsRoutes from './threads/threads.routes.ts'
import colleaguesRoutes from './users/colleagues.routes.ts'
import usersRoutes from './users/users.routes.ts'
import trendsRoutes from './trends/trends.routes.ts'
import watchlistRoutes from './trends/watchlist.routes.ts'

/** Every feature's routes. Each route declares its access (config.access); see plugins/auth.ts. */
export const features: ((app: FastifyInstance, deps: AppDeps) => Promise<void>)[] = [
  healthRoutes,
  authRoutes,
  passwordResetRoutes,
  twoFactorRoutes,
  accountRoutes,
  forumsRoutes,
  threadsRoutes,
  postsRoutes,
  marksRoutes,
  invitationsRoutes,
  acceptInvitationRoutes,
  municipalitiesRoutes,
  usersRoutes,
  colleaguesRoutes,
  adminRoutes,
  auditRoutes,
  outboxRoutes,
  pagesRoutes,
  setupRoutes,
  attachmentsRoutes,
  searchRoutes,
  peopleRoutes,
  notificationsRoutes,
  moderationRoutes,
  mailSettingsRoutes,
  unsubscribeRoutes,
  mailAdminRoutes,
  privacyRoutes,
  trendsRoutes,
  watchlistRoutes,
]
