import type { Kysely } from 'kysely'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/database.ts'
import { addMs, HOUR } from '../../lib/clock.ts'
import { t } from '../../lib/i18n.ts'
import { hashToken, newToken } from '../../lib/tokens.ts'
import { type Mailer, renderMail } from '../../plugins/mailer.ts'
import { audit } from '../audit/audit.queries.ts'
import { INVITATION_VALID_MS } from '../invitations/invitations.service.ts'
import { putSetting } from '../sessions/sessions.queries.ts'
import { countAdmins, findUserByEmail } from '../users/users.queries.ts'
import type { Locale } from '../users/users.table.ts'
import { adminInvitationInput } from './setup.schemas.ts'
import { consumeSetupToken, hasSetupToken, insertAdmin, insertAdminInvitation } from './setup.queries.ts'

export const SETUP_SETTING = 'first_admin_setup'
export type SetupToken = { hash: string; expiresAt: string }

/**
 * On a real installation without any admin, makes a one-time link to create the first admin account.
 * A new link replaces the previous one; returns null once an admin exists.
 */
export async function firstAdminLink(db: Kysely<Database>, config: Config, now: Date): Promise<string | null> {
  if ((await countAdmins(db)) > 0) return null
  const { token, hash } = newToken()
  const value: SetupToken = { hash, expiresAt: new Date(now.getTime() + 24 * HOUR).toISOString() }
  await putSetting(db, SETUP_SETTING, value, now)
  return `${config.baseUrl}/setup/${token}`
}

/** The link works while it is unexpired, unused and no admin exists. Checking changes nothing. */
export async function setupLinkIsValid(db: Kysely<Database>, token: string, now: Date): Promise<boolean> {
  return (await countAdmins(db)) === 0 && (await hasSetupToken(db, SETUP_SETTING, hashToken(token), now))
}

/**
 * Uses up the link and creates the first admin in one transaction. Returns the new user's id, or null
 * when the link was already used (parallel submissions: exactly one gets an id) or an admin exists.
 */
export async function createFirstAdmin(
  db: Kysely<Database>,
  token: string,
  admin: { name: string; email: string; passwordHash: string; locale: Locale },
  now: Date,
): Promise<number | null> {
  return db.transaction().execute(async (trx) => {
    if (!(await consumeSetupToken(trx, SETUP_SETTING, hashToken(token), now))) return null
    if ((await countAdmins(trx)) > 0) return null
    const id = await insertAdmin(trx, { ...admin, now })
    await audit(trx, { actorId: id, action: 'admin.created_by_setup', targetType: 'user', targetId: id, now })
    return id
  })
}

export class AdminInvitationError extends Error {}

export type AdminInvitation = {
  link: string
  email: string
  name: string
  expiresAt: Date
  /** The link is valid whatever happened to the mail; a failed mail must not hide it. */
  mail: 'sent' | 'failed' | 'skipped'
}

/**
 * The core of `npm run create-admin`: an invitation for an admin account (no municipality, 14 days),
 * mailed with the usual invitation mail when a mailer is given. Throws AdminInvitationError with a
 * German message for input the command must refuse.
 */
export async function createAdminInvitation(
  db: Kysely<Database>,
  config: Config,
  now: Date,
  input: { email: unknown; name: unknown },
  mailer?: Mailer,
): Promise<AdminInvitation> {
  const parsed = adminInvitationInput.safeParse(input)
  if (!parsed.success) {
    const field = parsed.error.issues[0]?.path[0]
    throw new AdminInvitationError(
      field === 'email'
        ? 'Bitte geben Sie mit --email eine gültige E-Mail-Adresse an (z. B. --email vorname.nachname@verband.de).'
        : 'Bitte geben Sie mit --name den Namen an (z. B. --name "Vorname Nachname").',
    )
  }
  const { email, name } = parsed.data
  const existing = await findUserByEmail(db, email)
  // An imported account (no password yet) may be invited: accepting takes it over.
  if (existing && !existing.active) {
    throw new AdminInvitationError(
      `Für ${email} gibt es ein deaktiviertes Konto. Reaktivieren Sie es, statt es neu einzuladen. Es wurde keine Einladung angelegt.`,
    )
  }
  if (existing && existing.password_hash !== null) {
    throw new AdminInvitationError(`Für ${email} gibt es bereits ein aktives Konto. Es wurde keine Einladung angelegt.`)
  }
  const { token, hash } = newToken()
  const expiresAt = addMs(now, INVITATION_VALID_MS)
  await db.transaction().execute(async (trx) => {
    const id = await insertAdminInvitation(trx, { tokenHash: hash, email, name, now, expiresAt })
    await audit(trx, {
      actorId: null,
      action: 'invitation.created',
      targetType: 'invitation',
      targetId: id,
      details: { invitationId: id, role: 'admin', source: 'create-admin' },
      now,
    })
  })
  const link = `${config.baseUrl}/invite/${token}`
  let mail: AdminInvitation['mail'] = 'skipped'
  if (mailer) {
    const message = renderMail('invitation', 'de', {
      name,
      inviterName: t('de', 'setup.cli.inviter'),
      inviterOrg: t('de', 'layout.association'),
      role: 'admin',
      municipalityName: null,
      link,
      expiresAt,
    })
    mail = await mailer.send({ to: email, ...message }).then(
      () => 'sent' as const,
      () => 'failed' as const,
    )
  }
  return { link, email, name, expiresAt, mail }
}
