import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { addMs, DAY } from '../../lib/clock.ts'
import { badRequest } from '../../lib/errors.ts'
import { parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { audit } from '../audit/audit.queries.ts'
import { noFieldsSchema } from '../notifications/notifications.schemas.ts'
import { sendTestDigest } from './digest.service.ts'
import { countRecentDeliveries, listRecentDeliveries } from './mail.queries.ts'

const admins = { access: ['admin'] } as const
const DAYS_SHOWN = 7

/** Admins see what the mail machinery did lately (failures included) and can send themselves a test digest. */
export default async function mailAdminRoutes(app: FastifyInstance, deps: AppDeps) {
  const { db, clock } = deps
  app.get('/admin/mail', { config: admins }, async (request, reply) => {
    const locale = request.locale
    const since = addMs(clock.now(), -DAYS_SHOWN * DAY)
    const [rows, counts] = await Promise.all([listRecentDeliveries(db, since, 300), countRecentDeliveries(db, since)])
    return reply.page('mail/admin.hbs', {
      title: t(locale, 'mailAdmin.title'),
      days: DAYS_SHOWN,
      counts: { sent: counts.sent ?? 0, failed: counts.failed ?? 0, skipped: counts.skipped_empty ?? 0, claimed: counts.claimed ?? 0 },
      deliveries: rows.map((r) => ({
        ...r,
        kindLabel: t(locale, `mailAdmin.kind.${r.kind}`),
        statusLabel: t(locale, `mailAdmin.status.${r.status}`),
        failed: r.status === 'failed',
      })),
    })
  })

  app.post('/admin/mail/test-digest', { config: admins }, async (request, reply) => {
    if (!parseForm(noFieldsSchema, request.body).ok) throw badRequest('form.unknownField')
    const user = request.user!
    const now = clock.now()
    const sent = await sendTestDigest(deps, user.id, now)
    await audit(db, { actorId: user.id, action: 'mail.test_digest', targetType: 'user', targetId: user.id, details: { sent }, now })
    if (sent) reply.flash('mailAdmin.testSent', { email: user.email })
    else reply.flash('mailAdmin.testEmpty')
    return reply.redirect('/admin/mail', 303)
  })
}
