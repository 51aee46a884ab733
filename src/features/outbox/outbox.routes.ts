import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import { t } from '../../lib/i18n.ts'
import { outboxDir } from '../../plugins/mailer.ts'
import { linkifyText, listOutbox, readOutboxMail } from './outbox.store.ts'

type IdParams = { Params: { id: string } }

/** Without SMTP the app writes mails into DATA_DIR/outbox; admins read them here (demo, first setup). */
export default async function outboxRoutes(app: FastifyInstance, { config, mailer }: AppDeps) {
  const dir = outboxDir(config)

  async function mailOr404(id: string) {
    const mail = await readOutboxMail(dir, id)
    if (!mail) throw notFound()
    return mail
  }

  app.get('/admin/outbox', { config: { access: ['admin'] } }, async (request, reply) => {
    const { mails, total } = await listOutbox(dir)
    return reply.page('outbox/index.hbs', {
      title: t(request.locale, 'outbox.title'),
      smtp: mailer.kind === 'smtp',
      mails,
      total,
      truncated: total > mails.length,
    })
  })

  app.get<IdParams>('/admin/outbox/:id', { config: { access: ['admin'] } }, async (request, reply) => {
    const mail = await mailOr404(request.params.id)
    return reply.page('outbox/show.hbs', {
      title: t(request.locale, 'outbox.show.title', { subject: mail.subject }),
      mail,
      extraHeaders: Object.entries(mail.headers).map(([name, value]) => ({ name, value })),
      segments: linkifyText(mail.text, config.baseUrl),
    })
  })

  // The HTML part is never rendered inside the app (it would run under our origin): a download only.
  app.get<IdParams>('/admin/outbox/:id/html', { config: { access: ['admin'] } }, async (request, reply) => {
    const mail = await mailOr404(request.params.id)
    if (!mail.html) throw notFound()
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-disposition', `attachment; filename="${mail.id}.html"`)
      .header('x-content-type-options', 'nosniff')
      .send(mail.html)
  })
}
