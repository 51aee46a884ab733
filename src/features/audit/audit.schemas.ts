import { z } from 'zod'

/** Filters of the log page: a bad value falls back to "no filter" instead of failing the page. */
export const auditListQuery = z.object({
  action: z
    .string()
    .trim()
    .max(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  before: z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional().catch(undefined),
})
