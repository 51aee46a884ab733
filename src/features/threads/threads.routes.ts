import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { forbidden, notFound } from '../../lib/errors.ts'
import { type FieldErrors, keepValues, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { uploadProblem } from '../attachments/attachments.service.ts'
import { findForumBySlug } from '../forums/forums.queries.ts'
import { findSimilarThreads } from '../search/search.queries.ts'
import { markThreadRead } from '../notifications/notifications.service.ts'
import { mentionLinks } from '../people/people.links.ts'
import { canReply } from './threads.access.ts'
import { displayedPost, POSTS_PER_PAGE } from './threads.queries.ts'
import { newThreadQuery, newThreadSchema, parseId, replyPageQuery, replySchema, threadPageQuery } from './threads.schemas.ts'
import { bestPracticeParts, publishReply, publishThread, visibleThread, visibleThreadPage } from './threads.service.ts'
import { threadKinds } from './threads.table.ts'
import { forumName, mentionSources, pageOfPosition, postUrl, postViews, previewOf, quoteOf, threadHeader } from './threads.view.ts'

const signedIn = { access: 'signed-in' } as const

type Forum = NonNullable<Awaited<ReturnType<typeof findForumBySlug>>>
type FormState = { values?: Record<string, string>; errors?: FieldErrors; preview?: boolean }

function wantsPreview(body: unknown): boolean {
  return !!body && typeof body === 'object' && (body as Record<string, unknown>).action === 'preview'
}

export default async function threadsRoutes(app: FastifyInstance, { db, clock, config }: AppDeps) {
  async function forumOr404(slug: string): Promise<Forum> {
    const forum = await findForumBySlug(db, slug)
    if (!forum) throw notFound()
    return forum
  }

  async function renderNew(request: FastifyRequest, reply: FastifyReply, forum: Forum, state: FormState, status = 200) {
    const locale = request.locale
    const values = state.values ?? {}
    const name = locale === 'en' ? forum.name_en : forum.name_de
    return reply.page(
      'threads/new.hbs',
      {
        title: t(locale, 'threads.new.title', { forum: name }),
        forum: { slug: forum.slug, name },
        values,
        errors: state.errors,
        kindOptions: threadKinds.map((k) => ({ value: k, label: t(locale, `threads.kind.${k}`) })),
        preview: state.preview ? await previewOf(db, values, values.kind === 'best_practice', locale) : undefined,
        // Without JavaScript, the preview is where the asker sees that the question may have been answered.
        similar: state.preview && values.title ? await findSimilarThreads(db, values.title, { limit: 5 }) : [],
      },
      status,
    )
  }

  app.get<{ Params: { slug: string } }>('/forums/:slug/new', { config: signedIn }, async (request, reply) => {
    const forum = await forumOr404(request.params.slug)
    const { kind } = newThreadQuery.parse(request.query)
    return renderNew(request, reply, forum, { values: { kind: kind ?? 'question' } })
  })

  app.post<{ Params: { slug: string } }>('/forums/:slug/new', { config: signedIn }, async (request, reply) => {
    const forum = await forumOr404(request.params.slug)
    if (wantsPreview(request.body)) {
      return renderNew(request, reply, forum, { values: keepValues(request.body as Record<string, unknown>), preview: true })
    }
    const form = parseForm(newThreadSchema, request.body)
    if (!form.ok) return renderNew(request, reply, forum, { values: form.values, errors: form.errors }, 422)
    const input = form.data
    const problem = uploadProblem(input.files)
    if (problem) {
      return renderNew(request, reply, forum, { values: keepValues(request.body as Record<string, unknown>), errors: { files: problem } }, 422)
    }
    const user = request.user!
    const { threadId } = await publishThread(db, config.dataDir, {
      forumId: forum.id,
      author: user,
      kind: input.kind,
      title: input.title,
      body: input.body,
      bestPractice: bestPracticeParts(input.kind, input),
      files: input.files,
      now: clock.now(),
    })
    reply.flash('threads.created')
    return reply.redirect(`/threads/${threadId}`, 303)
  })

  app.get('/threads/:id', { config: signedIn }, async (request, reply) => {
    const user = request.user!
    const threadId = parseId(request.params)
    const query = threadPageQuery.safeParse(request.query)
    if (!query.success) throw notFound()
    const { page } = query.data
    const from = (page - 1) * POSTS_PER_PAGE + 1
    const found = await visibleThreadPage(db, user, { threadId, from, to: from + POSTS_PER_PAGE - 1, viewerId: user.id })
    const { thread, viewer } = found
    const pages = pageOfPosition(thread.last_position)
    if (page > pages) throw notFound()
    const links = await mentionLinks(db, mentionSources(user, found))
    const posts = postViews(user, found, links, request.locale)
    const highest = posts.at(-1)?.position
    if (highest) await markThreadRead(db, { userId: user.id, threadId: thread.id, position: highest, now: clock.now() }, viewer)
    // Reading the thread may have read some of the header's notifications: count them again.
    if (viewer.unreadNotifications) request.unreadNotifications = undefined
    return reply.page('threads/show.hbs', {
      title: page > 1 ? `${thread.title} – ${t(request.locale, 'threads.pageOf', { page, pages })}` : thread.title,
      thread: threadHeader(user, found, links, request.locale),
      posts,
      page,
      pages,
      pagination: pages > 1
        ? Array.from({ length: pages }, (_, i) => ({
            page: i + 1,
            url: i === 0 ? `/threads/${thread.id}` : `/threads/${thread.id}?page=${i + 1}`,
            current: i + 1 === page,
          }))
        : [],
      values: {},
    })
  })

  async function renderReply(request: FastifyRequest, reply: FastifyReply, threadId: number, state: FormState, status = 200) {
    const user = request.user!
    const thread = await visibleThread(db, user, threadId)
    if (!canReply(user, thread)) throw forbidden('threads.lockedRefused')
    const values = state.values ?? {}
    return reply.page(
      'threads/reply.hbs',
      {
        title: t(request.locale, 'threads.reply.title', { title: thread.title }),
        thread: { id: thread.id, title: thread.title, forumSlug: thread.forum_slug, forumName: forumName(thread, request.locale) },
        values,
        errors: state.errors,
        preview: state.preview ? await previewOf(db, values, false, request.locale) : undefined,
      },
      status,
    )
  }

  app.get('/threads/:id/reply', { config: signedIn }, async (request, reply) => {
    const threadId = parseId(request.params)
    const { quote } = replyPageQuery.parse(request.query)
    let body = ''
    if (quote) {
      const quoted = await displayedPost(db, quote)
      const visible = quoted && quoted.thread_id === threadId && !quoted.deleted_at && !quoted.hidden_at
      if (visible) body = quoteOf(quoted, request.locale)
    }
    return renderReply(request, reply, threadId, { values: { body } })
  })

  app.post('/threads/:id/replies', { config: signedIn }, async (request, reply) => {
    const user = request.user!
    const threadId = parseId(request.params)
    const thread = await visibleThread(db, user, threadId)
    if (!canReply(user, thread)) throw forbidden('threads.lockedRefused')
    const raw = request.body as Record<string, unknown>
    if (wantsPreview(raw)) return renderReply(request, reply, threadId, { values: keepValues(raw), preview: true })
    const form = parseForm(replySchema, raw)
    if (!form.ok) return renderReply(request, reply, threadId, { values: form.values, errors: form.errors }, 422)
    const problem = uploadProblem(form.data.files)
    if (problem) return renderReply(request, reply, threadId, { values: keepValues(raw), errors: { files: problem } }, 422)
    const created = await publishReply(db, config.dataDir, {
      threadId,
      author: user,
      body: form.data.body,
      files: form.data.files,
      now: clock.now(),
    })
    reply.flash('threads.replied')
    return reply.redirect(postUrl(threadId, created.position, created.postId), 303)
  })
}
