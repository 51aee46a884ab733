import type { AppDeps } from '../../app.ts'
import { DAY, MINUTE } from '../../lib/clock.ts'
import { t } from '../../lib/i18n.ts'
import { renderMail } from '../../plugins/mailer.ts'
import { present } from '../notifications/notifications.routes.ts'
import { DELIVERY_LEASE_MS, sendOnce, unsubscribeFor } from './digest.service.ts'
import { deterministicMessageId } from './mail.headers.ts'
import { type Delivery, findRecipient, finishDelivery, reclaimDeliveries } from './mail.queries.ts'
import { claimNotificationBatch, listBatchNotifications, listPendingNotifications, markBatchEmailed } from './notify.queries.ts'

type Deps = Pick<AppDeps, 'db' | 'config' | 'mailer'>

/** A batch waits this long after its first notification, so what happens within a few minutes is one mail. */
export const BATCH_WAIT_MS = 5 * MINUTE
/** Older notifications are not mailed any more (after an outage, or from before mail existed). */
const MAX_AGE_MS = DAY

export type NotificationRoundReport = { claimed: number; sent: number; failed: number }

/**
 * One round of immediate notification mails, on the same notification rows the app shows. Per person,
 * the unread, unmailed notifications (of the kinds they want by mail) become one batch once the oldest
 * is BATCH_WAIT_MS old. Same discipline as the digest: the batch's delivery row (key: the person and the
 * first notification) is claimed, with its notifications bound to it, before anything is sent; a crash
 * resends the same batch with the same Message-ID.
 */
export async function runNotificationRound(deps: Deps, now: Date): Promise<NotificationRoundReport> {
  const report: NotificationRoundReport = { claimed: 0, sent: 0, failed: 0 }
  const pending = await listPendingNotifications(deps.db, new Date(now.getTime() - MAX_AGE_MS))
  const byUser = new Map<number, typeof pending>()
  for (const n of pending) byUser.set(n.user_id, [...(byUser.get(n.user_id) ?? []), n])

  const leaseUntil = new Date(now.getTime() + DELIVERY_LEASE_MS)
  const claimed: Delivery[] = []
  for (const [userId, notifications] of byUser) {
    const first = notifications[0]!
    if (now.getTime() - first.created_at.getTime() < BATCH_WAIT_MS) continue
    const periodKey = `notifications:${first.id}`
    const delivery = await claimNotificationBatch(
      deps.db,
      {
        user_id: userId,
        kind: 'notifications',
        period_key: periodKey,
        since: first.created_at,
        until: now,
        message_id: deterministicMessageId(deps.config, userId, periodKey),
      },
      notifications.map((n) => n.id),
      now,
      leaseUntil,
    )
    if (delivery) claimed.push(delivery)
  }
  claimed.push(...(await reclaimDeliveries(deps.db, 'notifications', now, leaseUntil, 10_000)))
  report.claimed = claimed.length

  for (const delivery of claimed) {
    const [recipient, items] = await Promise.all([findRecipient(deps.db, delivery.user_id), listBatchNotifications(deps.db, delivery.id)])
    if (!recipient || items.length === 0) {
      await finishDelivery(deps.db, delivery.id, { status: 'skipped_empty', now, itemCount: 0 })
      continue
    }
    const locale = recipient.locale
    const unsubscribe = await unsubscribeFor(deps, recipient.id, 'notifications', now)
    const mail = renderMail('notifications', locale, {
      count: items.length,
      name: recipient.name,
      items: items.map((n) => {
        const shown = present(n, recipient.id, locale)
        return { text: t(locale, shown.key, shown), url: `${deps.config.baseUrl}${shown.url}` }
      }),
      settingsUrl: `${deps.config.baseUrl}/account/mail`,
      unsubscribeUrl: unsubscribe.url,
    })
    const outcome = await sendOnce(deps, { ...mail, headers: unsubscribe.headers, to: recipient.email, messageId: delivery.message_id }, delivery.attempts, now)
    await finishDelivery(deps.db, delivery.id, { ...outcome, now, itemCount: items.length })
    if (outcome.status === 'sent') {
      await markBatchEmailed(deps.db, delivery.id, now)
      report.sent++
    } else report.failed++
  }
  return report
}
