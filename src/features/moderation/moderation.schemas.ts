import { z } from 'zod'

export const REASON_MAX = 1000

/** A report ("melden") or the reason a post is hidden: required, at most 1000 characters. */
export const reasonSchema = z
  .object({ reason: z.string().trim().min(1, 'moderation.reasonRequired').max(REASON_MAX, 'moderation.reasonTooLong') })
  .strict()

export const moveSchema = z.object({ forum: z.string().trim().min(1, 'moderation.forumRequired').max(80) }).strict()
