import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { parseButtonForm, parseId } from '../users/users.schemas.ts'
import { canModerate, MODERATORS } from './moderation.access.ts'
import {
  findPostForModeration,
  findThreadForModeration,
  hasOpenReport,
  insertReport,
  listForumChoices,
  listOpenReports,
} from './moderation.queries.ts'
import { moveSchema, REASON_MAX, reasonSchema } from './moderation.schemas.ts'
import { dismissReport, hidePost, hideReportedPost, lockThread, moveThread, type Outcome, pinThread, unhidePost } from './moderation.service.ts'

const moderators = { access: MODERATORS } as const
const signedIn = { access: 'signed-in' } as const
const QUEUE_SIZE = 100
const EXCERPT_LENGTH = 300

type FormState = { errors?: FieldErrors; values?: Record<string, string> }

export default async function moderationRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  // ---- Threads: pin, lock, move ----
  const threadActions = [
    ['pin', (actorId: number, threadId: number) => pinThread(db, { actorId, threadId, pinned: true, now: clock.now() })],
    ['unpin', (actorId: number, threadId: number) => pinThread(db, { actorId, threadId, pinned: false, now: clock.now() })],
    ['lock', (actorId: number, threadId: number) => lockThread(db, { actorId, threadId, locked: true, now: clock.now() })],
    ['unlock', (actorId: number, threadId: number) => lockThread(db, { actorId, threadId, locked: false, now: clock.now() })],
  ] as const
  for (const [name, act] of threadActions) {
    app.post(`/threads/:id/${name}`, { config: moderators }, async (request, reply) => {
      const threadId = parseButtonForm(request.params, request.body)
      const outcome = await act(request.user!.id, threadId)
      return answer(reply, outcome, `moderation.flash.${name}`, `/threads/${threadId}`)
    })
  }

  app.get('/threads/:id/move', { config: moderators }, async (request, reply) => renderMove(request, reply, parseId(request.params)))

  app.post('/threads/:id/move', { config: moderators }, async (request, reply) => {
    const threadId = parseId(request.params)
    const form = parseForm(moveSchema, request.body)
    if (!form.ok) return renderMove(request, reply, threadId, { errors: form.errors, values: form.values }, 422)
    const outcome = await moveThread(db, { actorId: request.user!.id, threadId, forumSlug: form.data.forum, now: clock.now() })
    if (outcome === 'unknownForum') {
      return renderMove(request, reply, threadId, { errors: { forum: 'moderation.forumRequired' }, values: { forum: form.data.forum } }, 422)
    }
    return answer(reply, outcome, 'moderation.flash.move', `/threads/${threadId}`)
  })

  async function renderMove(request: FastifyRequest, reply: FastifyReply, threadId: number, state: FormState = {}, status = 200) {
    const thread = await findThreadForModeration(db, threadId)
    if (!thread) throw notFound()
    const en = request.locale === 'en'
    const forums = await listForumChoices(db)
    return reply.page(
      'moderation/move.hbs',
      {
        title: t(request.locale, 'moderation.move.title'),
        thread,
        forumOptions: forums.map((f) => ({ value: f.slug, label: en ? f.name_en : f.name_de })),
        forum: state.values?.forum ?? thread.forum_slug,
        errors: state.errors,
        currentPath: `/threads/${threadId}/move`,
      },
      status,
    )
  }

  // ---- Posts: hide with a reason, show again ----
  app.get('/posts/:id/hide', { config: moderators }, async (request, reply) => renderHide(request, reply, parseId(request.params)))

  app.post('/posts/:id/hide', { config: moderators }, async (request, reply) => {
    const postId = parseId(request.params)
    const form = parseForm(reasonSchema, request.body)
    if (!form.ok) return renderHide(request, reply, postId, { errors: form.errors, values: form.values }, 422)
    const outcome = await hidePost(db, { actorId: request.user!.id, postId, reason: form.data.reason, now: clock.now() })
    return answer(reply, outcome, 'moderation.flash.hide', `/posts/${postId}`)
  })

  app.post('/posts/:id/unhide', { config: moderators }, async (request, reply) => {
    const postId = parseButtonForm(request.params, request.body)
    const outcome = await unhidePost(db, { actorId: request.user!.id, postId, now: clock.now() })
    return answer(reply, outcome, 'moderation.flash.unhide', `/posts/${postId}`)
  })

  async function renderHide(request: FastifyRequest, reply: FastifyReply, postId: number, state: FormState = {}, status = 200) {
    const post = await findPostForModeration(db, postId)
    if (!post) throw notFound()
    return reply.page(
      'moderation/hide.hbs',
      {
        title: t(request.locale, 'moderation.hide.title'),
        post: { ...post, excerpt: excerpt(post.body) },
        reasonMax: REASON_MAX,
        values: state.values ?? {},
        errors: state.errors,
        currentPath: `/posts/${postId}/hide`,
      },
      status,
    )
  }

  // ---- Reports: "melden" for everyone, the queue for staff ----
  app.get('/posts/:id/report', { config: signedIn }, async (request, reply) => renderReport(request, reply, parseId(request.params)))

  app.post('/posts/:id/report', { config: signedIn }, async (request, reply) => {
    const postId = parseId(request.params)
    const form = parseForm(reasonSchema, request.body)
    if (!form.ok) return renderReport(request, reply, postId, { errors: form.errors, values: form.values }, 422)
    await reportablePost(request, postId)
    const filed = await insertReport(db, { postId, reporterId: request.user!.id, reason: form.data.reason, now: clock.now() })
    reply.flash(filed ? 'moderation.flash.reported' : 'moderation.flash.alreadyReported')
    return reply.redirect(`/posts/${postId}`, 303)
  })

  /** A post one may report: not deleted, and not hidden unless one could see it hidden (staff). */
  async function reportablePost(request: FastifyRequest, postId: number) {
    const post = await findPostForModeration(db, postId)
    if (!post || (post.hidden_at && !canModerate(request.user))) throw notFound()
    return post
  }

  async function renderReport(request: FastifyRequest, reply: FastifyReply, postId: number, state: FormState = {}, status = 200) {
    const post = await reportablePost(request, postId)
    return reply.page(
      'moderation/report.hbs',
      {
        title: t(request.locale, 'moderation.report.title'),
        post: { ...post, excerpt: excerpt(post.body) },
        alreadyReported: await hasOpenReport(db, postId, request.user!.id),
        reasonMax: REASON_MAX,
        values: state.values ?? {},
        errors: state.errors,
        currentPath: `/posts/${postId}/report`,
      },
      status,
    )
  }

  app.get('/moderation/reports', { config: moderators }, async (request, reply) => {
    const reports = await listOpenReports(db, QUEUE_SIZE)
    return reply.page('moderation/reports.hbs', {
      title: t(request.locale, 'moderation.reports.title'),
      reports: reports.map((r) => ({ ...r, excerpt: excerpt(r.body) })),
    })
  })

  app.post('/moderation/reports/:id/hide', { config: moderators }, async (request, reply) => {
    const reportId = parseButtonForm(request.params, request.body)
    const outcome = await hideReportedPost(db, { actorId: request.user!.id, reportId, now: clock.now() })
    return answer(reply, handledElsewhere(outcome), 'moderation.flash.hide', '/moderation/reports')
  })

  app.post('/moderation/reports/:id/dismiss', { config: moderators }, async (request, reply) => {
    const reportId = parseButtonForm(request.params, request.body)
    const outcome = await dismissReport(db, { actorId: request.user!.id, reportId, now: clock.now() })
    return answer(reply, handledElsewhere(outcome), 'moderation.flash.dismiss', '/moderation/reports')
  })

  function answer(reply: FastifyReply, outcome: Outcome, doneFlash: string, target: string) {
    if (outcome === 'notFound') throw notFound()
    reply.flash(outcome === 'done' ? doneFlash : 'moderation.flash.unchanged')
    return reply.redirect(target, 303)
  }
}

/** In the queue, a report another moderator resolved a moment ago is simply done: back to the queue. */
const handledElsewhere = (outcome: Outcome): Outcome => (outcome === 'notFound' ? 'unchanged' : outcome)

/** The start of a post's Markdown as plain text: enough to recognise it, printed escaped. */
function excerpt(markdown: string): string {
  const text = markdown.replace(/\s+/g, ' ').trim()
  return text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH - 1)}…` : text
}
