import type { Role } from '../users/users.table.ts'
import type { ThreadKind } from './threads.table.ts'

/**
 * Who may do what with a thread or post: pure functions, so a table of cases tests them directly and
 * the routes apply the very same rules. Staff means the association's staff and admins.
 */
export type Actor = { id: number; role: Role; municipality_id: number | null }
export type ThreadState = {
  author_id: number
  municipality_id: number | null
  kind: ThreadKind
  locked_at: Date | null
  deleted_at: Date | null
  solution_post_id: number | null
}
export type PostState = {
  id: number
  author_id: number
  position: number
  deleted_at: Date | null
  hidden_at: Date | null
}

export function isStaff(actor: Pick<Actor, 'role'>): boolean {
  return actor.role === 'staff' || actor.role === 'admin'
}

/** Replies: anyone while the thread is open; in a locked thread only staff. */
export function canReply(actor: Actor, thread: ThreadState): boolean {
  if (thread.deleted_at) return false
  return !thread.locked_at || isStaff(actor)
}

/**
 * The author edits their own text while it is visible and the thread open; staff always may.
 * A hidden post stays as it is: its author must not quietly replace what was hidden.
 */
export function canEdit(actor: Actor, post: PostState, thread: ThreadState): boolean {
  if (post.deleted_at) return false
  if (isStaff(actor)) return true
  return post.author_id === actor.id && !post.hidden_at && !thread.locked_at
}

/** Authors may always take their own words back (also in a locked thread); staff may delete any post. */
export function canDelete(actor: Actor, post: PostState): boolean {
  if (post.deleted_at) return false
  return isStaff(actor) || post.author_id === actor.id
}

export function canRestore(actor: Actor, post: PostState): boolean {
  return isStaff(actor) && post.deleted_at !== null
}

/** Staff read what was deleted or hidden; everyone else sees the placeholder. */
export function canSeeRemovedText(actor: Actor): boolean {
  return isStaff(actor)
}

export function canSeeHistory(actor: Actor): boolean {
  return isStaff(actor)
}

/** The asker or staff mark one visible reply of a question as its solution. */
export function canMarkSolution(actor: Actor, thread: ThreadState, post: PostState): boolean {
  if (thread.kind !== 'question' || thread.deleted_at) return false
  if (post.position === 1 || post.deleted_at || post.hidden_at) return false
  return isStaff(actor) || thread.author_id === actor.id
}

export function canClearSolution(actor: Actor, thread: ThreadState): boolean {
  if (thread.kind !== 'question' || thread.solution_post_id === null) return false
  return isStaff(actor) || thread.author_id === actor.id
}

/** "Übernommen": a member of another municipality than the author's marks a best practice for their town. */
export function canAdopt(actor: Actor, thread: ThreadState): boolean {
  if (thread.kind !== 'best_practice' || thread.deleted_at) return false
  if (actor.municipality_id === null) return false
  return actor.municipality_id !== thread.municipality_id
}

/** "Betrifft uns auch" speaks for a municipality: only its members can set or withdraw it. */
export function canConcern(actor: Actor, thread: ThreadState): boolean {
  return actor.municipality_id !== null && !thread.deleted_at
}

/** "Hilfreich": one per person and post, never on one's own or on a removed post. */
export function canMarkHelpful(actor: Actor, post: PostState): boolean {
  return post.author_id !== actor.id && !post.deleted_at && !post.hidden_at
}
