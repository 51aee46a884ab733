import type { Kysely } from 'kysely'
import type { Database } from '../../../src/db/database.ts'
import type { Role } from '../../../src/features/users/users.table.ts'
import { DAY } from '../../../src/lib/clock.ts'
import { newToken } from '../../../src/lib/tokens.ts'
import type { CapturedMail } from '../../helpers/smtp.ts'
import { TEST_BASE_URL } from '../../helpers/app.ts'
import { linkIn } from '../../helpers/smtp.ts'

/** Inserts an invitation directly, the way the app stores it; returns the row and the raw token. */
export async function buildInvitation(
  db: Kysely<Database>,
  values: { email?: string; role?: Role; municipality_id: number | null; invited_by?: number | null; now?: Date; name?: string | null },
) {
  const { token, hash } = newToken()
  const now = values.now ?? new Date('2026-03-02T08:00:00Z')
  const row = await db
    .insertInto('invitations')
    .values({
      token_hash: hash,
      email: values.email ?? `eingeladen-${Math.random().toString(36).slice(2, 9)}@example.de`,
      name: values.name ?? null,
      role: values.role ?? 'member',
      municipality_id: values.municipality_id,
      invited_by: values.invited_by ?? null,
      created_at: now,
      sent_at: now,
      expires_at: new Date(now.getTime() + 14 * DAY),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { ...row, token, path: `/invite/${token}` }
}

/** The path of the invitation link in a mail (the link itself is absolute, built from BASE_URL). */
export function invitePath(mail: CapturedMail): string {
  return linkIn(mail, `${TEST_BASE_URL}/invite/`).slice(TEST_BASE_URL.length)
}

export const GOOD_PASSWORD = 'Neun Laternen am Deich 2026'

const entities: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#x27;': "'", '&#x3D;': '=', '&#x60;': '`' }

/** The hidden fields of the form posting to `action`, as a browser would send them. */
export function hiddenFields(html: string, action: string): Record<string, string> {
  const form = html.match(new RegExp(`<form[^>]*action="${action}"[\\s\\S]*?</form>`))?.[0]
  if (!form) throw new Error(`no form posting to ${action}`)
  const fields: Record<string, string> = {}
  for (const m of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields[m[1]!] = m[2]!.replace(/&(amp|lt|gt|quot|#x27|#x3D|#x60);/g, (e) => entities[e]!)
  }
  return fields
}
