import type { Role } from '../users/users.table.ts'

/** The part of the signed-in user that decides what they may do with invitations. */
export type Inviter = { id: number; role: Role; municipality_id: number | null }

export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked'
export const invitationStates: readonly InvitationState[] = ['pending', 'accepted', 'expired', 'revoked']

const ALL_ROLES: readonly Role[] = ['member', 'municipality_admin', 'staff', 'admin']
const MUNICIPALITY_ROLES: readonly Role[] = ['member', 'municipality_admin']

/** Members and municipality admins belong to a municipality; staff and admins to the association. */
export function roleNeedsMunicipality(role: Role): boolean {
  return MUNICIPALITY_ROLES.includes(role)
}

/** Admins invite anyone; a municipality admin only colleagues; members and staff nobody. */
export function invitableRoles(inviter: Inviter): readonly Role[] {
  if (inviter.role === 'admin') return ALL_ROLES
  if (inviter.role === 'municipality_admin' && inviter.municipality_id !== null) return MUNICIPALITY_ROLES
  return []
}

export function canInvite(inviter: Inviter): boolean {
  return invitableRoles(inviter).length > 0
}

export function canInviteRole(inviter: Inviter, role: Role): boolean {
  return invitableRoles(inviter).includes(role)
}

/**
 * The municipality an invitation lands in. A municipality admin's own municipality always wins over
 * whatever the form said; staff and admin invitations belong to no municipality.
 */
export function invitationMunicipality(inviter: Inviter, role: Role, requested: number | null): number | null {
  if (!roleNeedsMunicipality(role)) return null
  if (inviter.role === 'municipality_admin') return inviter.municipality_id
  return requested
}

/**
 * Which invitations a user may see and act on: `null` means all (admins), a number one municipality.
 * Queries put this into their WHERE; callers must have checked canInvite first.
 */
export function invitationScope(inviter: Inviter): number | null {
  if (inviter.role === 'admin') return null
  if (inviter.municipality_id === null) throw new Error('an inviter without municipality has no scope')
  return inviter.municipality_id
}

export function invitationState(
  invitation: { used_at: Date | null; revoked_at: Date | null; expires_at: Date },
  now: Date,
): InvitationState {
  if (invitation.revoked_at) return 'revoked'
  if (invitation.used_at) return 'accepted'
  if (invitation.expires_at.getTime() <= now.getTime()) return 'expired'
  return 'pending'
}

/** Pending and expired invitations can be sent again (new link, new expiry); accepted and revoked ones not. */
export function canResend(state: InvitationState): boolean {
  return state === 'pending' || state === 'expired'
}

export function canRevoke(state: InvitationState): boolean {
  return state === 'pending' || state === 'expired'
}
