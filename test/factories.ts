import type { Kysely } from 'kysely'
import type { Database } from '../src/db/database.ts'
import type { Role } from '../src/features/users/users.table.ts'
import { hashPassword } from '../src/lib/passwords.ts'

export const PASSWORD = 'korrekt-Pferd-Batterie-Heftklammer'
let hashed: Promise<string> | undefined
let sequence = 0
const next = () => ++sequence + '-' + Math.random().toString(36).slice(2, 7)

export async function buildMunicipality(
  db: Kysely<Database>,
  overrides: Partial<{ name: string; kind: string; district: string; ags: string | null; active: boolean }> = {},
) {
  const n = next()
  return db
    .insertInto('municipalities')
    .values({ name: `Gemeinde ${n}`, kind: 'Gemeinde', district: 'Landkreis Testland', ags: null, ...overrides })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Inserts a user (and, for municipality roles, a municipality unless one is given). Password: PASSWORD. */
export async function buildUser(
  db: Kysely<Database>,
  overrides: Partial<{
    role: Role
    email: string
    name: string
    municipality_id: number | null
    active: boolean
    password_hash: string | null
    totp_secret: string | null
    totp_enabled_at: Date | null
    locale: 'de' | 'en'
  }> = {},
) {
  const role = overrides.role ?? 'member'
  let municipalityId = overrides.municipality_id
  if (municipalityId === undefined) {
    municipalityId = role === 'staff' || role === 'admin' ? null : (await buildMunicipality(db)).id
  }
  hashed ??= hashPassword(PASSWORD)
  const n = next()
  const user = await db
    .insertInto('users')
    .values({
      email: `person-${n}@example.de`,
      name: `Person ${n}`,
      password_hash: await hashed,
      ...overrides,
      role,
      municipality_id: municipalityId,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { ...user, password: PASSWORD }
}
