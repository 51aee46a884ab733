/**
 * A mention is `@` followed by a person's handle (lower-case letters, digits and inner dots, as shown
 * in the member directory), e.g. "@erika.muster"; not inside an email address ("e.muster@example.de").
 * One pattern for both uses: notifying the person and linking the mention when a post is shown.
 */
export const MENTION = /(?<![\w.@])@([a-z0-9](?:[a-z0-9.]*[a-z0-9])?)/gi

/** Every handle a text could mention, lower-cased, at most `limit` of them (anywhere, quotes and code included). */
export function mentionCandidates(text: string, limit = Infinity): string[] {
  const handles = new Set<string>()
  for (const match of text.matchAll(MENTION)) {
    if (handles.size >= limit) break
    handles.add(match[1]!.toLowerCase())
  }
  return [...handles]
}
