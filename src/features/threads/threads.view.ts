import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import type { Locale } from '../../lib/i18n.ts'
import { t } from '../../lib/i18n.ts'
import { type MentionLink, renderMarkdown } from '../../lib/markdown.ts'
import { attachmentView } from '../attachments/attachments.service.ts'
import { mentionLinks } from '../people/people.links.ts'
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
  canSeeHistory,
  canSeeRemovedText,
  isStaff,
} from './threads.access.ts'
import { type DisplayedPost, POSTS_PER_PAGE, type ThreadPage, type ThreadRow } from './threads.queries.ts'

const bestPracticeKeys = ['situation', 'approach', 'effort', 'contact'] as const

/** Page of a post: positions never shift, so a permalink always lands on the same page. */
export function pageOfPosition(position: number): number {
  return Math.max(1, Math.ceil(position / POSTS_PER_PAGE))
}

export function postUrl(threadId: number, position: number, postId: number): string {
  const page = pageOfPosition(position)
  return `/threads/${threadId}${page > 1 ? `?page=${page}` : ''}#post-${postId}`
}

/** A Markdown blockquote of a post that names its author, to start a reply with. */
export function quoteOf(post: { author_name: string; body: string }, locale: Locale): string {
  const quoted = post.body
    .trim()
    .split(/\r?\n/)
    .map((line) => (line ? `> ${line}` : '>'))
    .join('\n')
  return `> **${t(locale, 'threads.quoteWrote', { name: post.author_name })}**\n>\n${quoted}\n\n`
}

export function forumName(thread: Pick<ThreadRow, 'forum_name_de' | 'forum_name_en'>, locale: Locale): string {
  return locale === 'en' ? thread.forum_name_en : thread.forum_name_de
}

/** What the page's Markdown may mention (@handle): the best practice parts, the solution and the posts shown. */
export function mentionSources(actor: Actor, page: ThreadPage): string[] {
  const parts = bestPracticeKeys.map((part) => page.thread[`bp_${part}`] ?? '')
  const solution = shownSolution(page) ? page.solution!.body : ''
  return [...parts, solution, ...page.posts.filter((post) => showsText(actor, post)).map((post) => post.body)]
}

function shownSolution(page: ThreadPage) {
  const solution = page.solution
  return solution && !solution.deleted_at && !solution.hidden_at ? solution : undefined
}

/** The header of a thread page: kind, forum, author, structured best practice parts, marks and the solution. */
export function threadHeader(actor: Actor, page: ThreadPage, links: MentionLink, locale: Locale) {
  const { thread, concerns, adoptions } = page
  const solution = shownSolution(page)
  const mine = (marks: { id: number }[]) => marks.some((m) => m.id === actor.municipality_id)
  return {
    id: thread.id,
    title: thread.title,
    kind: thread.kind,
    isQuestion: thread.kind === 'question',
    isBestPractice: thread.kind === 'best_practice',
    forumSlug: thread.forum_slug,
    forumName: forumName(thread, locale),
    authorName: thread.author_erased_at ? formerMember(locale, thread.municipality_name) : thread.author_name,
    authorPosition: thread.author_position,
    municipalityName: thread.municipality_name,
    createdAt: thread.created_at,
    pinned: thread.pinned_at !== null,
    locked: thread.locked_at !== null,
    deleted: thread.deleted_at !== null,
    hidden: thread.deleted_at !== null,
    concerns: { count: concerns.length, names: concerns.map((m) => m.name), mine: mine(concerns), canToggle: canConcern(actor, thread) },
    adoptions: {
      count: adoptions.length,
      names: adoptions.map((m) => m.name),
      mine: mine(adoptions),
      canToggle: canAdopt(actor, thread),
    },
    solution: solution
      ? {
          id: solution.id,
          url: postUrl(thread.id, solution.position, solution.id),
          authorName: solution.author_name,
          municipalityName: solution.municipality_name,
          html: renderMarkdown(solution.body, links),
        }
      : undefined,
    watchLevel: page.viewer.watchLevel,
    canClearSolution: canClearSolution(actor, thread),
    canReply: canReply(actor, thread),
  }
}

