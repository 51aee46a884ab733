import type { Kysely } from 'kysely'
import type { AppDeps } from '../../app.ts'
import type { Database } from '../../db/database.ts'
import { addMs, DAY } from '../../lib/clock.ts'
import { emailField } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { newToken } from '../../lib/tokens.ts'
import { renderMail } from '../../plugins/mailer.ts'
import { audit } from '../audit/audit.queries.ts'
import type { CurrentUser } from '../users/users.queries.ts'
import type { Locale, Role } from '../users/users.table.ts'
import { canInviteRole, type Inviter, invitationMunicipality, roleNeedsMunicipality } from './invitations.access.ts'
import { type CsvRow, parseRole } from './invitations.csv.ts'
import {
  claimImportedUser,
  findExistingAccounts,
  findPendingInvitations,
  insertInvitation,
  insertInvitedUser,
  linkInvitationToUser,
  redeemInvitation,
  renewInvitation,
  revokeInvitation,
  type Scope,
} from './invitations.queries.ts'

export const INVITATION_VALID_MS = 14 * DAY

export type Invitee = { email: string; name: string | null; role: Role; municipalityId: number | null }
type Field = 'email' | 'role' | 'municipality_id'
export type Problem = { field: Field; key: string }

/** What the database knows about the addresses being invited, fetched once for a whole batch. */
export type Known = {
  accounts: Map<string, { password_hash: string | null; active: boolean; municipality_id: number | null }>
  pending: Map<string, { id: number; municipality_id: number | null }>
}

export async function lookUpInvitees(db: Kysely<Database>, emails: string[], now: Date): Promise<Known> {
  const [accounts, pending] = await Promise.all([findExistingAccounts(db, emails), findPendingInvitations(db, emails, now)])
  return {
    accounts: new Map(accounts.map((a) => [a.email.toLowerCase(), a])),
    pending: new Map(pending.map((p) => [p.email.toLowerCase(), p])),
  }
}

/**
 * Why this person cannot be invited by this inviter, or null. An imported account (no password yet)
 * may be invited; it is then taken over on acceptance, so it must lie in the inviter's reach.
 */
export function inviteeProblem(inviter: Inviter, invitee: Invitee, known: Known): Problem | null {
  if (!canInviteRole(inviter, invitee.role)) return { field: 'role', key: 'invitations.error.roleNotAllowed' }
  if (roleNeedsMunicipality(invitee.role) && invitee.municipalityId === null) {
    return { field: 'municipality_id', key: 'invitations.error.municipalityRequired' }
  }
  const account = known.accounts.get(invitee.email)
  if (account && (account.password_hash !== null || !account.active)) {
    return { field: 'email', key: 'invitations.error.accountExists' }
  }
  if (account && inviter.role !== 'admin' && account.municipality_id !== invitee.municipalityId) {
    return { field: 'email', key: 'invitations.error.otherMunicipality' }
  }
  if (known.pending.has(invitee.email)) return { field: 'email', key: 'invitations.error.alreadyInvited' }
  return null
}

export type CheckedRow = CsvRow & { invitee: Invitee | null; problem: string | null }

/** Checks every CSV row like the single form does, plus duplicates within the file. */
export async function checkRows(
  db: Kysely<Database>,
  inviter: Inviter,
  rows: CsvRow[],
  municipalityId: number | null,
  now: Date,
): Promise<CheckedRow[]> {
  const emails = rows.map((r) => r.email.trim().toLowerCase())
  const known = await lookUpInvitees(db, [...new Set(emails)], now)
  const seen = new Set<string>()
  return rows.map((row, i) => {
    const email = emails[i]!
    const duplicate = seen.has(email)
    seen.add(email)
    const problem = (key: string): CheckedRow => ({ ...row, invitee: null, problem: key })
    if (!emailField.safeParse(email).success) return problem('invitations.problem.invalidEmail')
    const role = parseRole(row.role)
    if (!role) return problem('invitations.problem.unknownRole')
    if (row.name.length > 200) return problem('invitations.problem.nameTooLong')
    if (duplicate) return problem('invitations.problem.duplicate')
    const invitee = {
      email,
      name: row.name || null,
      role,
      municipalityId: invitationMunicipality(inviter, role, municipalityId),
    }
    const found = inviteeProblem(inviter, invitee, known)
    return found ? problem(found.key) : { ...row, invitee, problem: null }
  })
}

/** Who sends the mail and for which municipality, in words. */
type MailContext = { inviter: CurrentUser; municipalityName: string | null }

