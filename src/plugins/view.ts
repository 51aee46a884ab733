import { readdirSync } from 'node:fs'
import { basename, join } from 'node:path'
import fastifyView from '@fastify/view'
import type { FastifyInstance, FastifyReply } from 'fastify'
import fp from 'fastify-plugin'
import Handlebars from 'handlebars'
import type { AppDeps } from '../app.ts'
import { CSRF_PLACEHOLDER, FragmentCache } from '../lib/fragments.ts'
import { registerHelpers } from '../lib/handlebars-helpers.ts'
import { t } from '../lib/i18n.ts'
import { viewsDir } from '../lib/paths.ts'
import { countUnreadNotifications } from '../features/notifications/notifications.queries.ts'

export { viewsDir }

/** Around every page (reply.page); the page goes into its `body`. */
export const LAYOUT = 'layouts/main.hbs'

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Renders a page inside the layout with what every page needs (user, locale, CSRF token, flash).
     * `data.formless`: the page has no form of its own (see the CSRF token below).
     */
    page(template: string, data?: Record<string, unknown>, status?: number): FastifyReply
    /** Sets a one-time status message shown on the next page. */
    flash(key: string, params?: Record<string, string | number>): void
  }
}

export const viewPlugin = fp(
  async function viewPlugin(app: FastifyInstance, deps: AppDeps) {
    const handlebars = Handlebars.create()
    registerHelpers(handlebars)
    registerCachedPartial(handlebars, deps.config.env !== 'development')
    const partialsDir = join(viewsDir, 'partials')
    const partials = Object.fromEntries(
      readdirSync(partialsDir)
        .filter((f) => f.endsWith('.hbs'))
        .map((f) => [basename(f, '.hbs'), `partials/${f}`]),
    )
    await app.register(fastifyView, {
      engine: { handlebars },
      root: viewsDir,
      // preventIndent: an indented partial call must not indent multi-line values (a textarea would change what it shows).
      options: { partials, compileOptions: { preventIndent: true } },
      // Without this @fastify/view recompiles every template on every request.
      production: deps.config.env !== 'development',
    })

    app.decorateReply('flash', function flash(key: string, params?: Record<string, string | number>) {
      if (this.request.session) this.request.session.flash = params ? { key, params } : key
    })

    app.decorateReply('page', function page(template: string, data: Record<string, unknown> = {}, status = 200) {
      const request = this.request
      const session = request.session
      const flash = session?.flash
      if (flash) session.flash = undefined
      const user = request.user
      this.code(status)
      this.header('content-type', 'text/html; charset=utf-8')
      // A page without a form of its own (the error page) starts no session for an anonymous visitor who
      // has none: the layout then leaves out its language form, whose CSRF secret would need one. Scanners
      // and floods (404, 429) would otherwise leave a session row behind with every request.
      const hasSecret = (session as { _csrf?: unknown } | undefined)?._csrf !== undefined
      const csrfToken = user || !data.formless || hasSecret ? this.generateCsrf() : undefined
      // The header's notification count, loaded with the session; counted here (one indexed COUNT) only
      // when the request changed it. It is a convenience: should it fail, the page still renders without it.
      const known = request.unreadNotifications
      const unread = !user || known !== undefined
        ? Promise.resolve(user ? known : undefined)
        : countUnreadNotifications(deps.db, user.id).catch((err: unknown) => {
            request.log.warn({ err }, 'unread notification count failed')
            return undefined
          })
      return unread.then(async (count) => {
        const context: Record<string, unknown> = {
          unreadNotifications: count !== undefined && count > 99 ? '99+' : count,
          ...data,
          locale: request.locale,
          user,
          isAdmin: user?.role === 'admin',
          isStaff: user?.role === 'staff' || user?.role === 'admin',
          canInvite: user?.role === 'municipality_admin' || user?.role === 'admin',
          csrfToken,
          flash: flash ? (typeof flash === 'string' ? t(request.locale, flash) : t(request.locale, flash.key, flash.params)) : undefined,
          // A form re-rendered after a failed POST names its GET page here, for the language and session forms.
          currentPath: typeof data.currentPath === 'string' ? data.currentPath : request.url,
          sessionIdleSeconds: user ? Math.round(deps.config.sessionIdleMs / 1000) : undefined,
        }
        try {
          // The layout is rendered here rather than by @fastify/view's `layout` option, which hands it the
          // page as a plain string that only `{{{body}}}` would print unescaped. Marked safe here, the page
          // (our own template's output) prints with `{{body}}`; any other value named body would be escaped.
          context.body = new Handlebars.SafeString(await this.viewAsync(template, context))
          return this.send(await this.viewAsync(LAYOUT, context))
        } catch (err) {
          return this.send(err)
        }
      }) as unknown as FastifyReply
    })
  },
  { name: 'view', dependencies: ['session', 'csrf'] },
)

/** Things (posts) whose recent renderings each partial keeps, per process: at most 2,000 × 4 × ~2 KB. */
const FRAGMENT_CACHE_ENTRIES = 2_000

/**
 * `{{cachedPartial "name" id}}` prints a partial in the current context and remembers the result under
 * `id` (src/lib/fragments.ts), reused while context, locale and role give equal input. The partial's @root
 * holds only `locale`, `isStaff` and `csrfToken`: what it prints must come from its context or these,
 * since only they are compared. In development templates change on disk, so nothing is remembered there.
 */
export function registerCachedPartial(handlebars: typeof Handlebars, remember: boolean) {
  const caches = new Map<string, FragmentCache>()
  handlebars.registerHelper('cachedPartial', function (this: unknown, name: string, id: string | number, options: Handlebars.HelperOptions) {
    const partial = handlebars.partials[name] as Handlebars.TemplateDelegate | undefined
    if (typeof partial !== 'function') throw new Error(`cachedPartial: no compiled partial ${name}`)
    if (typeof id !== 'string' && typeof id !== 'number') throw new Error(`cachedPartial ${name}: no id`)
    const page = options.data.root as { locale?: string; isStaff?: boolean; csrfToken?: string }
    const csrfToken = page.csrfToken ?? ''
    if (!remember) return new handlebars.SafeString(partial(this, { data: { root: { locale: page.locale, isStaff: page.isStaff, csrfToken } } }))
    let cache = caches.get(name)
    if (!cache) caches.set(name, (cache = new FragmentCache(FRAGMENT_CACHE_ENTRIES)))
    const root = { locale: page.locale, isStaff: page.isStaff, csrfToken: CSRF_PLACEHOLDER }
    const input = { locale: root.locale, isStaff: root.isStaff, context: this }
    // The token goes into the HTML as it is: escaped here, as {{@root.csrfToken}} would print it.
    const html = cache.render(id, input, handlebars.escapeExpression(csrfToken), () => partial(this, { data: { root } }))
    return new handlebars.SafeString(html)
  })
}
