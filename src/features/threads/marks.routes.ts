import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { badRequest, forbidden } from '../../lib/errors.ts'
import { parseForm } from '../../lib/forms.ts'
import { notifyAdoption } from '../notifications/notifications.service.ts'
import { canAdopt, canConcern, canMarkHelpful } from './threads.access.ts'
import { setHelpful, setMunicipalityMark } from './threads.queries.ts'
import { parseId, toggleSchema } from './threads.schemas.ts'
import { visiblePost, visibleThread } from './threads.service.ts'
import { postUrl } from './threads.view.ts'

const signedIn = { access: 'signed-in' } as const

/** A toggle form says which state it wants (set=1 or set=0), so submitting it twice changes nothing more. */
function wanted(body: unknown): boolean {
  const form = parseForm(toggleSchema, body)
  if (!form.ok) throw badRequest('form.unknownField')
  return form.data.set === '1'
}

/** Reactions: "hilfreich" per person and post, "betrifft uns auch" and "übernommen" per municipality and thread. */
export default async function marksRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.post('/posts/:id/helpful', { config: signedIn }, async (request, reply) => {
    const on = wanted(request.body)
    const user = request.user!
    const { post, thread } = await visiblePost(db, user, parseId(request.params))
    if (!canMarkHelpful(user, post)) throw forbidden('threads.notAllowed')
    await setHelpful(db, { postId: post.id, userId: user.id, on, now: clock.now() })
    return reply.redirect(postUrl(thread.id, post.position, post.id), 303)
  })

  app.post('/threads/:id/concern', { config: signedIn }, async (request, reply) => {
    const on = wanted(request.body)
    const user = request.user!
    const thread = await visibleThread(db, user, parseId(request.params))
    if (!canConcern(user, thread)) throw forbidden('threads.notAllowed')
    await setMunicipalityMark(db, 'thread_concerns', {
      threadId: thread.id,
      municipalityId: user.municipality_id!,
      userId: user.id,
      on,
      now: clock.now(),
    })
    return reply.redirect(`/threads/${thread.id}#concerns`, 303)
  })

  app.post('/threads/:id/adopt', { config: signedIn }, async (request, reply) => {
    const on = wanted(request.body)
    const user = request.user!
    const thread = await visibleThread(db, user, parseId(request.params))
    if (!canAdopt(user, thread)) throw forbidden('threads.notAllowed')
    const now = clock.now()
    await db.transaction().execute(async (trx) => {
      const changed = await setMunicipalityMark(trx, 'adoptions', {
        threadId: thread.id,
        municipalityId: user.municipality_id!,
        userId: user.id,
        on,
        now,
      })
      if (changed && on) await notifyAdoption(trx, { threadId: thread.id, actorId: user.id, now })
    })
    return reply.redirect(`/threads/${thread.id}#adoptions`, 303)
  })
}
