import argon2 from 'argon2'
import { dictionary } from '@zxcvbn-ts/language-common'

// OWASP's minimum for argon2id; raising these makes every login rehash the stored hash.
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const

export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 256

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS)
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password)
  } catch {
    return false
  }
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, ARGON2_OPTIONS)
}

let dummyHash: Promise<string> | undefined
/** Unknown accounts are verified against this, so a login takes as long for them as for real ones. */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('kein-echtes-passwort-' + Math.random())
  return dummyHash
}

// ~49,000 most common passwords from breach corpora (zxcvbn-ts), compared case-insensitively.
const commonPasswords = new Set<string>((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()))

/** Returns the i18n key of the first rule the password breaks, or null. No composition rules. */
export function passwordProblem(
  password: string,
  context: { email?: string | null; municipalityName?: string | null; name?: string | null },
): string | null {
  if ([...password].length < PASSWORD_MIN) return 'password.tooShort'
  if (password.length > PASSWORD_MAX) return 'password.tooLong'
  const lower = password.toLowerCase().trim()
  // "passwort123", "Hallo2024!": a common password with digits or symbols appended is just as guessable.
  const base = lower.replace(/[\p{N}\p{P}\p{S}\s]+$/u, '')
  if (commonPasswords.has(lower) || (base.length >= 4 && commonPasswords.has(base))) return 'password.common'
  const personal = [context.email, context.email?.split('@')[0], context.municipalityName, context.name]
    .filter((v): v is string => !!v && v.length >= 3)
    .map((v) => v.toLowerCase())
  if (personal.some((p) => lower === p || (p.length >= 5 && lower.includes(p)))) return 'password.personal'
  return null
}
