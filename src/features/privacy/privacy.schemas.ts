import { z } from 'zod'
import { notFound } from '../../lib/errors.ts'

/** Closing one's own account: what happens to the posts, the password, the code if a second factor is set, and a yes. */
export const closeAccountSchema = z
  .object({
    posts: z.enum(['keep', 'delete'], { error: 'privacy.close.postsRequired' }),
    password: z.string().min(1, 'auth.passwordRequired').max(1024),
    code: z.string().trim().max(64).optional(),
    confirm: z.literal('yes', { error: 'privacy.close.confirmRequired' }),
  })
  .strict()

/** An admin erasing an account: what happens to the posts, and a yes. */
export const eraseAccountSchema = z
  .object({
    posts: z.enum(['keep', 'delete'], { error: 'privacy.close.postsRequired' }),
    confirm: z.literal('yes', { error: 'privacy.close.confirmRequired' }),
  })
  .strict()

export const noFieldsSchema = z.object({}).strict()

const exportIdSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9_-]{24}$/) })

/** The random id of an export in a URL; anything else does not exist. */
export function parseExportId(params: unknown): string {
  const parsed = exportIdSchema.safeParse(params)
  if (!parsed.success) throw notFound()
  return parsed.data.id
}
