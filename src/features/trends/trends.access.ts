import type { Role } from '../users/users.table.ts'

/** The trend dashboard is for the association's staff (and admins); members never see it. */
export const TREND_VIEWERS: readonly Role[] = ['staff', 'admin']
