import { z } from 'zod'
import { emailField, optionalText, requiredText } from '../../lib/forms.ts'
import { roles } from '../users/users.table.ts'
import { invitationStates } from './invitations.access.ts'

const localeField = z.enum(['de', 'en']).default('de')
/** A municipality id from a select; the empty choice becomes null. */
const municipalityField = z
  .string()
  .trim()
  .regex(/^\d{0,9}$/)
  .optional()
  .transform((v) => (v ? Number(v) : null))

export const invitationSchema = z
  .object({
    email: emailField,
    name: optionalText(200),
    role: z.enum(roles, 'invitations.error.roleRequired'),
    // Used for admins only: a municipality admin's invitations always go to their own municipality.
    municipality_id: municipalityField,
    locale: localeField,
  })
  .strict()

// multipart: a file arrives as { filename, mimetype, data } (see plugins/security.ts); data is empty when none was chosen.
export const bulkUploadSchema = z
  .object({
    file: z.object({ filename: z.string(), mimetype: z.string(), data: z.instanceof(Buffer) }).optional(),
    csv: z.string().max(200_000, 'invitations.bulk.tooLarge').optional(),
    municipality_id: municipalityField,
    locale: localeField,
  })
  .strict()

export const bulkSendSchema = z
  .object({
    csv: z.string().min(1).max(200_000, 'invitations.bulk.tooLarge'),
    municipality_id: municipalityField,
    locale: localeField,
  })
  .strict()

/** Query string of the list: anything unexpected or malformed is simply ignored. */
export const listQuerySchema = z.object({
  municipality: z.coerce.number().int().positive().optional().catch(undefined),
  state: z.enum(invitationStates).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).default(1).catch(1),
})

export const newQuerySchema = z.object({
  municipality: z.coerce.number().int().positive().optional().catch(undefined),
  // Preselects the role, e.g. "invite the contact person" from a municipality's page.
  role: z.enum(roles).optional().catch(undefined),
})

export const idParamSchema = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })

// Email, role and municipality come from the invitation row: the acceptance form names none of them.
export const acceptSchema = z
  .object({
    name: requiredText(200),
    position: optionalText(200),
    password: z.string().min(1, 'form.requiredField').max(1024, 'password.tooLong'),
    password_confirm: z.string().max(1024),
  })
  .strict()

export const tokenParamSchema = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,100}$/) })
