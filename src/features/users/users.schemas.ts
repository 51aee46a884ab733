import { z } from 'zod'
import { badRequest, notFound } from '../../lib/errors.ts'
import { parseForm } from '../../lib/forms.ts'
import { roleNeedsMunicipality } from './users.access.ts'
import { roles } from './users.table.ts'

const idSchema = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) })

/** The numeric `:id` of a route; anything else is a page that does not exist. */
export function parseId(params: unknown): number {
  const parsed = idSchema.safeParse(params)
  if (!parsed.success) throw notFound()
  return parsed.data.id
}

const noFieldsSchema = z.object({}).strict()

/**
 * The `:id` a button-only form (deactivate, reactivate) acts on. Nothing but the CSRF token may be
 * posted: a smuggled field such as `municipality_id` makes the request invalid instead of changing scope.
 */
export function parseButtonForm(params: unknown, body: unknown): number {
  const id = parseId(params)
  if (!parseForm(noFieldsSchema, body).ok) throw badRequest('form.unknownField')
  return id
}

export const roleChangeSchema = z
  .object({
    role: z.enum(roles, { error: 'users.roleRequired' }),
    municipality_id: z
      .string()
      .trim()
      .regex(/^\d{0,9}$/, 'form.invalid')
      .optional()
      .transform((v) => (v ? Number(v) : null)),
  })
  .strict()
  .superRefine((form, ctx) => {
    if (roleNeedsMunicipality(form.role) && form.municipality_id === null) {
      ctx.addIssue({ code: 'custom', path: ['municipality_id'], message: 'users.municipalityRequired' })
    }
  })
  // Staff and admins belong to the association, not to a municipality.
  .transform((form) => ({ ...form, municipality_id: roleNeedsMunicipality(form.role) ? form.municipality_id : null }))

export const userStatuses = ['all', 'active', 'inactive'] as const

/** Filters of the user list: bad values fall back to "no filter" instead of failing the page. */
export const userListQuery = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  role: z.enum(roles).optional().catch(undefined),
  municipality: z.coerce.number().int().positive().max(2_147_483_647).optional().catch(undefined),
  status: z.enum(userStatuses).default('all').catch('all'),
  page: z.coerce.number().int().min(1).max(100_000).default(1).catch(1),
})

export type UserListFilters = z.output<typeof userListQuery>
