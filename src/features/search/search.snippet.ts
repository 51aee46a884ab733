import { GREATER_THAN, LESS_THAN, MARK_END, MARK_START } from './search.queries.ts'

export type Segment = { text: string; mark: boolean }

/**
 * A ts_headline result as segments the template escapes one by one: the database returns raw text with
 * our private markers around matches, never HTML we would have to trust.
 */
export function toSegments(headline: string): Segment[] {
  const segments: Segment[] = []
  const collapsed = withoutMarkup(headline.replace(/\s+/g, ' ').trim()).replaceAll(LESS_THAN, '<').replaceAll(GREATER_THAN, '>')
  for (const [i, part] of collapsed.split(MARK_START).entries()) {
    const [marked, rest] = i === 0 ? [null, part] : splitOnce(part, MARK_END)
    if (marked) segments.push({ text: marked, mark: true })
    const plain = rest.replaceAll(MARK_END, '')
    if (plain) segments.push({ text: plain, mark: false })
  }
  return segments
}

/**
 * Snippets are cut from the stored Markdown: its strong, strike and code markers would show as "**".
 * Single `*` and `_` stay, as in "Bürger*innen" or "file_name"; the text of a link stays, its target goes.
 */
function withoutMarkup(text: string): string {
  return text
    .replace(/\]\((?:[^()\s]|\([^()\s]*\))*\)/g, ']')
    .replace(/\[([^\]]*)\]/g, '$1')
    .replace(/\*\*|__|~~|`+/g, '')
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator)
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)]
}

/**
 * The whole `text`, with the words ts_headline marked in `headline` marked again. For titles: ts_headline
 * may drop characters it does not consider words, and a title must read exactly as written.
 */
export function markSameWords(text: string, headline: string): Segment[] {
  const words = new Set(toSegments(headline).filter((s) => s.mark).map((s) => s.text.toLowerCase()))
  if (words.size === 0) return [{ text, mark: false }]
  const alternatives = [...words].map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives})(?![\\p{L}\\p{N}])`, 'giu')
  const segments: Segment[] = []
  let last = 0
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) segments.push({ text: text.slice(last, match.index), mark: false })
    segments.push({ text: match[0], mark: true })
    last = match.index + match[0].length
  }
  if (last < text.length) segments.push({ text: text.slice(last), mark: false })
  return segments
}
