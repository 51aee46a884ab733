import { z } from 'zod'
import { emailField, requiredText } from '../../lib/forms.ts'

export const firstAdminSchema = z
  .object({
    name: requiredText(200),
    email: emailField,
    password: z.string().min(1).max(1024),
    password_confirm: z.string().max(1024),
  })
  .strict()

export const adminInvitationInput = z.object({ email: emailField, name: requiredText(200) }).strict()
