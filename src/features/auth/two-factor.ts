import { randomInt } from 'node:crypto'
import { Secret, TOTP } from 'otpauth'
import { hashToken } from '../../lib/tokens.ts'

// RFC 6238 defaults, the only settings every authenticator app understands.
const PERIOD_SECONDS = 30
const ISSUER = 'Kommunalforum'
export const RECOVERY_CODE_COUNT = 10
// No 0/o, 1/l/i: codes are typed from paper. 12 of 31 symbols ≈ 59 bits.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'
const RECOVERY_LENGTH = 12

/** A fresh 160-bit TOTP secret in base32, as authenticator apps expect it. */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32
}

function totp(secret: string, label: string) {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) })
}

/** The otpauth:// URI a QR code carries. */
export function totpUri(secret: string, email: string): string {
  return totp(secret, email).toString()
}

/** The secret in blocks of four, for typing it in by hand. */
export function groupSecret(secret: string): string {
  return secret.match(/.{1,4}/g)?.join(' ') ?? secret
}

export function looksLikeTotpCode(input: string): boolean {
  return /^\d{6}$/.test(input.replace(/\s+/g, ''))
}

/**
 * The time step a 6-digit code belongs to, accepting one step of clock drift either way; null when the
 * code does not match. The caller must still make sure the step was not used before (claimTotpStep).
 */
export function matchTotp(secret: string, code: string, now: Date): number | null {
  const token = code.replace(/\s+/g, '')
  if (!/^\d{6}$/.test(token)) return null
  const timestamp = now.getTime()
  const delta = totp(secret, '').validate({ token, timestamp, window: 1 })
  if (delta === null) return null
  return Math.floor(timestamp / 1000 / PERIOD_SECONDS) + delta
}

/** Ten one-time codes shown once; only their hashes (salted with the user id) are stored. */
export function newRecoveryCodes(userId: number): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = Array.from({ length: RECOVERY_LENGTH }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('')
    return raw.match(/.{4}/g)!.join('-')
  })
  return { codes, hashes: codes.map((code) => recoveryCodeHash(userId, code)) }
}

/** Case, spaces and dashes do not matter when a recovery code is typed in. */
export function recoveryCodeHash(userId: number, input: string): string {
  const normalized = input.toLowerCase().replace(/[\s-]+/g, '')
  return hashToken(`${userId}:${normalized}`)
}
