import type { Role } from './users.table.ts'

/** Members and municipality contacts belong to a municipality; staff and admins to the association. */
export function roleNeedsMunicipality(role: Role): boolean {
  return role === 'member' || role === 'municipality_admin'
}

export type Refusal = 'users.refused.self' | 'users.refused.lastAdmin'
export type AccessChange = { deactivate: true } | { newRole: Role }

/**
 * Whether an account may be deactivated or get another role. Nobody locks themselves out, and the
 * last active admin stays one, so someone can always administer the forum.
 */
export function refusalToChange(
  actorId: number,
  target: { id: number; role: Role; active: boolean },
  change: AccessChange,
  activeAdmins: number,
): Refusal | null {
  const deactivates = 'deactivate' in change
  if (target.id === actorId && (deactivates || change.newRole !== target.role)) return 'users.refused.self'
  const losesAdmin = target.role === 'admin' && target.active && (deactivates || change.newRole !== 'admin')
  if (losesAdmin && activeAdmins <= 1) return 'users.refused.lastAdmin'
  return null
}
