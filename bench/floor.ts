/**
 * The floor of `npm run bench`: what a page costs with nothing but its own work. A bare Fastify app
 * (no sessions, CSRF, helmet, rate limit, auth, logging, hooks) that registers the real route files of
 * the measured pages, so each page runs the same handler, the same query functions and the same
 * Handlebars views, partials and Markdown rendering as in the app. The signed-in person is fixed at
 * start (a request names the role it measures in `x-bench-as`); the layout gets what `reply.page`
 * (src/plugins/view.ts) gives it, with a constant CSRF token. A page's ratio to its floor shows what the
 * cross-cutting machinery costs. Only for the bench: never listens anywhere but 127.0.0.1.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify'
import Handlebars from 'handlebars'
import type { AppDeps } from '../src/app.ts'
import { countUnreadNotifications } from '../src/features/notifications/notifications.queries.ts'
import forumsRoutes from '../src/features/forums/forums.routes.ts'
import searchRoutes from '../src/features/search/search.routes.ts'
import threadsRoutes from '../src/features/threads/threads.routes.ts'
import trendsRoutes from '../src/features/trends/trends.routes.ts'
import { type CurrentUser, findCurrentUser } from '../src/features/users/users.queries.ts'
import { registerHelpers } from '../src/lib/handlebars-helpers.ts'
import { resolveLocale } from '../src/lib/i18n.ts'
import { LAYOUT, registerCachedPartial, viewsDir } from '../src/plugins/view.ts'

/** The routes of the pages the bench measures; each brings its feature's other routes along, unused. */
const measuredRoutes = [forumsRoutes, threadsRoutes, searchRoutes, trendsRoutes]

export type FloorPeople = { memberId: number; staffId: number }

export async function buildFloorApp(deps: AppDeps, people: FloorPeople): Promise<FastifyInstance> {
  const member = await person(deps, people.memberId)
  const staff = await person(deps, people.staffId)
  const render = compileViews()
  const app = Fastify({ logger: false })

  app.decorateRequest('user', {
    getter(this: FastifyRequest) {
      return this.headers['x-bench-as'] === 'staff' ? staff : member
    },
  })
  app.decorateRequest('locale', {
    getter(this: FastifyRequest) {
      return resolveLocale(this.user?.locale, this.headers['accept-language'])
    },
  })
  // What reply.page gives every page (src/plugins/view.ts), without session, flash and CSRF secret.
  app.decorateReply('page', function page(this: FastifyReply, template: string, data: Record<string, unknown> = {}, status = 200) {
    const request = this.request
    const user = request.user!
    this.code(status)
    this.header('content-type', 'text/html; charset=utf-8')
    return countUnreadNotifications(deps.db, user.id).then((count) => {
      const context = {
        unreadNotifications: count > 99 ? '99+' : count,
        ...data,
        locale: request.locale,
        user,
        isAdmin: user.role === 'admin',
        isStaff: user.role === 'staff' || user.role === 'admin',
        canInvite: user.role === 'municipality_admin' || user.role === 'admin',
        csrfToken: 'floor',
        currentPath: typeof data.currentPath === 'string' ? data.currentPath : request.url,
        sessionIdleSeconds: Math.round(deps.config.sessionIdleMs / 1000),
      }
      return this.send(render(template, context))
    }) as unknown as FastifyReply
  })
  for (const routes of measuredRoutes) await app.register(routes, deps)
  return app
}

async function person(deps: AppDeps, id: number): Promise<CurrentUser> {
  const user = await findCurrentUser(deps.db, id)
  if (!user) throw new Error(`floor: no active user ${id}`)
  return user
}

/** The app's views compiled once, as @fastify/view does in production: the page, then the layout around it. */
function compileViews() {
  const handlebars = Handlebars.create()
  registerHelpers(handlebars)
  registerCachedPartial(handlebars, true)
  const compileOptions = { preventIndent: true }
  const partialsDir = join(viewsDir, 'partials')
  for (const file of readdirSync(partialsDir).filter((f) => f.endsWith('.hbs'))) {
    handlebars.registerPartial(basename(file, '.hbs'), handlebars.compile(readFileSync(join(partialsDir, file), 'utf8'), compileOptions))
  }
  const templates = new Map<string, Handlebars.TemplateDelegate>()
  const template = (path: string) => {
    let compiled = templates.get(path)
    if (!compiled) {
      compiled = handlebars.compile(readFileSync(join(viewsDir, path), 'utf8'), compileOptions)
      templates.set(path, compiled)
    }
    return compiled
  }
  return (path: string, data: Record<string, unknown>) => template(LAYOUT)({ ...data, body: new Handlebars.SafeString(template(path)(data)) })
}
