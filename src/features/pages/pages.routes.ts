import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { renderMarkdown } from '../../lib/markdown.ts'
import { audit } from '../audit/audit.queries.ts'
import { findSitePage, listSitePages, updateSitePage } from './pages.queries.ts'
import { editPageSchema, slugParam } from './pages.schemas.ts'
import { type SitePageSlug, sitePageSlugs } from './pages.table.ts'

type SlugParams = { Params: { slug: string } }

function parseSlug(slug: string): SitePageSlug {
  const parsed = slugParam.safeParse(slug)
  if (!parsed.success) throw notFound()
  return parsed.data
}

/** Privacy notice, imprint and accessibility statement: public, edited by admins in Markdown. */
export default async function pagesRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  for (const slug of sitePageSlugs) {
    app.get(`/${slug}`, { config: { access: 'public' } }, async (request, reply) => {
      const page = await findSitePage(db, slug)
      if (!page) throw notFound()
      return reply.page('pages/show.hbs', { title: page.title, page, html: renderMarkdown(page.body) })
    })
  }

  app.get('/admin/pages', { config: { access: ['admin'] } }, async (request, reply) => {
    return reply.page('pages/admin-list.hbs', { title: t(request.locale, 'pages.admin.title'), pages: await listSitePages(db) })
  })

  app.get<SlugParams>('/admin/pages/:slug', { config: { access: ['admin'] } }, async (request, reply) => {
    const page = await findSitePage(db, parseSlug(request.params.slug))
    if (!page) throw notFound()
    return reply.page('pages/admin-edit.hbs', {
      title: t(request.locale, 'pages.edit.title', { page: page.title }),
      page,
      values: { title: page.title, body: page.body },
    })
  })

  app.post<SlugParams>('/admin/pages/:slug', { config: { access: ['admin'] } }, async (request, reply) => {
    const page = await findSitePage(db, parseSlug(request.params.slug))
    if (!page) throw notFound()
    const title = t(request.locale, 'pages.edit.title', { page: page.title })
    const form = parseForm(editPageSchema, request.body)
    if (!form.ok) return reply.page('pages/admin-edit.hbs', { title, page, errors: form.errors, values: form.values }, 422)
    const { action, ...values } = form.data
    if (action === 'preview') {
      return reply.page('pages/admin-edit.hbs', { title, page, values, preview: renderMarkdown(values.body) })
    }
    const now = clock.now()
    const user = request.user!
    await db.transaction().execute(async (trx) => {
      await updateSitePage(trx, page.slug, { ...values, userId: user.id, now })
      await audit(trx, { actorId: user.id, action: 'site_page.updated', targetType: 'site_page', details: { slug: page.slug }, now })
    })
    reply.flash('pages.saved')
    return reply.redirect('/admin/pages', 303)
  })
}
