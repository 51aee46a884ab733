import { z } from 'zod'
import { stemsOf } from './trends.text.ts'

/** `?at=` on every dashboard view: a moment in the past (ISO 8601 or a date); a bad value means now. */
export const asOfQuery = z.object({
  at: z
    .string()
    .trim()
    .max(40)
    .optional()
    .catch(undefined)
    .transform((v) => {
      if (!v) return undefined
      const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T23:59:59.999Z` : v)
      return Number.isNaN(d.getTime()) ? undefined : d
    }),
})

/** A stem as shown in drill-down URLs: lower-case letters. */
export const stemParams = z.object({ stem: z.string().min(1).max(60).regex(/^[\p{Ll}\p{N}-]+$/u) })

export const radarTables = ['unanswered.csv', 'unanswered-groups.csv', 'silent.csv', 'participation.csv', 'activity.csv'] as const
export const radarTableParams = z.object({ table: z.enum(radarTables) })

export const WATCH_TERM_MAX = 60

/** A term to watch: a word or short phrase with at least one word the engine counts (not a stop word). */
export const watchTermForm = z
  .object({
    term: z
      .string()
      .transform((v) => v.replace(/\s+/g, ' ').trim())
      .pipe(
        z
          .string()
          .min(1, 'trends.watch.error.empty')
          .max(WATCH_TERM_MAX, 'trends.watch.error.tooLong')
          .refine((v) => stemsOf(v).size > 0, 'trends.watch.error.noTopic'),
      ),
  })
  .strict()

export const watchTermParams = z.object({ id: z.coerce.number().int().positive().max(2 ** 31 - 1) })
/** `?sort=` of the district table: a column from this list, else by name. */
export const districtSorts = ['district', 'municipalities', 'active', 'threads', 'posts', 'rise', 'unanswered', 'trends'] as const
export type DistrictSort = (typeof districtSorts)[number]
export const districtsQuery = z.object({ sort: z.enum(districtSorts).catch('district').default('district') })

/** A district as named in municipalities.district (URL-encoded in the path). */
export const districtParams = z.object({ district: z.string().trim().min(1).max(200) })
export const districtTables = ['weeks.csv', 'municipalities.csv', 'trends.csv', 'unanswered.csv'] as const
export const districtTableParams = districtParams.extend({ table: z.enum(districtTables) })
