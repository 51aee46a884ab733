import { z } from 'zod'
import { digestFrequencies } from './mail.table.ts'

/** An HTML checkbox: sent as "on" when ticked, absent when not. */
const checkbox = z
  .literal('on')
  .optional()
  .transform((v) => v === 'on')

export const mailSettingsSchema = z
  .object({
    notify_reply: checkbox,
    notify_mention: checkbox,
    notify_solution: checkbox,
    notify_adopted: checkbox,
    // Shown to staff and admins only; ignored for everyone else (see settings.routes.ts).
    watchlist_alerts: checkbox,
    digest: z.enum(digestFrequencies),
    digest_hour: z
      .string('mailSettings.error.hour')
      .regex(/^\d{1,2}$/, 'mailSettings.error.hour')
      .transform(Number)
      .pipe(z.number().int().min(0, 'mailSettings.error.hour').max(23, 'mailSettings.error.hour')),
    locale: z.enum(['de', 'en']),
  })
  .strict()

/** A token from a mail link: base64url, as newToken() makes them; anything else is not looked up. */
export function parseUnsubscribeToken(params: unknown): string | null {
  const token = (params as { token?: unknown } | undefined)?.token
  return typeof token === 'string' && /^[A-Za-z0-9_-]{22,128}$/.test(token) ? token : null
}
