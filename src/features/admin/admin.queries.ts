import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'

/** The few numbers the administration overview shows. */
export async function adminCounts(db: Kysely<Database>, now: Date, auditSince: Date) {
  const [municipalities, users, invitations, audit] = await Promise.all([
    db
      .selectFrom('municipalities')
      .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.countAll<number>().filterWhere('active', '=', true).as('active')])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('users')
      .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.countAll<number>().filterWhere('active', '=', true).as('active')])
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('invitations')
      .select((eb) => eb.fn.countAll<number>().as('open'))
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<number>().as('recent'))
      .where('at', '>=', auditSince)
      .executeTakeFirstOrThrow(),
  ])
  return {
    municipalities: { total: Number(municipalities.total), active: Number(municipalities.active) },
    users: { total: Number(users.total), active: Number(users.active) },
    openInvitations: Number(invitations.open),
    recentAuditEntries: Number(audit.recent),
  }
}
