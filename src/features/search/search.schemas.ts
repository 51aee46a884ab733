import { z } from 'zod'
import { threadKinds } from '../threads/threads.table.ts'

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v)
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankToUndefined, schema.optional())

/** A calendar day as <input type="date"> sends it, and a real one (no 31 February). */
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'search.invalidDate')
  .refine((v) => {
    const date = new Date(`${v}T00:00:00Z`)
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(v)
  }, 'search.invalidDate')

export const searchQuery = z
  .object({
    q: z.string().max(500).optional().default(''),
    forum: optional(z.string().max(100)),
    kind: optional(z.enum(threadKinds)),
    municipality: optional(z.coerce.number().int().positive().max(2_147_483_647)),
    district: optional(z.string().max(200)),
    from: optional(day),
    to: optional(day),
    page: optional(z.coerce.number().int().min(1).max(1000)),
  })
  .strict()
  .refine((v) => !v.from || !v.to || v.from <= v.to, { message: 'search.dateOrder', path: ['to'] })

export const similarQuery = z
  .object({
    title: z.string().max(500).default(''),
    exclude: optional(z.coerce.number().int().positive().max(2_147_483_647)),
  })
  .strict()
