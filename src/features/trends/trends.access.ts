import type { Role } from '../users/users.table.ts'

/** The trend dashboard is for the association's staff (and admins); members never see it. */
export const TREND_VIEWERS: readonly Role[] = ['staff', 'admin']

/** Who sees the dashboard gets (and may switch off) the watchlist's alert mails. */
export function seesTrends(user: { role: Role }): boolean {
  return TREND_VIEWERS.includes(user.role)
}
