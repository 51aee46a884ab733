import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { t } from '../../lib/i18n.ts'
import { listForums } from './forums.queries.ts'

export default async function forumsRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get('/', { config: { access: 'signed-in' } }, async (request, reply) => {
    const en = request.locale === 'en'
    const forums = (await listForums(db)).map((f) => ({
      slug: f.slug,
      name: en ? f.name_en : f.name_de,
      description: en ? f.description_en : f.description_de,
    }))
    return reply.page('forums/index.hbs', { title: t(request.locale, 'forums.title'), forums })
  })
}
