import { z } from 'zod'
import { badRequest, notFound } from '../../lib/errors.ts'
import { parseForm } from '../../lib/forms.ts'

export const watchChoices = ['watching', 'muted', 'none'] as const

const watchFormSchema = z.object({ level: z.enum(watchChoices) }).strict()

/** The watch buttons post one of the three levels; anything else is not a form we sent. */
export function parseWatchForm(body: unknown) {
  const form = parseForm(watchFormSchema, body)
  if (!form.ok) throw badRequest()
  return form.data.level
}

const slugSchema = z.object({ slug: z.string().regex(/^[a-z0-9-]{1,80}$/) })

export function parseSlug(params: unknown): string {
  const parsed = slugSchema.safeParse(params)
  if (!parsed.success) throw notFound()
  return parsed.data.slug
}

/** `?before=<id>` pages back in time; a bad value means the first page. */
export const notificationListQuery = z.object({
  before: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
})

export const noFieldsSchema = z.object({}).strict()
