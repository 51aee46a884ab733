import createDOMPurify from 'dompurify'
import { JSDOM } from 'jsdom'
import MarkdownIt from 'markdown-it'
import type StateCore from 'markdown-it/lib/rules_core/state_core.mjs'
import type Token from 'markdown-it/lib/token.mjs'
import { MENTION, mentionCandidates } from './mentions.ts'

/**
 * Markdown → safe HTML, in two independent layers: markdown-it with raw HTML off and a link-scheme
 * allowlist, then DOMPurify with a tag/attribute allowlist. Either layer alone should stop script;
 * together a bug in one is caught by the other. Store the Markdown; derive the HTML with this.
 */

const ALLOWED_SCHEMES = new Set(['http', 'https', 'mailto'])

// Browsers ignore these inside a URL ("java\tscript:"), so they must not hide a scheme from us either.
// eslint-disable-next-line no-control-regex
const IGNORED_IN_URL = /[\u0000-\u0020\u007f-\u009f\u00ad\u200b-\u200f\u2028\u2029\ufeff]/g

/** http, https, mailto or a relative reference (path, query, fragment); nothing else. */
export function isAllowedUrl(url: string): boolean {
  const compact = url.replace(IGNORED_IN_URL, '')
  const scheme = /^([^/?#]*?):/.exec(compact)
  if (!scheme) return true
  return ALLOWED_SCHEMES.has(scheme[1]!.toLowerCase())
}

const md = new MarkdownIt({ html: false, linkify: true, breaks: true, typographer: false })
md.validateLink = isAllowedUrl

// A page has exactly one <h1> (its title): Markdown headings start at <h2>.
md.core.ruler.push('demote_h1', (state) => {
  for (const token of state.tokens) {
    if ((token.type === 'heading_open' || token.type === 'heading_close') && token.tag === 'h1') token.tag = 'h2'
  }
})

/** The link of a mentioned handle, or undefined when nobody (active) has it: then it stays plain text. */
export type MentionLink = (handle: string) => string | undefined

// "@handle" of a known person becomes a link, built as tokens (never as HTML text), so the renderer
// escapes it and the sanitiser sees it like any other link. Code and existing links are left alone.
md.core.ruler.push('mentions', (state) => {
  const link = (state.env as { mentionLink?: MentionLink } | undefined)?.mentionLink
  if (!link) return
  for (const block of state.tokens) {
    if (block.type !== 'inline' || !block.children) continue
    let linkDepth = 0
    block.children = block.children.flatMap((token) => {
      if (token.type === 'link_open') linkDepth++
      if (token.type === 'link_close') linkDepth--
      return token.type === 'text' && linkDepth === 0 ? linkMentions(state, token, link) : [token]
    })
  }
})

function linkMentions(state: StateCore, token: Token, link: MentionLink): Token[] {
  const text = token.content
  const out: Token[] = []
  let last = 0
  const plain = (content: string) => {
    const t = new state.Token('text', '', 0)
    t.content = content
    return t
  }
  for (const match of text.matchAll(new RegExp(MENTION))) {
    const href = link(match[1]!.toLowerCase())
    if (!href) continue
    if (match.index > last) out.push(plain(text.slice(last, match.index)))
    const open = new state.Token('link_open', 'a', 1)
    open.attrs = [['href', href]]
    open.markup = 'mention'
    const close = new state.Token('link_close', 'a', -1)
    close.markup = 'mention'
    out.push(open, plain(match[0]), close)
    last = match.index + match[0].length
  }
  if (last === 0) return [token]
  if (last < text.length) out.push(plain(text.slice(last)))
  return out
}

// Images would load from anywhere (a third-party request, blocked by the CSP anyway): show them as links.
md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx]!
  const src = token.attrGet('src') ?? ''
  const label = token.content || src
  return `<a href="${md.utils.escapeHtml(src)}">${md.utils.escapeHtml(label)}</a>`
}

// Column headers of Markdown tables get scope="col" (WCAG 1.3.1).
md.renderer.rules.th_open = (tokens, idx, options, _env, self) => {
  tokens[idx]!.attrSet('scope', 'col')
  return self.renderToken(tokens, idx, options)
}

const ALLOWED_TAGS = [
  'a', 'p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
]
const ALLOWED_ATTR = ['href', 'title', 'start', 'scope']
// DOMPurify's own pattern, narrowed to our schemes: a scheme we allow, or something that is no scheme at all.
const ALLOWED_URI_REGEXP = /^(?:(?:https?|mailto):|[^a-z]|[a-z+.-]+(?:[^a-z+.\-:]|$))/i

const purify = createDOMPurify(new JSDOM('').window as unknown as Window & typeof globalThis)
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.nodeName === 'A') {
    node.setAttribute('rel', 'nofollow noopener ugc')
    node.removeAttribute('target')
  }
})

function sanitize(html: string): string {
  return purify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    RETURN_TRUSTED_TYPE: false,
  })
}

/**
 * Renders user Markdown to HTML that is safe to print with the `markdown` partial. With `mentionLink`,
 * mentions of known people become links (resolve the handles of a whole page at once beforehand).
 */
export function renderMarkdown(source: string, mentionLink?: MentionLink): string {
  // The same text with the same people behind its mentions always gives the same HTML: a thread page
  // shows twenty posts, and sanitising each costs about a millisecond.
  const mentions = mentionLink ? mentionCandidates(source).map((handle) => `${handle}=${mentionLink(handle) ?? ''}`).join('\u0000') : ''
  const key = `${mentions}\u0001${source}`
  const cached = rendered.get(key)
  if (cached !== undefined) {
    // Map keeps insertion order: re-inserting marks the entry as recently used.
    rendered.delete(key)
    rendered.set(key, cached)
    return cached
  }
  const html = sanitize(md.render(source, { mentionLink }))
  rendered.set(key, html)
  if (rendered.size > RENDER_CACHE_ENTRIES) rendered.delete(rendered.keys().next().value!)
  return html
}

/** Recently rendered texts (bounded: a few MB), per process; nothing in it outlives a restart. */
const RENDER_CACHE_ENTRIES = 2_000
const rendered = new Map<string, string>()
