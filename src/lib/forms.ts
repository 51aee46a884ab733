import { z } from 'zod'
import { hasMessage } from './i18n.ts'

export type FieldErrors = Record<string, string>
export type FormResult<T> =
  | { ok: true; data: T }
  | { ok: false; errors: FieldErrors; values: Record<string, string> }

// Fields the framework adds to every form; a route's schema never needs to name them.
const transportFields = new Set(['_csrf'])
// Never sent back into a re-rendered form.
const secretFields = /password|passwort|code|token|_csrf/i

/**
 * Validates a submitted form against a strict zod object. On failure, returns i18n keys per field
 * and the values to put back into the form (secrets left out), so nothing the user typed is lost.
 */
export function parseForm<S extends z.ZodType>(schema: S, body: unknown): FormResult<z.output<S>> {
  const raw: Record<string, unknown> = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : {}
  for (const field of transportFields) delete raw[field]
  const result = schema.safeParse(raw)
  if (result.success) return { ok: true, data: result.data }
  return { ok: false, errors: issuesToErrors(result.error.issues), values: keepValues(raw) }
}

export function keepValues(raw: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {}
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'string' && !secretFields.test(k)) values[k] = v
  }
  return values
}

function issuesToErrors(issues: z.core.$ZodIssue[]): FieldErrors {
  const errors: FieldErrors = {}
  for (const issue of issues) {
    const field = issue.code === 'unrecognized_keys' ? '_form' : String(issue.path[0] ?? '_form')
    if (errors[field]) continue
    errors[field] = messageKeyFor(issue)
  }
  return errors
}

function messageKeyFor(issue: z.core.$ZodIssue): string {
  if (issue.message && hasMessage('de', issue.message)) return issue.message
  switch (issue.code) {
    case 'unrecognized_keys':
      return 'form.unknownField'
    case 'too_small':
      return issue.minimum === 1 ? 'form.requiredField' : 'form.invalid'
    case 'too_big':
      return 'form.tooLong'
    case 'invalid_type':
      return issue.input === undefined ? 'form.requiredField' : 'form.invalid'
    case 'invalid_format':
      return issue.format === 'email' ? 'form.email' : 'form.invalid'
    default:
      return 'form.invalid'
  }
}

/** A trimmed, required single-line text field. */
export const requiredText = (max = 200) => z.string().trim().min(1).max(max)
/** A trimmed optional text field: empty input becomes null. */
export const optionalText = (max = 200) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : null))
export const emailField = z.string().trim().toLowerCase().max(254).pipe(z.email())
