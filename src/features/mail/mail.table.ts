import type { Generated } from 'kysely'

export const digestFrequencies = ['daily', 'weekly', 'off'] as const
export type DigestFrequency = (typeof digestFrequencies)[number]
export const deliveryStatuses = ['claimed', 'sent', 'failed', 'skipped_empty'] as const
export type DeliveryStatus = (typeof deliveryStatuses)[number]
export type DeliveryKind = 'digest' | 'notifications' | 'watchlist'
export type MailingList = 'digest' | 'notifications' | 'watchlist'

/**
 * A person's mail choices; no row means the defaults (all notifications on, weekly digest at 7:00,
 * watchlist alerts on: those only ever go to staff and admins).
 */
export interface MailSettingsTable {
  user_id: number
  notify_reply: Generated<boolean>
  notify_mention: Generated<boolean>
  notify_solution: Generated<boolean>
  notify_adopted: Generated<boolean>
  digest: Generated<DigestFrequency>
  digest_hour: Generated<number>
  watchlist_alerts: Generated<boolean>
  updated_at: Generated<Date>
}

/** One-click unsubscribe links: only the SHA-256 of the token is stored. */
export interface UnsubscribeTokensTable {
  token_hash: string
  user_id: number
  list: MailingList
  created_at: Generated<Date>
}

/** One mail per person and period (digest) or batch (notifications), claimed before it is sent. */
export interface DigestDeliveriesTable {
  id: Generated<number>
  user_id: number
  kind: DeliveryKind
  period_key: string
  status: DeliveryStatus
  since: Date
  until: Date
  message_id: string
  attempts: Generated<number>
  lease_until: Date | null
  next_attempt_at: Date | null
  last_error: string | null
  item_count: number | null
  created_at: Generated<Date>
  sent_at: Date | null
}
