import { performance } from 'node:perf_hooks'
import type { AppDeps } from '../../app.ts'
import { addMs, DAY, MINUTE } from '../../lib/clock.ts'
import { newToken } from '../../lib/tokens.ts'
import { renderMail } from '../../plugins/mailer.ts'
import { type DigestContent, loadWatchedActivity, loadWindowContent, selectDigest, type WindowContent } from './digest.content.ts'
import { deterministicMessageId, listHeaders, unsubscribeUrl } from './mail.headers.ts'
import {
  claimNewDeliveries,
  type Delivery,
  type DigestRecipient,
  finishDelivery,
  findDigestHistory,
  insertUnsubscribeTokens,
  findRecipient,
  listDigestRecipients,
  type NewDelivery,
  reclaimDeliveries,
} from './mail.queries.ts'
import type { MailingList } from './mail.table.ts'
import { latestDigestSlot } from './schedule.ts'

type Deps = Pick<AppDeps, 'db' | 'config' | 'mailer'>

/** A claim holds this long; a row still `claimed` after it belonged to a worker that died, and is retried. */
export const DELIVERY_LEASE_MS = 15 * MINUTE
export const MAX_ATTEMPTS = 6
const CHUNK = 500
const SEND_CONCURRENCY = 8

/** Wait before the next attempt after a failed send: 5, 10, 20, 40, 80 minutes. */
export function retryDelayMs(attempts: number): number {
  return 5 * MINUTE * 2 ** Math.max(0, attempts - 1)
}

export type RoundOptions = {
  dryRun?: boolean
  /** Called after each mail handled (sent, skipped or failed) with how many of how many. */
  onProgress?: (done: number, total: number) => void
  /** Dry run: one line per mail that would go out. */
  print?: (line: string) => void
}

export type RoundReport = { due: number; claimed: number; sent: number; skippedEmpty: number; failed: number; renderMs: number; rendered: number }

/**
 * One digest round: works out whose digest is due (only the latest period counts, so after downtime
 * one digest goes out, not one per missed period), claims a delivery row per person and period
 * (INSERT … ON CONFLICT DO NOTHING: whoever inserts it owns it), takes over rows whose claimer died or
 * whose last attempt failed (FOR UPDATE SKIP LOCKED), and only then renders and sends.
 *
 * "Exactly once" with SMTP: a row marked `sent` is never sent again, and no two workers ever hold the
 * same row. The one window left is a crash after the SMTP server accepted the mail and before we marked
 * the row: the next round sends it again with the same Message-ID (and the same content window), which
 * receiving systems treat as a duplicate of the same message. We chose that (at least once, same
 * message) over losing a digest (at most once).
 */
export async function runDigestRound(deps: Deps, now: Date, options: RoundOptions = {}): Promise<RoundReport> {
  const report: RoundReport = { due: 0, claimed: 0, sent: 0, skippedEmpty: 0, failed: 0, renderMs: 0, rendered: 0 }
  const recipients = await listDigestRecipients(deps.db)
  const byId = new Map(recipients.map((r) => [r.id, r]))
  const due = await findDueDigests(deps, recipients, now)
  report.due = due.length

  if (options.dryRun) {
    await forEachWindow(deps, due, async (row, content) => {
      const recipient = byId.get(row.user_id)!
      const digest = selectDigest(recipient, content, deps.config.baseUrl)
      options.print?.(
        digest
          ? `${recipient.email}\t${row.period_key}\t${digest.itemCount} items`
          : `${recipient.email}\t${row.period_key}\t(nothing new: no mail)`,
      )
    })
    return report
  }

  const leaseUntil = new Date(now.getTime() + DELIVERY_LEASE_MS)
  const claimed: Delivery[] = []
  for (let i = 0; i < due.length; i += CHUNK) claimed.push(...(await claimNewDeliveries(deps.db, due.slice(i, i + CHUNK), now, leaseUntil)))
  claimed.push(...(await reclaimDeliveries(deps.db, 'digest', now, leaseUntil, 100_000)))
  report.claimed = claimed.length

  // Reclaimed rows may belong to people whose digest was switched off since: those are not sent.
  const missing = claimed.filter((row) => !byId.has(row.user_id))
  for (const row of missing) {
    await finishDelivery(deps.db, row.id, { status: 'skipped_empty', now, error: 'digest switched off' })
    report.skippedEmpty++
  }
  const mine = claimed.filter((row) => byId.has(row.user_id))
  let done = missing.length
  options.onProgress?.(done, claimed.length)

  await forEachWindow(deps, mine, async (row, content) => {
    const recipient = byId.get(row.user_id)!
    const digest = selectDigest(recipient, content, deps.config.baseUrl)
    if (!digest) {
      await finishDelivery(deps.db, row.id, { status: 'skipped_empty', now, itemCount: 0 })
      report.skippedEmpty++
    } else {
      const unsubscribe = await unsubscribeFor(deps, recipient.id, 'digest', now)
      const started = performance.now()
      const mail = renderDigest(deps, recipient, digest, unsubscribe)
      report.renderMs += performance.now() - started
      report.rendered++
      const outcome = await sendOnce(deps, { ...mail, to: recipient.email, messageId: row.message_id }, row.attempts, now)
      await finishDelivery(deps.db, row.id, { ...outcome, now, itemCount: digest.itemCount })
      if (outcome.status === 'sent') report.sent++
      else report.failed++
    }
    options.onProgress?.(++done, claimed.length)
  })
  return report
}

