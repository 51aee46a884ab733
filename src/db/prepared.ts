/**
 * Names for the statements the app runs again and again (a thread page's five, a session lookup), so
 * that each connection to the Postgres server parses and plans them once instead of on every request:
 * for the thread page that is most of the server's work (pgbench on the 1M-post bench data, the page's
 * five statements: 4.4 ms unnamed, 0.9 ms prepared).
 *
 * The set stays bounded, so the server's memory for prepared statements does too: a text gets a name
 * only after it has run a few times (one-off statements, such as migrations or bulk inserts whose text
 * varies with their row count, never do), and at most `max` texts get one. Full-text searches stay
 * unnamed: how selective a search term is decides their plan, which a reused plan could not know.
 */
export class StatementNames {
  readonly #names = new Map<string, string>()
  readonly #seen = new Map<string, number>()
  #given = 0

  constructor(
    readonly max = 500,
    readonly after = 3,
  ) {}

  /** The name to prepare `text` under, or undefined to run it unnamed. */
  nameOf(text: string): string | undefined {
    const name = this.#names.get(text)
    if (name !== undefined) return name
    if (this.#names.size >= this.max || text.includes('@@')) return undefined
    const seen = (this.#seen.get(text) ?? 0) + 1
    if (seen < this.after) {
      // Counting is bounded too: a flood of distinct texts starts the count afresh.
      if (this.#seen.size >= 10 * this.max) this.#seen.clear()
      this.#seen.set(text, seen)
      return undefined
    }
    this.#seen.delete(text)
    const named = `kf_${++this.#given}`
    this.#names.set(text, named)
    return named
  }

  /**
   * The statement prepared as `name` no longer fits its tables: a migration (of a newer app instance,
   * in a rolling deploy) changed the columns it returns, and the server refuses to run it ("cached plan
   * must not change result type") on every connection that prepared it. Its text gets a new name, which
   * each connection prepares afresh; the returned name is the one to run it under now.
   */
  renew(text: string, name: string): string {
    const current = this.#names.get(text)
    // Another connection has renewed it already.
    if (current !== undefined && current !== name) return current
    const renamed = `kf_${++this.#given}`
    this.#names.set(text, renamed)
    return renamed
  }
}

/** The server's answer to a prepared statement whose result columns changed since it was prepared. */
export function isStalePreparedStatement(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown }
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan must not change result type')
}