/** The structured parts of a best practice (situation, approach, …) that it has, as HTML: shown below its opening post. */
function bestPracticeSections(thread: ThreadRow, links: MentionLink, locale: Locale) {
  return bestPracticeKeys
    .map((part) => ({ heading: t(locale, `threads.bp.${part}`), source: thread[`bp_${part}`] }))
    .filter((section) => section.source)
    .map((section) => ({ heading: section.heading, html: renderMarkdown(section.source!, links) }))
}

/** The posts of one page, each with what the viewer may do with it. */
export function postViews(actor: Actor, page: ThreadPage, links: MentionLink, locale: Locale = 'de') {
  const { thread } = page
  const replyOpen = canReply(actor, thread)
  return page.posts.map((post) =>
    postView(actor, thread, { ...post, author_name: post.author_erased_at ? formerMember(locale, post.municipality_name) : post.author_name }, {
      links,
      bestPractice: post.position === 1 ? bestPracticeSections(thread, links, locale) : [],
      attachments: (post.attachments ?? []).map(attachmentView),
      helpfulCount: post.helpful_count ?? 0,
      helpedByMe: !!post.helped_by_me,
      replyOpen,
      // "Beitrag 7": named once here, printed by up to seven of the post's links and buttons.
      label: t(locale, 'threads.postLabel', { position: post.position }),
    }),
  )
}

/** Deleted and hidden text is shown to staff only. */
function showsText(actor: Actor, post: DisplayedPost): boolean {
  return (post.deleted_at === null && post.hidden_at === null) || canSeeRemovedText(actor)
}

function postView(
  actor: Actor,
  thread: ThreadRow,
  post: DisplayedPost,
  extra: {
    links: MentionLink
    bestPractice: { heading: string; html: string }[]
    attachments: unknown[]
    helpfulCount: number
    helpedByMe: boolean
    replyOpen: boolean
    label: string
  },
) {
  const removed = post.deleted_at !== null || post.hidden_at !== null
  const showText = showsText(actor, post)
  return {
    id: post.id,
    threadId: thread.id,
    position: post.position,
    label: extra.label,
    isOpening: post.position === 1,
    authorName: post.author_name,
    authorPosition: post.author_position,
    municipalityName: post.municipality_name,
    createdAt: post.created_at,
    editedAt: post.edited_at,
    deleted: post.deleted_at !== null,
    hidden: post.hidden_at !== null,
    hiddenReason: post.hidden_reason,
    isOwn: post.author_id === actor.id,
    html: showText ? renderMarkdown(post.body, extra.links) : undefined,
    bestPractice: showText ? extra.bestPractice : [],
    attachments: removed && !isStaff(actor) ? [] : extra.attachments,
    helpfulCount: extra.helpfulCount,
    helpedByMe: extra.helpedByMe,
    isSolution: thread.solution_post_id === post.id,
    canHelpful: canMarkHelpful(actor, post),
    canQuote: extra.replyOpen && !removed,
    canEdit: canEdit(actor, post, thread),
    canDelete: canDelete(actor, post),
    canRestore: canRestore(actor, post),
    canMarkSolution: canMarkSolution(actor, thread, post) && thread.solution_post_id !== post.id,
    canSeeHistory: canSeeHistory(actor) && post.edited_at !== null,
  }
}

/** What the "Vorschau" button shows: the text as it will look and, for a best practice, its structured parts. */
export async function previewOf(db: Kysely<Database>, values: Record<string, string>, isBestPractice: boolean, locale: Locale) {
  const parts = isBestPractice
    ? bestPracticeKeys
        .map((part) => ({ heading: t(locale, `threads.bp.${part}`), source: values[`bp_${part}`]?.trim() }))
        .filter((s) => s.source)
    : []
  const body = values.body?.trim() ? values.body : undefined
  const links = await mentionLinks(db, [...parts.map((s) => s.source!), body ?? ''])
  const sections = parts.map((s) => ({ heading: s.heading, html: renderMarkdown(s.source!, links) }))
  return { html: body ? renderMarkdown(body, links) : undefined, sections }
}

/** An erased author (Art. 17): "Ehemaliges Mitglied (Gemeinde X)". */
export function formerMember(locale: Locale, municipalityName: string | null): string {
  const name = t(locale, 'privacy.formerMember')
  return municipalityName ? `${name} (${municipalityName})` : name
}