/** The latest due period of each person that has no delivery row yet, with the window it covers. */
async function findDueDigests(deps: Deps, recipients: DigestRecipient[], now: Date): Promise<NewDelivery[]> {
  const due: NewDelivery[] = []
  for (let i = 0; i < recipients.length; i += CHUNK) {
    const chunk = recipients.slice(i, i + CHUNK)
    const slots = chunk.map((r) => latestDigestSlot(now, r.digest === 'daily' ? 'daily' : 'weekly', r.digest_hour))
    const history = await findDigestHistory(
      deps.db,
      chunk.map((r) => r.id),
      [...new Set(slots.map((s) => s.periodKey))],
    )
    chunk.forEach((recipient, index) => {
      const slot = slots[index]!
      if (history.existing.has(`${recipient.id} ${slot.periodKey}`)) return
      const last = history.lastUntil.get(recipient.id)
      // Content starts where the last digest ended (however long ago), else one period back.
      const since = last && last.getTime() < slot.dueAt.getTime() ? last : slot.previousDueAt
      due.push({
        user_id: recipient.id,
        kind: 'digest',
        period_key: slot.periodKey,
        since,
        until: slot.dueAt,
        message_id: deterministicMessageId(deps.config, recipient.id, slot.periodKey),
      })
    })
  }
  return due
}

/**
 * Calls `handle` for each row with the content of its window, loading each window's shared content
 * once and the watched-thread activity in one query per chunk of people (not one per person).
 */
async function forEachWindow<R extends Pick<NewDelivery, 'user_id' | 'since' | 'until'>>(
  deps: Deps,
  rows: R[],
  handle: (row: R, content: WindowContent) => Promise<void>,
) {
  const windows = new Map<string, R[]>()
  for (const row of rows) {
    const key = `${row.since.getTime()}:${row.until.getTime()}`
    windows.set(key, [...(windows.get(key) ?? []), row])
  }
  for (const group of windows.values()) {
    const { since, until } = group[0]!
    const shared = await loadWindowContent(deps.db, since, until)
    for (let i = 0; i < group.length; i += CHUNK) {
      const chunk = group.slice(i, i + CHUNK)
      const watchedByUser = await loadWatchedActivity(deps.db, chunk.map((r) => r.user_id), since, until)
      const content = { ...shared, watchedByUser }
      await inParallel(chunk, SEND_CONCURRENCY, (row) => handle(row, content))
    }
  }
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!)
  })
  await Promise.all(lanes)
}

/** A fresh one-click unsubscribe token for this mail (only its hash is stored) and the list headers. */
export async function unsubscribeFor(deps: Deps, userId: number, list: MailingList, now: Date) {
  const { token, hash } = newToken()
  await insertUnsubscribeTokens(deps.db, [{ token_hash: hash, user_id: userId, list, created_at: now }])
  const url = unsubscribeUrl(deps.config, token)
  return { url, headers: listHeaders(deps.config, list, url) }
}

/** Subject, HTML and text of one person's digest, with its headers (templates compiled once, see renderMail). */
export function renderDigest(
  deps: Deps,
  recipient: Pick<DigestRecipient, 'name' | 'locale'>,
  digest: DigestContent,
  unsubscribe: { url: string; headers: Record<string, string> },
) {
  const rendered = renderMail('digest', recipient.locale, {
    ...digest,
    count: digest.itemCount,
    name: recipient.name,
    settingsUrl: `${deps.config.baseUrl}/account/mail`,
    unsubscribeUrl: unsubscribe.url,
  })
  return { ...rendered, headers: unsubscribe.headers }
}

/** Sends; a failure is recorded for a retry with backoff, until MAX_ATTEMPTS. */
export async function sendOnce(deps: Deps, mail: Parameters<Deps['mailer']['send']>[0], attempts: number, now: Date) {
  try {
    await deps.mailer.send(mail)
    return { status: 'sent' as const }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err)
    return {
      status: 'failed' as const,
      error,
      nextAttemptAt: attempts < MAX_ATTEMPTS ? new Date(now.getTime() + retryDelayMs(attempts)) : null,
    }
  }
}

/**
 * An admin's test digest: the last seven days as this person would get them, sent right away. No
 * delivery row (it is not anyone's period) and a fresh Message-ID. False when there was nothing to send.
 */
export async function sendTestDigest(deps: Deps, userId: number, now: Date): Promise<boolean> {
  const recipient = await findRecipient(deps.db, userId)
  if (!recipient) return false
  const since = addMs(now, -7 * DAY)
  const shared = await loadWindowContent(deps.db, since, now)
  const watchedByUser = await loadWatchedActivity(deps.db, [userId], since, now)
  const digest = selectDigest(recipient, { ...shared, watchedByUser }, deps.config.baseUrl)
  if (!digest) return false
  const unsubscribe = await unsubscribeFor(deps, userId, 'digest', now)
  await deps.mailer.send({ ...renderDigest(deps, recipient, digest, unsubscribe), to: recipient.email })
  return true
}
