import { z } from 'zod'

const text = z.string().trim().max(200).optional().catch(undefined).transform((v) => v || undefined)

/** Filters of the member directory: bad values fall back to "no filter" instead of failing the page. */
export const peopleQuery = z.object({
  q: text,
  handle: text,
  municipality: text,
  district: text,
  position: text,
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
})
