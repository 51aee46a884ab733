import type { Kysely } from 'kysely'
import type { Database } from '../src/db/database.ts'
import { systemClock } from '../src/lib/clock.ts'
import { hashPassword } from '../src/lib/passwords.ts'
import { seedDemoForum } from './demo-forum.ts'

export const DEMO_PASSWORD = 'Demo-Kommunalforum-2026'

// Real Lower Saxony municipalities in their real districts; the people are invented.
const municipalities = [
  { name: 'Wolfenbüttel', kind: 'Stadt', district: 'Landkreis Wolfenbüttel', ags: '03158037' },
  { name: 'Cremlingen', kind: 'Gemeinde', district: 'Landkreis Wolfenbüttel', ags: '03158008' },
  { name: 'Peine', kind: 'Stadt', district: 'Landkreis Peine', ags: '03157006' },
  { name: 'Samtgemeinde Bersenbrück', kind: 'Samtgemeinde', district: 'Landkreis Osnabrück', ags: null },
  { name: 'Uelzen', kind: 'Stadt', district: 'Landkreis Uelzen', ags: '03360025' },
  { name: 'Wennigsen (Deister)', kind: 'Gemeinde', district: 'Region Hannover', ags: '03241019' },
] as const

export const demoAccounts = [
  { email: 'admin@demo.kommunalforum.de', name: 'Anna Admin', role: 'admin', position: 'Systemadministration', municipality: null },
  { email: 'geschaeftsstelle@demo.kommunalforum.de', name: 'Stefan Stab', role: 'staff', position: 'Referent Soziales', municipality: null },
  {
    email: 'kontakt@wolfenbuettel.demo.kommunalforum.de',
    name: 'Karin Kontakt',
    role: 'municipality_admin',
    position: 'Leitung Hauptamt',
    municipality: 'Wolfenbüttel',
  },
  {
    email: 'mitglied@peine.demo.kommunalforum.de',
    name: 'Max Mitglied',
    role: 'member',
    position: 'Sachbearbeitung Integration',
    municipality: 'Peine',
  },
] as const

/**
 * Seeds an empty database with a few municipalities, one account per role and a living forum dated
 * in the weeks before `now`. Returns false if not empty.
 */
export async function seedDemo(db: Kysely<Database>, now: Date = systemClock.now()): Promise<boolean> {
  const existing = await db.selectFrom('users').select('id').limit(1).executeTakeFirst()
  if (existing) return false
  const passwordHash = await hashPassword(DEMO_PASSWORD)
  await db.transaction().execute(async (trx) => {
    const rows = await trx.insertInto('municipalities').values(municipalities.map((m) => ({ ...m }))).returning(['id', 'name']).execute()
    const idOf = new Map(rows.map((r) => [r.name, r.id]))
    await trx
      .insertInto('users')
      .values(
        demoAccounts.map((a) => ({
          email: a.email,
          name: a.name,
          role: a.role,
          position: a.position,
          municipality_id: a.municipality ? idOf.get(a.municipality)! : null,
          password_hash: passwordHash,
        })),
      )
      .execute()
  })
  await seedDemoForum(db, now)
  return true
}
