import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { create as contentDisposition } from 'content-disposition'
import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { notFound } from '../../lib/errors.ts'
import type { CurrentUser } from '../users/users.queries.ts'
import { findAttachmentForDownload } from './attachments.queries.ts'
import { STORED_NAME, uploadsDir } from './attachments.service.ts'
import { ALLOWED_TYPES } from './attachments.sniff.ts'
import { attachmentParams } from './attachments.schemas.ts'

const isStaff = (user: CurrentUser) => user.role === 'staff' || user.role === 'admin'

/** Whether a user may download an attachment: anyone signed in, unless its post is gone from view. */
export function canDownload(user: CurrentUser, post: { post_deleted_at: Date | null; post_hidden_at: Date | null; thread_deleted_at: Date | null }) {
  const visible = !post.post_deleted_at && !post.post_hidden_at && !post.thread_deleted_at
  return visible || isStaff(user)
}

export default async function attachmentsRoutes(app: FastifyInstance, { db, config }: AppDeps) {
  app.get('/attachments/:id', { config: { access: 'signed-in' } }, async (request, reply) => {
    const params = attachmentParams.safeParse(request.params)
    if (!params.success) throw notFound()
    const attachment = await findAttachmentForDownload(db, params.data.id)
    // A download the user may not see looks exactly like one that does not exist.
    if (!attachment || !canDownload(request.user!, attachment) || !STORED_NAME.test(attachment.stored_name)) throw notFound()
    const path = join(uploadsDir(config.dataDir), attachment.stored_name)
    const size = await stat(path).then(
      (s) => s.size,
      () => null,
    )
    if (size === null) throw notFound()
    reply
      .header('content-type', ALLOWED_TYPES.has(attachment.content_type) ? attachment.content_type : 'application/octet-stream')
      .header('content-length', String(size))
      .header('content-disposition', contentDisposition(attachment.original_name))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
    // Opened in a browser tab anyway (some viewers ignore "attachment"), the file can run nothing.
    const csp = reply.getHeader('content-security-policy')
    reply.header('content-security-policy', csp ? `${String(csp)}; sandbox` : 'sandbox')
    return reply.send(createReadStream(path))
  })
}
