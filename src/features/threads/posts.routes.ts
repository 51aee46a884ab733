import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { badRequest, forbidden } from '../../lib/errors.ts'
import { type FieldErrors, keepValues, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { renderMarkdown } from '../../lib/markdown.ts'
import { type AttachmentView, attachmentsForPosts, uploadProblem } from '../attachments/attachments.service.ts'
import { audit } from '../audit/audit.queries.ts'
import { notifySolution } from '../notifications/notifications.service.ts'
import { mentionLinks } from '../people/people.links.ts'
import { canClearSolution, canDelete, canEdit, canMarkSolution, canRestore } from './threads.access.ts'
import { type BestPracticeParts, deletePost, restorePost, revisionsOf, setSolution, type ThreadRow } from './threads.queries.ts'
import { editOpeningSchema, editReplySchema, noFieldsSchema, parseId, tickedRemovals } from './threads.schemas.ts'
import { bestPracticeParts, saveEdit, visiblePost, visibleThread } from './threads.service.ts'
import { postUrl, previewOf } from './threads.view.ts'

const signedIn = { access: 'signed-in' } as const
const staffOnly = { access: ['staff', 'admin'] } as const

type Loaded = Awaited<ReturnType<typeof visiblePost>>
type FormState = { values: Record<string, string>; errors?: FieldErrors; preview?: boolean; removeIds?: number[] }

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

export default async function postsRoutes(app: FastifyInstance, { db, clock, config }: AppDeps) {
  /** A permalink: the page of the thread that holds the post, and its anchor. */
  app.get('/posts/:id', { config: signedIn }, async (request, reply) => {
    const { post, thread } = await visiblePost(db, request.user!, parseId(request.params))
    return reply.redirect(postUrl(thread.id, post.position, post.id), 303)
  })

  async function renderEdit(
    request: FastifyRequest,
    reply: FastifyReply,
    loaded: Loaded,
    attached: AttachmentView[],
    state: FormState,
    status = 200,
  ) {
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
        attachments: attached.map((a) => ({ ...a, remove: state.removeIds?.includes(a.id) ?? false })),
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

  async function attachmentsOf(postId: number): Promise<AttachmentView[]> {
    return (await attachmentsForPosts(db, [postId])).get(postId) ?? []
  }

  app.get('/posts/:id/edit', { config: signedIn }, async (request, reply) => {
    const loaded = await editable(request)
    return renderEdit(request, reply, loaded, await attachmentsOf(loaded.post.id), { values: currentValues(loaded.post, loaded.thread) })
  })

  app.post('/posts/:id/edit', { config: signedIn }, async (request, reply) => {
    const loaded = await editable(request)
    const { post, thread } = loaded
    const raw = (request.body ?? {}) as Record<string, unknown>
    const attached = await attachmentsOf(post.id)
    // The preview and a form with errors keep the "entfernen" boxes as they were ticked.
    const tickedIds = tickedRemovals(raw)
    if (raw.action === 'preview') {
      return renderEdit(request, reply, loaded, attached, { values: keepValues(raw), removeIds: tickedIds, preview: true })
    }
    let form
    let threadChange: { title: string; bestPractice: BestPracticeParts | null } | undefined
    if (post.position === 1) {
      const opening = parseForm(editOpeningSchema(thread.kind), raw)
      if (!opening.ok) return renderEdit(request, reply, loaded, attached, { values: opening.values, removeIds: tickedIds, errors: opening.errors }, 422)
      form = opening.data
      threadChange = { title: opening.data.title, bestPractice: bestPracticeParts(thread.kind, opening.data) }
    } else {
      const edited = parseForm(editReplySchema, raw)
      if (!edited.ok) return renderEdit(request, reply, loaded, attached, { values: edited.values, removeIds: tickedIds, errors: edited.errors }, 422)
      form = edited.data
    }
    const removeIds = form.remove.filter((id) => attached.some((a) => a.id === id))
    const problem = uploadProblem(form.files, attached.length - removeIds.length)
    if (problem) return renderEdit(request, reply, loaded, attached, { values: keepValues(raw), removeIds, errors: { files: problem } }, 422)
    await saveEdit(db, config.dataDir, {
      post,
      editor: request.user!,
      body: form.body,
      thread: threadChange,
      removeIds,
      files: form.files,
      now: clock.now(),
    })
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
