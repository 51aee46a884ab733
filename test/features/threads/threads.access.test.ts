import { describe, expect, it } from 'vitest'
import {
  type Actor,
  canAdopt,
  canClearSolution,
  canConcern,
  canDelete,
  canEdit,
  canMarkHelpful,
  canMarkSolution,
  canReply,
  canRestore,
  type PostState,
  type ThreadState,
} from '../../../src/features/threads/threads.access.ts'

const TOWN = 10
const OTHER_TOWN = 20
const author: Actor = { id: 1, role: 'member', municipality_id: TOWN }
const colleague: Actor = { id: 2, role: 'member', municipality_id: TOWN }
const stranger: Actor = { id: 3, role: 'member', municipality_id: OTHER_TOWN }
const contact: Actor = { id: 4, role: 'municipality_admin', municipality_id: OTHER_TOWN }
const staff: Actor = { id: 5, role: 'staff', municipality_id: null }
const admin: Actor = { id: 6, role: 'admin', municipality_id: null }

const when = new Date('2026-03-01T00:00:00Z')
const thread = (overrides: Partial<ThreadState> = {}): ThreadState => ({
  author_id: author.id,
  municipality_id: TOWN,
  kind: 'question',
  locked_at: null,
  deleted_at: null,
  solution_post_id: null,
  ...overrides,
})
const post = (overrides: Partial<PostState> = {}): PostState => ({
  id: 100,
  author_id: author.id,
  position: 2,
  deleted_at: null,
  hidden_at: null,
  ...overrides,
})

describe('canEdit', () => {
  it.each([
    ['the author', author, post(), thread(), true],
    ['a colleague of the same town', colleague, post(), thread(), false],
    ['another member', stranger, post(), thread(), false],
    ['a municipality contact', contact, post(), thread(), false],
    ['staff', staff, post(), thread(), true],
    ['an admin', admin, post(), thread(), true],
    ['the author, post deleted', author, post({ deleted_at: when }), thread(), false],
    ['staff, post deleted', staff, post({ deleted_at: when }), thread(), false],
    ['the author, post hidden', author, post({ hidden_at: when }), thread(), false],
    ['staff, post hidden', staff, post({ hidden_at: when }), thread(), true],
    ['the author, thread locked', author, post(), thread({ locked_at: when }), false],
    ['staff, thread locked', staff, post(), thread({ locked_at: when }), true],
  ])('%s → %s', (_who, actor, p, th, expected) => {
    expect(canEdit(actor, p, th)).toBe(expected)
  })
})

describe('canDelete and canRestore', () => {
  it.each([
    ['the author', author, post(), true],
    ['another member', stranger, post(), false],
    ['a colleague', colleague, post(), false],
    ['staff', staff, post(), true],
    ['admin', admin, post(), true],
    ['the author, already deleted', author, post({ deleted_at: when }), false],
  ])('delete: %s → %s', (_who, actor, p, expected) => {
    expect(canDelete(actor, p)).toBe(expected)
  })

  it.each([
    ['the author', author, false],
    ['another member', stranger, false],
    ['staff', staff, true],
    ['admin', admin, true],
  ])('restore a deleted post: %s → %s', (_who, actor, expected) => {
    expect(canRestore(actor, post({ deleted_at: when }))).toBe(expected)
  })

  it('nothing to restore on a post that is not deleted', () => {
    expect(canRestore(staff, post())).toBe(false)
  })
})

describe('canMarkSolution', () => {
  it.each([
    ['the asker', author, thread(), post({ author_id: stranger.id }), true],
    ['staff', staff, thread(), post({ author_id: stranger.id }), true],
    ['the reply author', stranger, thread(), post({ author_id: stranger.id }), false],
    ['a colleague of the asker', colleague, thread(), post({ author_id: stranger.id }), false],
    ['the asker, opening post', author, thread(), post({ position: 1 }), false],
    ['the asker, discussion', author, thread({ kind: 'discussion' }), post(), false],
    ['the asker, best practice', author, thread({ kind: 'best_practice' }), post(), false],
    ['the asker, deleted reply', author, thread(), post({ deleted_at: when }), false],
    ['the asker, hidden reply', author, thread(), post({ hidden_at: when }), false],
  ])('%s → %s', (_who, actor, th, p, expected) => {
    expect(canMarkSolution(actor, th, p)).toBe(expected)
  })

  it('only the asker or staff withdraw a solution, and only when there is one', () => {
    expect(canClearSolution(author, thread({ solution_post_id: 7 }))).toBe(true)
    expect(canClearSolution(staff, thread({ solution_post_id: 7 }))).toBe(true)
    expect(canClearSolution(stranger, thread({ solution_post_id: 7 }))).toBe(false)
    expect(canClearSolution(author, thread())).toBe(false)
  })
})

describe('canAdopt and canConcern', () => {
  const practice = thread({ kind: 'best_practice' })
  it.each([
    ['a member of another town', stranger, practice, true],
    ['a municipality contact of another town', contact, practice, true],
    ['the author', author, practice, false],
    ["a colleague of the author's town", colleague, practice, false],
    ['staff without a municipality', staff, practice, false],
    ['admin without a municipality', admin, practice, false],
    ['another town, but a question', stranger, thread(), false],
    ['another town, deleted thread', stranger, thread({ kind: 'best_practice', deleted_at: when }), false],
  ])('adopt: %s → %s', (_who, actor, th, expected) => {
    expect(canAdopt(actor, th)).toBe(expected)
  })

  it.each([
    ['a member of another town', stranger, true],
    ["the author's town", colleague, true],
    ['staff without a municipality', staff, false],
    ['admin without a municipality', admin, false],
  ])('concern: %s → %s', (_who, actor, expected) => {
    expect(canConcern(actor, thread())).toBe(expected)
  })
})

describe('canReply and canMarkHelpful', () => {
  it('a locked thread takes replies from staff only', () => {
    expect(canReply(stranger, thread())).toBe(true)
    expect(canReply(stranger, thread({ locked_at: when }))).toBe(false)
    expect(canReply(staff, thread({ locked_at: when }))).toBe(true)
    expect(canReply(staff, thread({ deleted_at: when }))).toBe(false)
  })

  it('"hilfreich" never on one\'s own or a removed post', () => {
    expect(canMarkHelpful(stranger, post())).toBe(true)
    expect(canMarkHelpful(author, post())).toBe(false)
    expect(canMarkHelpful(stranger, post({ deleted_at: when }))).toBe(false)
    expect(canMarkHelpful(stranger, post({ hidden_at: when }))).toBe(false)
  })
})
