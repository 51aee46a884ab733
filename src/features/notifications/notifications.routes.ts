import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { badRequest, notFound } from '../../lib/errors.ts'
import { parseForm } from '../../lib/forms.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { parseId } from '../users/users.schemas.ts'
import {
  findForumBySlug,
  findThreadForWatching,
  listNotifications,
  markAllNotificationsRead,
  setForumWatch,
  setThreadWatch,
} from './notifications.queries.ts'
import { noFieldsSchema, notificationListQuery, parseSlug, parseWatchForm } from './notifications.schemas.ts'

const signedIn = { access: 'signed-in' } as const
const PAGE_SIZE = 30

export default async function notificationsRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.post('/threads/:id/watch', { config: signedIn }, async (request, reply) => {
    const threadId = parseId(request.params)
    const level = parseWatchForm(request.body)
    if (!(await findThreadForWatching(db, threadId))) throw notFound()
    await setThreadWatch(db, { userId: request.user!.id, threadId, level, now: clock.now() })
    reply.flash(`notifications.flash.thread.${level}`)
    return reply.redirect(`/threads/${threadId}`, 303)
  })

  app.post('/forums/:slug/watch', { config: signedIn }, async (request, reply) => {
    const slug = parseSlug(request.params)
    const level = parseWatchForm(request.body)
    const forum = await findForumBySlug(db, slug)
    if (!forum) throw notFound()
    await setForumWatch(db, { userId: request.user!.id, forumId: forum.id, level, now: clock.now() })
    reply.flash(`notifications.flash.forum.${level}`)
    return reply.redirect(`/forums/${forum.slug}`, 303)
  })

  app.get('/notifications', { config: signedIn }, async (request, reply) => {
    const locale = request.locale
    const { before } = notificationListQuery.parse(request.query)
    const rows = await listNotifications(db, request.user!.id, { before, limit: PAGE_SIZE + 1 })
    const page = rows.slice(0, PAGE_SIZE)
    const last = page.at(-1)
    return reply.page('notifications/index.hbs', {
      title: t(locale, 'notifications.title'),
      notifications: page.map((n) => present(n, request.user!.id, locale)),
      hasUnread: page.some((n) => n.read_at === null),
      isFirstPage: before === undefined,
      olderUrl: rows.length > PAGE_SIZE && last ? `/notifications?before=${last.id}` : undefined,
    })
  })

  app.post('/notifications/read-all', { config: signedIn }, async (request, reply) => {
    if (!parseForm(noFieldsSchema, request.body).ok) throw badRequest('form.unknownField')
    await markAllNotificationsRead(db, request.user!.id, clock.now())
    reply.flash('notifications.flash.allRead')
    return reply.redirect('/notifications', 303)
  })
}

type Row = Awaited<ReturnType<typeof listNotifications>>[number]

/** The sentence a notification reads as, and where it leads (on the page and in mails, see features/mail). */
export function present(n: Row, viewerId: number, locale: Locale) {
  const key =
    n.kind === 'reply'
      ? n.post_position === 1
        ? 'notifications.kind.newThread'
        : 'notifications.kind.reply'
      : n.kind === 'solution'
        ? n.thread_author_id === viewerId
          ? 'notifications.kind.solutionOnYourQuestion'
          : 'notifications.kind.yourAnswerIsSolution'
        : `notifications.kind.${n.kind}`
  return {
    id: n.id,
    key,
    actor: n.kind === 'adopted' && n.actor_municipality_name ? n.actor_municipality_name : (n.actor_name ?? t(locale, 'notifications.someone')),
    thread: n.thread_title,
    forum: locale === 'en' ? n.forum_name_en : n.forum_name_de,
    url: n.post_id ? `/posts/${n.post_id}` : `/threads/${n.thread_id}`,
    created_at: n.created_at,
    unread: n.read_at === null,
  }
}
