import { createHash } from 'node:crypto'
import type { Config } from '../../config.ts'
import type { MailingList } from './mail.table.ts'

/**
 * The same (person, period) always gives the same Message-ID, so a digest sent again after a crash
 * between SMTP accepting it and our "sent" mark is recognisably the same message. Keyed with the
 * session secret: the id tells nobody who the recipient is.
 */
export function deterministicMessageId(config: Config, userId: number, periodKey: string): string {
  const digest = createHash('sha256').update(`${config.sessionSecret}\0${userId}\0${periodKey}`).digest('base64url').slice(0, 32)
  return `<${digest}@${new URL(config.baseUrl).hostname}>`
}

export function unsubscribeUrl(config: Config, token: string): string {
  return `${config.baseUrl}/unsubscribe/${token}`
}

const listNames: Record<MailingList, string> = {
  digest: 'Kommunalforum Digest',
  notifications: 'Kommunalforum Benachrichtigungen',
  watchlist: 'Kommunalforum Beobachtungsliste',
}

/** RFC 8058 one-click unsubscribe, RFC 2919 List-Id and RFC 3834 Auto-Submitted. */
export function listHeaders(config: Config, list: MailingList, url: string): Record<string, string> {
  const host = new URL(config.baseUrl).hostname
  return {
    'List-Unsubscribe': `<${url}>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': `${listNames[list]} <${list}.${host}>`,
    'Auto-Submitted': 'auto-generated',
  }
}
