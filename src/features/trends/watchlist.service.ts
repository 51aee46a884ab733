import type { Kysely } from 'kysely'
import type { AppDeps } from '../../app.ts'
import type { Database } from '../../db/database.ts'
import { HOUR } from '../../lib/clock.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import { renderMail } from '../../plugins/mailer.ts'
import { audit } from '../audit/audit.queries.ts'
import { DELIVERY_LEASE_MS, sendOnce, unsubscribeFor } from '../mail/digest.service.ts'
import { deterministicMessageId } from '../mail/mail.headers.ts'
import { type Delivery, finishDelivery, reclaimDeliveries } from '../mail/mail.queries.ts'
import { trendingAsOf, type TrendingTerm } from './trends.service.ts'
import {
  clearQuiet,
  deleteWatchTerm,
  endRise,
  findAlert,
  findAlertRecipient,
  insertWatchTerm,
  listAlertRecipients,
  listWatchTerms,
  markQuiet,
  startRise,
} from './watchlist.queries.ts'

type Deps = Pick<AppDeps, 'db' | 'config' | 'mailer'>
type Db = Kysely<Database>

/**
 * Hysteresis: a rise ends only after the term has been out of the trends this long, so a trend that
 * drops out for a round (a day boundary, a hidden post) and comes back is the same rise, not a new alert.
 */
export const QUIET_ENDS_RISE_MS = 2 * HOUR

/** The first (strongest) significant trend one of the watched stems is part of. */
export function trendOfWatchTerm(stems: readonly string[], trends: readonly TrendingTerm[]): TrendingTerm | undefined {
  return trends.find((trend) => trend.stems.some((s) => stems.includes(s)))
}

export function drillDownPath(stem: string): string {
  return `/dashboard/terms/${encodeURIComponent(stem)}`
}

export async function addWatchTerm(db: Db, entry: { term: string; stems: string[]; userId: number; now: Date }) {
  return db.transaction().execute(async (trx) => {
    const added = await insertWatchTerm(trx, entry)
    if (!added) return undefined
    await audit(trx, { actorId: entry.userId, action: 'trend_watch.added', targetType: 'trend_watch', targetId: added.id, details: { term: added.term }, now: entry.now })
    return added
  })
}

export async function removeWatchTerm(db: Db, id: number, userId: number, now: Date) {
  return db.transaction().execute(async (trx) => {
    const removed = await deleteWatchTerm(trx, id)
    if (!removed) return undefined
    await audit(trx, { actorId: userId, action: 'trend_watch.removed', targetType: 'trend_watch', targetId: removed.id, details: { term: removed.term }, now })
    return removed
  })
}

export type WatchlistRoundReport = { rises: number; ended: number; claimed: number; sent: number; failed: number }

/**
 * Checks every watched term against the trends as of `now` and starts or ends rises. A starting rise
 * claims one delivery per staff member in the same transaction that marks the term rising (see
 * startRise), so a crash after that is finished by the next round (reclaimDeliveries) and never
 * alerts twice. Returns the deliveries this round claimed.
 */
export async function detectRises(deps: Deps, now: Date, report: WatchlistRoundReport): Promise<Delivery[]> {
  const terms = await listWatchTerms(deps.db)
  if (terms.length === 0) return []
  const { terms: trends } = await trendingAsOf(deps.db, now, now)
  const leaseUntil = new Date(now.getTime() + DELIVERY_LEASE_MS)
  const claimed: Delivery[] = []
  let recipients: Awaited<ReturnType<typeof listAlertRecipients>> | undefined
  for (const term of terms) {
    const trend = trendOfWatchTerm(term.stems, trends)
    if (trend && !term.rising_since) {
      recipients ??= await listAlertRecipients(deps.db)
      const alert = { term: term.term, label: trend.label, stem: trend.stem, municipalities: trend.municipalities, districts: trend.districts }
      const rise = await startRise(
        deps.db,
        term.id,
        alert,
        (alertId) =>
          recipients!.map((r) => {
            const periodKey = `watchlist:${alertId}`
            return { user_id: r.id, kind: 'watchlist' as const, period_key: periodKey, since: now, until: now, message_id: deterministicMessageId(deps.config, r.id, periodKey) }
          }),
        now,
        leaseUntil,
      )
      if (rise.started) report.rises++
      claimed.push(...rise.deliveries)
    } else if (trend && term.quiet_since) {
      await clearQuiet(deps.db, term.id)
    } else if (!trend && term.rising_since) {
      if (!term.quiet_since) await markQuiet(deps.db, term.id, now)
      else if (now.getTime() - term.quiet_since.getTime() >= QUIET_ENDS_RISE_MS) {
        await endRise(deps.db, term.id)
        report.ended++
      }
    }
  }
  return claimed
}

/** Sends the claimed alert mails; a failed send is retried by a later round with backoff. */
export async function deliverAlerts(deps: Deps, deliveries: Delivery[], now: Date, report: WatchlistRoundReport) {
  for (const delivery of deliveries) {
    const alertId = Number(delivery.period_key.slice('watchlist:'.length))
    const [alert, recipient] = await Promise.all([findAlert(deps.db, alertId), findAlertRecipient(deps.db, delivery.user_id)])
    // The term was removed, or the person left the staff or switched alerts off, since the claim: nothing to send.
    if (!alert || !recipient) {
      await finishDelivery(deps.db, delivery.id, { status: 'skipped_empty', now, itemCount: 0 })
      continue
    }
    const locale = recipient.locale
    const unsubscribe = await unsubscribeFor(deps, recipient.id, 'watchlist', now)
    const mail = renderMail('watchlist', locale, {
      name: recipient.name,
      term: alert.term,
      label: alert.label,
      summary: breadthText(locale, alert.municipalities, alert.districts),
      drillUrl: `${deps.config.baseUrl}${drillDownPath(alert.stem)}`,
      watchlistUrl: `${deps.config.baseUrl}/dashboard/watchlist`,
      settingsUrl: `${deps.config.baseUrl}/account/mail`,
      unsubscribeUrl: unsubscribe.url,
    })
    const outcome = await sendOnce(
      deps,
      { ...mail, to: recipient.email, messageId: delivery.message_id, headers: unsubscribe.headers },
      delivery.attempts,
      now,
    )
    await finishDelivery(deps.db, delivery.id, { ...outcome, now, itemCount: 1 })
    if (outcome.status === 'sent') report.sent++
    else report.failed++
  }
}

/** One round of the watchlist job: rises started and ended, then every open alert mail sent. */
export async function runWatchlistRound(deps: Deps, now: Date): Promise<WatchlistRoundReport> {
  const report: WatchlistRoundReport = { rises: 0, ended: 0, claimed: 0, sent: 0, failed: 0 }
  const claimed = await detectRises(deps, now, report)
  const leaseUntil = new Date(now.getTime() + DELIVERY_LEASE_MS)
  claimed.push(...(await reclaimDeliveries(deps.db, 'watchlist', now, leaseUntil, 10_000)))
  report.claimed = claimed.length
  await deliverAlerts(deps, claimed, now, report)
  return report
}

/** "10 Kommunen in 6 Landkreisen", "3 Kommunen in 1 Landkreis": each number with its own singular. */
export function breadthText(locale: Locale, municipalities: number, districts: number): string {
  return t(locale, 'trends.watch.breadthValue', {
    municipalities: t(locale, 'trends.breadth.municipalities', { count: municipalities }),
    districts: t(locale, 'trends.breadth.districts', { count: districts }),
  })
}
