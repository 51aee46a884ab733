import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { type Locale, t } from '../../lib/i18n.ts'
import type { Access } from '../../plugins/auth.ts'
import type { CurrentUser } from '../users/users.queries.ts'
import { invitableRoles } from './invitations.access.ts'
import { listActiveMunicipalities } from './invitations.queries.ts'

/** Members and staff invite nobody: the auth plugin answers them 403. */
export const INVITERS: Access = ['admin', 'municipality_admin']

// Choices the invitation forms (single and CSV) offer, limited to what this user may choose.

export function roleOptions(user: CurrentUser, locale: Locale) {
  return invitableRoles(user).map((role) => ({ value: role, label: t(locale, `role.${role}`) }))
}

/** Admins choose among active municipalities; a municipality admin has no choice (undefined). */
export async function municipalityOptions(db: Kysely<Database>, user: CurrentUser, locale: Locale) {
  if (user.role !== 'admin') return undefined
  const rows = await listActiveMunicipalities(db)
  return [
    { value: '', label: t(locale, 'invitations.field.municipalityChoose') },
    ...rows.map((m) => ({ value: String(m.id), label: `${m.name} (${m.district})` })),
  ]
}

export const localeOptions = (locale: Locale) => [
  { value: 'de', label: t(locale, 'invitations.field.localeDe') },
  { value: 'en', label: t(locale, 'invitations.field.localeEn') },
]
