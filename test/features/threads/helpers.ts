// Signing in and posting small forms work as in the administration tests.
export { post, signedIn } from '../admin/helpers.ts'

/** The visible text of a page, without tags: what a reader (or screen reader) gets. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x3D;/g, '=')
    .replace(/\s+/g, ' ')
}
