import { randomBytes } from 'node:crypto'

/**
 * Rendered template fragments, remembered together with everything they were rendered from. A thread page
 * prints twenty posts, and each member who opens it sees nearly the same twenty: rendering them is a good
 * part of what the page costs. A fragment is reused only when its whole input (the post's view model and
 * the few page values it may read) equals the input it was rendered from, so nothing ever needs to be
 * invalidated, and every app instance keeps its own cache without talking to the others.
 *
 * The one value that differs per request, the CSRF token, is rendered as `CSRF_PLACEHOLDER` and filled in
 * on the way out. The placeholder is random per process: no text a member writes can contain it.
 */
export const CSRF_PLACEHOLDER = `csrf-${randomBytes(16).toString('hex')}`

/**
 * Whether two inputs print the same: plain objects, arrays, strings, numbers, booleans, dates, null and
 * undefined, compared all the way down. Anything else (a SafeString) by what it prints.
 */
export function sameInput(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime()
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!sameInput(a[i], b[i])) return false
    return true
  }
  const proto: unknown = Object.getPrototypeOf(a)
  if (proto !== Object.getPrototypeOf(b)) return false
  if (proto !== Object.prototype && proto !== null) return String(a) === String(b)
  const left = a as Record<string, unknown>
  const right = b as Record<string, unknown>
  let fields = 0
  for (const name in left) {
    if (!Object.hasOwn(right, name) || !sameInput(left[name], right[name])) return false
    fields++
  }
  for (const _name in right) fields--
  return fields === 0
}

type Variant = { input: unknown; parts: string[] }

/** How many renderings of one thing (a post as its author, as others, as staff, …) are kept. */
const VARIANTS = 4

/**
 * Recently used fragments of one partial in this process, by the identity of what they show (a post's id),
 * a few renderings each, split at the CSRF placeholder. Two generations instead of an exact LRU list, so
 * that a hit is one lookup: when the young generation is full it becomes the old one and the old one is
 * dropped; an identity used again from the old generation moves to the young one.
 */
export class FragmentCache {
  private young = new Map<unknown, Variant[]>()
  private old = new Map<unknown, Variant[]>()
  private readonly generation: number

  constructor(capacity: number) {
    this.generation = Math.max(1, Math.floor(capacity / 2))
  }

  /** Identities held; each with at most a few renderings. */
  get size(): number {
    return this.young.size + this.old.size
  }

  /**
   * The fragment rendered from an input equal to `input`, or what `render` gives (then kept), with
   * `csrfToken` in place of the placeholder.
   */
  render(identity: string | number, input: unknown, csrfToken: string, render: () => string): string {
    let variants = this.young.get(identity)
    if (variants === undefined) {
      variants = this.old.get(identity) ?? []
      this.old.delete(identity)
      if (this.young.size >= this.generation) {
        this.old = this.young
        this.young = new Map()
      }
      this.young.set(identity, variants)
    }
    let variant = variants.find((v) => sameInput(v.input, input))
    if (variant === undefined) {
      variant = { input, parts: render().split(CSRF_PLACEHOLDER) }
      if (variants.length >= VARIANTS) variants.shift()
      variants.push(variant)
    }
    // Joined with + rather than join(): V8 then links the pieces instead of copying them.
    const { parts } = variant
    let html = parts[0]!
    for (let i = 1; i < parts.length; i++) html += csrfToken + parts[i]!
    return html
  }
}
