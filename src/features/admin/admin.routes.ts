import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { addMs, DAY } from '../../lib/clock.ts'
import { t } from '../../lib/i18n.ts'
import { adminCounts } from './admin.queries.ts'
import { findJobState } from '../privacy/privacy.queries.ts'
import { RETENTION_JOB } from '../privacy/retention.service.ts'

/** The administration's start page: where everything an admin manages is linked, with a few numbers. */
export default async function adminRoutes(app: FastifyInstance, { db, clock, config }: AppDeps) {
  app.get('/admin', { config: { access: ['admin'] } }, async (request, reply) => {
    const now = clock.now()
    return reply.page('admin/index.hbs', {
      title: t(request.locale, 'admin.title'),
      counts: await adminCounts(db, now, addMs(now, -7 * DAY)),
      retention: { job: await findJobState(db, RETENTION_JOB), days: config.ipRetentionDays },
    })
  })
}
