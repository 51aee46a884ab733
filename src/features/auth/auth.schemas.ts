import { z } from 'zod'
import { emailField, type FieldErrors, optionalText, requiredText } from '../../lib/forms.ts'
import { passwordProblem } from '../../lib/passwords.ts'

export const loginSchema = z
  .object({
    email: z.string().trim().min(1, 'auth.emailRequired').max(254),
    password: z.string().min(1, 'auth.passwordRequired').max(1024),
    next: z.string().max(2000).optional(),
  })
  .strict()

export const languageSchema = z.object({ lang: z.enum(['de', 'en']), next: z.string().max(2000).optional() }).strict()

// "Sitzung verlängern": the page to return to, nothing else.
export const extendSessionSchema = z.object({ next: z.string().max(2000).optional() }).strict()

// Passwords are checked by passwordProblem (src/lib/passwords.ts); the schema only bounds the input.
const newPassword = z.string().min(1, 'auth.newPasswordRequired').max(1024, 'password.tooLong')

export const forgotSchema = z.object({ email: emailField }).strict()

export const resetSchema = z
  .object({ new_password: newPassword, new_password_confirm: z.string().max(1024) })
  .strict()

export const secondFactorSchema = z
  .object({ code: z.string().trim().min(1, 'auth.twoFactor.codeRequired').max(64), next: z.string().max(2000).optional() })
  .strict()

export const enableTotpSchema = z.object({ code: z.string().trim().min(1, 'auth.twoFactor.codeRequired').max(64) }).strict()

// Sensitive changes to the second factor are confirmed with the password; the two forms share a page,
// so their fields need distinct names (and ids).
const passwordConfirmation = z.string().min(1, 'auth.passwordRequired').max(1024)
export const regenerateCodesSchema = z.object({ password: passwordConfirmation }).strict()
export const disableTotpSchema = z.object({ disable_password: passwordConfirmation }).strict()

export const profileSchema = z
  .object({ name: requiredText(200), position: optionalText(200), locale: z.enum(['de', 'en']) })
  .strict()

export const changePasswordSchema = z
  .object({
    current_password: z.string().min(1, 'auth.passwordRequired').max(1024),
    new_password: newPassword,
    new_password_confirm: z.string().max(1024),
  })
  .strict()

/** The policy and the confirmation for a new password, as field errors of a form (null: fine). */
export function newPasswordErrors(
  form: { new_password: string; new_password_confirm: string },
  owner: { email: string; name: string; municipality_name: string | null },
): FieldErrors | null {
  const problem = passwordProblem(form.new_password, {
    email: owner.email,
    name: owner.name,
    municipalityName: owner.municipality_name,
  })
  if (problem) return { new_password: problem }
  if (form.new_password !== form.new_password_confirm) return { new_password_confirm: 'password.mismatch' }
  return null
}
