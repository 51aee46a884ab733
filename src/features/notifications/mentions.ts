/**
 * Mentions: `@` followed by a person's handle (lower-case letters, digits and inner dots, as shown in
 * the member directory), e.g. "@erika.muster". Not inside an email address ("e.muster@example.de"),
 * not in code and not in quoted lines (a quote repeats someone else's mention; it should not ping again).
 */
const MENTION = /(?<![\w.@])@([a-z0-9](?:[a-z0-9.]*[a-z0-9])?)/gi
const MAX_MENTIONS = 20

export function mentionedHandles(markdown: string): string[] {
  const text = markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, ' ')
    .replace(/`[^`\n]*`/g, ' ')
    .replace(/^ {0,3}>.*$/gm, ' ')
  const handles = new Set<string>()
  for (const match of text.matchAll(MENTION)) {
    handles.add(match[1]!.toLowerCase())
    if (handles.size >= MAX_MENTIONS) break
  }
  return [...handles]
}
