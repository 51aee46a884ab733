import type { Role } from '../users/users.table.ts'

/** Pin, lock, move, hide and the reports queue belong to the association's staff (and admins). */
export const MODERATORS: readonly Role[] = ['staff', 'admin']

export function canModerate(user: { role: Role } | null): boolean {
  return user !== null && MODERATORS.includes(user.role)
}
