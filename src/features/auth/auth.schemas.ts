import { z } from 'zod'

export const loginSchema = z
  .object({
    email: z.string().trim().min(1, 'auth.emailRequired').max(254),
    password: z.string().min(1, 'auth.passwordRequired').max(1024),
    next: z.string().max(2000).optional(),
  })
  .strict()

export const languageSchema = z.object({ lang: z.enum(['de', 'en']), next: z.string().max(2000).optional() }).strict()