/** Creates the invitation (and its audit entry) and mails the link. */
export async function issueInvitation(deps: AppDeps, context: MailContext, invitee: Invitee, locale: Locale) {
  const { db, clock } = deps
  const now = clock.now()
  const { token, hash } = newToken()
  const invitation = await db.transaction().execute(async (trx) => {
    const row = await insertInvitation(trx, {
      tokenHash: hash,
      email: invitee.email,
      name: invitee.name,
      role: invitee.role,
      municipalityId: invitee.municipalityId,
      invitedBy: context.inviter.id,
      locale,
      now,
      expiresAt: addMs(now, INVITATION_VALID_MS),
    })
    await audit(trx, {
      actorId: context.inviter.id,
      action: 'invitation.created',
      targetType: 'invitation',
      targetId: row.id,
      municipalityId: row.municipality_id,
      details: { invitationId: row.id, role: row.role },
      now,
    })
    return row
  })
  await sendInvitationMail(deps, context, invitation, token)
  return invitation
}

/** A new link with a new expiry; the old link stops working at once. Undefined if no longer possible. */
export async function resendInvitation(deps: AppDeps, context: MailContext, id: number, scope: Scope) {
  const { db, clock } = deps
  const now = clock.now()
  const { token, hash } = newToken()
  const invitation = await db.transaction().execute(async (trx) => {
    const row = await renewInvitation(trx, id, scope, { tokenHash: hash, now, expiresAt: addMs(now, INVITATION_VALID_MS) })
    if (!row) return undefined
    await audit(trx, {
      actorId: context.inviter.id,
      action: 'invitation.resent',
      targetType: 'invitation',
      targetId: row.id,
      municipalityId: row.municipality_id,
      details: { invitationId: row.id, role: row.role },
      now,
    })
    return row
  })
  if (invitation) await sendInvitationMail(deps, context, invitation, token)
  return invitation
}

/** Revokes an invitation within the scope, with its audit entry; undefined if not possible. */
export async function withdrawInvitation(db: Kysely<Database>, actorId: number, id: number, scope: Scope, now: Date) {
  return db.transaction().execute(async (trx) => {
    const row = await revokeInvitation(trx, id, scope, now)
    if (row) {
      await audit(trx, {
        actorId,
        action: 'invitation.revoked',
        targetType: 'invitation',
        targetId: row.id,
        municipalityId: row.municipality_id,
        details: { invitationId: row.id, role: row.role },
        now,
      })
    }
    return row
  })
}

async function sendInvitationMail(
  { mailer, config }: AppDeps,
  { inviter, municipalityName }: MailContext,
  invitation: { email: string; name: string | null; role: Role; locale: Locale; expires_at: Date },
  token: string,
) {
  const locale = invitation.locale
  const mail = renderMail('invitation', locale, {
    name: invitation.name,
    inviterName: inviter.name,
    inviterOrg: inviter.municipality_name ?? t(locale, 'layout.association'),
    role: invitation.role,
    municipalityName,
    link: `${config.baseUrl}/invite/${token}`,
    expiresAt: invitation.expires_at,
  })
  await mailer.send({ to: invitation.email, ...mail })
}

export type AcceptForm = { name: string; position: string | null; passwordHash: string }
export type AcceptResult =
  | { ok: true; userId: number }
  | { ok: false; reason: 'invalid' | 'accountExists' }

class AccountExists extends Error {}

/**
 * Redeems an invitation in one transaction: claim the link (single use), create the account — or
 * take over the imported one — with email, role and municipality from the invitation row, link and audit.
 */
export async function acceptInvitation(
  db: Kysely<Database>,
  tokenHash: string,
  form: AcceptForm,
  now: Date,
): Promise<AcceptResult> {
  try {
    return await db.transaction().execute(async (trx) => {
      const invitation = await redeemInvitation(trx, tokenHash, now)
      if (!invitation) return { ok: false, reason: 'invalid' } as const
      const account = {
        email: invitation.email.toLowerCase(),
        name: form.name,
        position: form.position,
        role: invitation.role,
        municipalityId: invitation.municipality_id,
        locale: invitation.locale,
        passwordHash: form.passwordHash,
      }
      const userId = (await claimImportedUser(trx, account)) ?? (await insertInvitedUser(trx, account, now))
      // Someone got an account with this address meanwhile: undo the claim, the link stays as it was.
      if (userId === undefined) throw new AccountExists()
      await linkInvitationToUser(trx, invitation.id, userId)
      await audit(trx, {
        actorId: userId,
        action: 'invitation.accepted',
        targetType: 'invitation',
        targetId: invitation.id,
        municipalityId: invitation.municipality_id,
        details: { invitationId: invitation.id, userId, role: invitation.role },
        now,
      })
      return { ok: true, userId } as const
    })
  } catch (error) {
    if (error instanceof AccountExists) return { ok: false, reason: 'accountExists' }
    throw error
  }
}
