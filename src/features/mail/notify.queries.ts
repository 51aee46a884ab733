import { type Kysely, sql, type Transaction } from 'kysely'
import type { Database } from '../../db/database.ts'
import { notificationsWithContext } from '../notifications/notifications.queries.ts'
import type { NewDelivery } from './mail.queries.ts'

type Db = Kysely<Database> | Transaction<Database>

/**
 * Unread notifications not yet mailed nor bound to a mail, of active people who want mail for that
 * kind (no settings row: all kinds on), younger than `notBefore`, oldest first.
 */
export async function listPendingNotifications(db: Db, notBefore: Date) {
  return db
    .selectFrom('notifications')
    .innerJoin('users', 'users.id', 'notifications.user_id')
    .leftJoin('mail_settings', 'mail_settings.user_id', 'notifications.user_id')
    .select(['notifications.id', 'notifications.user_id', 'notifications.created_at'])
    .where('notifications.emailed_at', 'is', null)
    .where('notifications.mail_delivery_id', 'is', null)
    .where('notifications.read_at', 'is', null)
    .where('notifications.created_at', '>=', notBefore)
    .where('users.active', '=', true)
    .where(
      sql<boolean>`coalesce(CASE notifications.kind
        WHEN 'reply' THEN mail_settings.notify_reply
        WHEN 'mention' THEN mail_settings.notify_mention
        WHEN 'solution' THEN mail_settings.notify_solution
        WHEN 'adopted' THEN mail_settings.notify_adopted
      END, true)`,
    )
    .orderBy('notifications.id')
    .execute()
}

/**
 * Claims one batch mail: the delivery row (unique per person and first notification: whoever inserts
 * it owns the batch) and, in the same transaction, the notifications that go into it.
 */
export async function claimNotificationBatch(db: Kysely<Database>, row: NewDelivery, notificationIds: number[], now: Date, leaseUntil: Date) {
  return db.transaction().execute(async (trx) => {
    const delivery = await trx
      .insertInto('digest_deliveries')
      .values({ ...row, status: 'claimed', attempts: 1, lease_until: leaseUntil, created_at: now })
      .onConflict((oc) => oc.columns(['user_id', 'period_key']).doNothing())
      .returningAll()
      .executeTakeFirst()
    if (!delivery) return undefined
    await trx
      .updateTable('notifications')
      .set({ mail_delivery_id: delivery.id })
      .where('id', 'in', notificationIds)
      .where('mail_delivery_id', 'is', null)
      .execute()
    return delivery
  })
}

/** What a batch mail says: its notifications, as the notifications page lists them. */
export async function listBatchNotifications(db: Db, deliveryId: number) {
  return notificationsWithContext(db)
    .where('notifications.mail_delivery_id', '=', deliveryId)
    .orderBy('notifications.id')
    .execute()
}

export async function markBatchEmailed(db: Db, deliveryId: number, now: Date) {
  await db.updateTable('notifications').set({ emailed_at: now }).where('mail_delivery_id', '=', deliveryId).execute()
}
