import { z } from 'zod'

/** The kinds offered in the form; the stored value is the German word (as in the import format). */
export const municipalityKinds = [
  'Stadt',
  'Gemeinde',
  'Samtgemeinde',
  'Einheitsgemeinde',
  'Flecken',
  'Landkreis',
  'Region',
  'Sonstige',
] as const

export const municipalitySchema = z
  .object({
    name: z.string().trim().min(1, 'municipalities.nameRequired').max(200, 'form.tooLong'),
    kind: z.enum(municipalityKinds, { error: 'municipalities.kindRequired' }),
    district: z.string().trim().min(1, 'municipalities.districtRequired').max(200, 'form.tooLong'),
    // Spaces typed for readability ("03 1 58 037") are dropped; otherwise exactly eight digits or nothing.
    ags: z
      .string()
      .transform((v) => v.replace(/\s+/g, ''))
      .pipe(z.string().regex(/^(\d{8})?$/, 'municipalities.agsFormat'))
      .optional()
      .transform((v) => v || null),
  })
  .strict()

export type MunicipalityInput = z.output<typeof municipalitySchema>

export const municipalityListQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
})
