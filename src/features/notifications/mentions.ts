import { mentionCandidates } from '../../lib/mentions.ts'

/**
 * The people a post pings: mentions outside code and outside quoted lines (a quote repeats someone
 * else's mention; it should not ping again). The pattern itself lives in lib/mentions.ts.
 */
const MAX_MENTIONS = 20

export function mentionedHandles(markdown: string): string[] {
  const text = markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/^ {0,3}>.*$/gm, ' ')
  return mentionCandidates(text, MAX_MENTIONS)
}
