import { z } from 'zod'
import { requiredText } from '../../lib/forms.ts'
import { sitePageSlugs } from './pages.table.ts'

export const slugParam = z.enum(sitePageSlugs)

export const PAGE_BODY_MAX = 100_000

/** The edit form has two buttons: "Vorschau" re-renders the form, "Speichern" stores. */
export const editPageSchema = z
  .object({
    title: requiredText(200),
    body: z.string().trim().min(1).max(PAGE_BODY_MAX),
    action: z.enum(['preview', 'save']).default('save'),
  })
  .strict()
