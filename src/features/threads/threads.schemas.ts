import { z } from 'zod'
import { notFound } from '../../lib/errors.ts'
import { optionalText } from '../../lib/forms.ts'
import type { UploadedFile } from '../../plugins/security.ts'
import { type ThreadKind, threadKinds } from './threads.table.ts'

export const TITLE_MAX = 200
export const BODY_MAX = 50_000
const BP_FIELD_MAX = 10_000

const title = z.string().trim().min(1, 'threads.titleRequired').max(TITLE_MAX, 'threads.titleTooLong')
const body = z.string().trim().min(1, 'threads.bodyRequired').max(BODY_MAX, 'threads.bodyTooLong')

function isUpload(value: unknown): value is UploadedFile {
  return !!value && typeof value === 'object' && 'filename' in value && 'data' in value
}

/** The `files` input of a multipart form: one file or several; an input left empty arrives without a name. */
const files = z
  .unknown()
  .optional()
  .transform((v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter(isUpload).filter((f) => f.filename !== ''))

/** Which submit button was pressed: "Vorschau" re-renders the form, anything else publishes. */
const action = z.enum(['preview', 'publish']).default('publish')

const bestPractice = {
  bp_situation: optionalText(BP_FIELD_MAX),
  bp_approach: optionalText(BP_FIELD_MAX),
  bp_effort: optionalText(BP_FIELD_MAX),
  bp_contact: optionalText(1_000),
}

type BestPracticeFields = { bp_situation: string | null; bp_approach: string | null }

/** Situation and approach are what makes a best practice worth copying: required for that kind. */
function requireBestPracticeParts(value: BestPracticeFields, ctx: z.RefinementCtx) {
  if (!value.bp_situation) ctx.addIssue({ code: 'custom', path: ['bp_situation'], message: 'threads.bp.situationRequired' })
  if (!value.bp_approach) ctx.addIssue({ code: 'custom', path: ['bp_approach'], message: 'threads.bp.approachRequired' })
}

export const newThreadSchema = z
  .object({ kind: z.enum(threadKinds, { error: 'threads.kindRequired' }), title, body, ...bestPractice, files, action })
  .strict()
  .superRefine((value, ctx) => {
    if (value.kind === 'best_practice') requireBestPracticeParts(value, ctx)
  })
export type NewThreadInput = z.output<typeof newThreadSchema>

export const replySchema = z.object({ body, files, action }).strict()

/** The "entfernen" checkboxes of an edit form: the ids of attachments to take off the post. */
const remove = z.preprocess(
  (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]),
  z.array(z.coerce.number().int().positive().max(2_147_483_647)).max(50),
)
const attachmentChanges = { files, remove }

/** Only the removals, to keep the boxes ticked when the preview re-renders the form. */
const removalsSchema = z.object({ remove }).strict()

/**
 * The attachments ticked "entfernen" in an edit form, read on their own so a preview or a form with
 * errors shows them ticked again; anything malformed counts as nothing ticked.
 */
export function tickedRemovals(body: unknown): number[] {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>).remove : undefined
  const parsed = removalsSchema.safeParse({ remove: value })
  return parsed.success ? parsed.data.remove : []
}

export const editReplySchema = z.object({ body, ...attachmentChanges, action }).strict()

/** The opening post's edit also changes the title and, for a best practice, its structured parts. */
export function editOpeningSchema(kind: ThreadKind) {
  if (kind !== 'best_practice') return z.object({ title, body, ...attachmentChanges, action }).strict()
  return z
    .object({ title, body, ...bestPractice, ...attachmentChanges, action })
    .strict()
    .superRefine((value, ctx) => requireBestPracticeParts(value, ctx))
}

/** A toggle states the wanted outcome, so a double submit does not flip it back. */
export const toggleSchema = z.object({ set: z.enum(['0', '1']) }).strict()

export const noFieldsSchema = z.object({}).strict()

const idSchema = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })

export function parseId(params: unknown): number {
  const parsed = idSchema.safeParse(params)
  if (!parsed.success) throw notFound()
  return parsed.data.id
}

export const threadPageQuery = z.object({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
})

export const replyPageQuery = z.object({
  quote: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
})

export const newThreadQuery = z.object({
  kind: z.enum(threadKinds).optional().catch(undefined),
})
