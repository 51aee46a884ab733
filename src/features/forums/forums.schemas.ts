import { z } from 'zod'
import { threadKinds } from '../threads/threads.table.ts'
import type { ListCursor } from './forums.queries.ts'

export const threadStates = ['solved', 'unsolved', 'unanswered'] as const

// An empty select ("Alle") arrives as ''; it means no filter.
const blankToUndefined = (v: unknown) => (v === '' ? undefined : v)

/** The filters and the position of a forum page; anything malformed is a bad request, never a guess. */
export const forumPageQuery = z.object({
  kind: z.preprocess(blankToUndefined, z.enum(threadKinds).optional()),
  state: z.preprocess(blankToUndefined, z.enum(threadStates).optional()),
  district: z.preprocess(blankToUndefined, z.string().trim().max(200).optional()),
  after: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[01]\.-?\d{1,17}\.\d{1,10}$/)
      .refine((v) => Number(v.split('.')[2]) <= 2_147_483_647)
      .optional(),
  ),
})
export type ForumPageQuery = z.output<typeof forumPageQuery>

export function encodeCursor(cursor: ListCursor): string {
  return `${cursor.pinned ? 1 : 0}.${cursor.micros}.${cursor.id}`
}

export function decodeCursor(value: string | undefined): ListCursor | null {
  if (!value) return null
  const [pinned, micros, id] = value.split('.')
  return { pinned: pinned === '1', micros: micros!, id: Number(id) }
}
