import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Transaction } from 'kysely'
import type { AppDeps } from '../../app.ts'
import type { Database } from '../../db/database.ts'
import { badRequest, forbidden } from '../../lib/errors.ts'
import { type FieldErrors, keepValues, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { renderMarkdown } from '../../lib/markdown.ts'
import { audit } from '../audit/audit.queries.ts'
import { notifySolution } from '../notifications/notifications.service.ts'
import { mentionLinks } from '../people/people.links.ts'
import { canClearSolution, canDelete, canEdit, canMarkSolution, canRestore } from './threads.access.ts'
import { deletePost, editPost, restorePost, revisionsOf, setSolution, type ThreadRow } from './threads.queries.ts'
import { editOpeningSchema, editReplySchema, noFieldsSchema, parseId } from './threads.schemas.ts'
import { bestPracticeParts, visiblePost, visibleThread } from './threads.service.ts'
import { postUrl, previewOf } from './threads.view.ts'

const signedIn = { access: 'signed-in' } as const
const staffOnly = { access: ['staff', 'admin'] } as const

type Loaded = Awaited<ReturnType<typeof visiblePost>>
type FormState = { values: Record<string, string>; errors?: FieldErrors; preview?: boolean }

/** Button-only forms carry nothing but the CSRF token. */
function requireNoFields(body: unknown) {
  if (!parseForm(noFieldsSchema, body).ok) throw badRequest('form.unknownField')
}

function currentValues(post: Loaded['post'], thread: ThreadRow): Record<string, string> {
  if (post.position !== 1) return { body: post.body }
  return {
    title: thread.title,
    body: post.body,
    bp_situation: thread.bp_situation ?? '',
    bp_approach: thread.bp_approach ?? '',
    bp_effort: thread.bp_effort ?? '',
    bp_contact: thread.bp_contact ?? '',
  }
}

export default async function postsRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  /** A permalink: the page of the thread that holds the post, and its anchor. */
  app.get('/posts/:id', { config: signedIn }, async (request, reply) => {
    const { post, thread } = await visiblePost(db, request.user!, parseId(request.params))
    return reply.redirect(postUrl(thread.id, post.position, post.id), 303)
  })

  async function renderEdit(request: FastifyRequest, reply: FastifyReply, loaded: Loaded, state: FormState, status = 200) {
    const { post, thread } = loaded
    const locale = request.locale
    const isOpening = post.position === 1
    const isBestPractice = isOpening && thread.kind === 'best_practice'
    return reply.page(
      'threads/edit.hbs',
      {
        title: t(locale, 'threads.edit.title'),
        post: { id: post.id, position: post.position, url: postUrl(thread.id, post.position, post.id) },
        thread: { id: thread.id, title: thread.title },
        isOpening,
        isBestPractice,
        values: state.values,
        errors: state.errors,
        preview: state.preview ? await previewOf(db, state.values, isBestPractice, locale) : undefined,
      },
      status,
    )
  }

  async function editable(request: FastifyRequest): Promise<Loaded> {
    const loaded = await visiblePost(db, request.user!, parseId(request.params))
    if (!canEdit(request.user!, loaded.post, loaded.thread)) throw forbidden('threads.notAllowed')
    return loaded
  }

  /** Staff changing someone else's words is a moderation action: it goes into the audit log. */
  async function auditModeratorEdit(trx: Transaction<Database>, actorId: number, post: Loaded['post']) {
    if (post.author_id === actorId) return
    await audit(trx, { actorId, action: 'post.edited', targetType: 'post', targetId: post.id, details: { thread_id: post.thread_id }, now: clock.now() })
  }

  app.get('/posts/:id/edit', { config: signedIn }, async (request, reply) => {
    const loaded = await editable(request)
    return renderEdit(request, reply, loaded, { values: currentValues(loaded.post, loaded.thread) })
  })

  app.post('/posts/:id/edit', { config: signedIn }, async (request, reply) => {
    const loaded = await editable(request)
    const { post, thread } = loaded
    const raw = request.body as Record<string, unknown> | undefined
    if (raw?.action === 'preview') return renderEdit(request, reply, loaded, { values: keepValues(raw), preview: true })
    const isOpening = post.position === 1
    if (!isOpening) {
      const form = parseForm(editReplySchema, raw)
      if (!form.ok) return renderEdit(request, reply, loaded, { values: form.values, errors: form.errors }, 422)
      await db.transaction().execute(async (trx) => {
        await editPost(trx, { postId: post.id, threadId: thread.id, editorId: request.user!.id, body: form.data.body, now: clock.now() })
        await auditModeratorEdit(trx, request.user!.id, post)
      })
    } else {
      const form = parseForm(editOpeningSchema(thread.kind), raw)
      if (!form.ok) return renderEdit(request, reply, loaded, { values: form.values, errors: form.errors }, 422)
      await db.transaction().execute(async (trx) => {
        await editPost(trx, {
          postId: post.id,
          threadId: thread.id,
          editorId: request.user!.id,
          body: form.data.body,
          now: clock.now(),
          thread: { title: form.data.title, bestPractice: bestPracticeParts(thread.kind, form.data) },
        })
        await auditModeratorEdit(trx, request.user!.id, post)
      })
    }
    reply.flash('threads.saved')
    return reply.redirect(postUrl(thread.id, post.position, post.id), 303)
  })

  app.get('/posts/:id/history', { config: staffOnly }, async (request, reply) => {
    const { post, thread } = await visiblePost(db, request.user!, parseId(request.params))
    const revisions = await revisionsOf(db, post.id)
    const links = await mentionLinks(db, [post.body, ...revisions.map((r) => r.body)])
    return reply.page('threads/history.hbs', {
      title: t(request.locale, 'threads.history.title', { position: post.position }),
      post: { id: post.id, position: post.position, url: postUrl(thread.id, post.position, post.id), html: renderMarkdown(post.body, links) },
      thread: { id: thread.id, title: thread.title },
      revisions: revisions.map((r) => ({
        ...r,
        editor_name: r.editor_name ?? t(request.locale, 'threads.formerMember'),
        html: renderMarkdown(r.body, links),
      })),
    })
  })

  app.post('/posts/:id/delete', { config: signedIn }, async (request, reply) => {
    requireNoFields(request.body)
    const { post, thread } = await visiblePost(db, request.user!, parseId(request.params))
    if (!canDelete(request.user!, post)) throw forbidden('threads.notAllowed')
    const now = clock.now()
    await db.transaction().execute(async (trx) => {
      await deletePost(trx, { postId: post.id, threadId: thread.id, position: post.position, actorId: request.user!.id, now })
      // Staff removing someone else's text is a moderation action: it goes into the audit log.
      if (post.author_id !== request.user!.id) {
        await audit(trx, { actorId: request.user!.id, action: 'post.deleted', targetType: 'post', targetId: post.id, now })
      }
    })
    if (post.position === 1) {
      reply.flash('threads.threadDeletedFlash')
      return reply.redirect(`/forums/${thread.forum_slug}`, 303)
    }
    reply.flash('threads.deletedFlash')
    return reply.redirect(postUrl(thread.id, post.position, post.id), 303)
  })

  app.post('/posts/:id/restore', { config: staffOnly }, async (request, reply) => {
    requireNoFields(request.body)
    const { post, thread } = await visiblePost(db, request.user!, parseId(request.params))
    if (!canRestore(request.user!, post)) throw forbidden('threads.notAllowed')
    await db.transaction().execute(async (trx) => {
      await restorePost(trx, { postId: post.id, threadId: thread.id, position: post.position })
      await audit(trx, { actorId: request.user!.id, action: 'post.restored', targetType: 'post', targetId: post.id, now: clock.now() })
    })
    reply.flash('threads.restoredFlash')
    return reply.redirect(postUrl(thread.id, post.position, post.id), 303)
  })

  app.post('/posts/:id/solution', { config: signedIn }, async (request, reply) => {
    requireNoFields(request.body)
    const user = request.user!
    const { post, thread } = await visiblePost(db, user, parseId(request.params))
    if (!canMarkSolution(user, thread, post)) throw forbidden('threads.notAllowed')
    const now = clock.now()
    await db.transaction().execute(async (trx) => {
      await setSolution(trx, thread.id, post.id)
      await notifySolution(trx, { threadId: thread.id, postId: post.id, actorId: user.id, now })
    })
    reply.flash('threads.solutionFlash')
    return reply.redirect(`/threads/${thread.id}`, 303)
  })

  app.post('/threads/:id/solution/clear', { config: signedIn }, async (request, reply) => {
    requireNoFields(request.body)
    const thread = await visibleThread(db, request.user!, parseId(request.params))
    if (!canClearSolution(request.user!, thread)) throw forbidden('threads.notAllowed')
    await setSolution(db, thread.id, null)
    reply.flash('threads.solutionClearedFlash')
    return reply.redirect(`/threads/${thread.id}`, 303)
  })
}
