import { describe, expect, it } from 'vitest'
import { passwordProblem } from '../../../src/lib/passwords.ts'

const owner = { email: 'erika.muster@wolfenbuettel.de', name: 'Erika Muster', municipalityName: 'Wolfenbüttel' }

describe('password policy', () => {
  it('rejects common passwords, also with digits or symbols appended', () => {
    for (const password of ['passwort', 'Passwort1', 'passwort123', 'hallo123', '12345678', 'qwertyuiop', 'Sommer2024!']) {
      expect([password, passwordProblem(password, owner)]).toEqual([password, 'password.common'])
    }
  })

  it('rejects the own email address, its local part, the name and the municipality', () => {
    for (const password of ['erika.muster@wolfenbuettel.de', 'erika.muster', 'Erika Muster', 'wolfenbüttel', 'Wolfenbüttel2026']) {
      expect([password, passwordProblem(password, owner)]).toEqual([password, 'password.personal'])
    }
  })

  it('rejects fewer than 8 characters, counting umlauts as one', () => {
    expect(passwordProblem('kurz-7z', owner)).toBe('password.tooShort')
    expect(passwordProblem('äöüßäöü', owner)).toBe('password.tooShort')
    expect(passwordProblem('äöüßäöüx', owner)).toBeNull()
  })

  it('accepts 8 characters and long passphrases of 128 characters and more', () => {
    expect(passwordProblem('Kq7#vL2m', owner)).toBeNull()
    const long = 'Ein langer Satz über den Winterdienst in der Samtgemeinde. '.repeat(3).slice(0, 128)
    expect(long).toHaveLength(128)
    expect(passwordProblem(long, owner)).toBeNull()
    expect(passwordProblem('x'.repeat(200) + 'Y1!', owner)).toBeNull()
  })

  it('imposes no composition rules', () => {
    expect(passwordProblem('nurkleinbuchstabenhier', owner)).toBeNull()
  })
})
