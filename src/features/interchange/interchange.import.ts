import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import {
  analyzeForumTables,
  countReplies,
  existingPostExternalIds,
  forumIdsBySlug,
  insertMunicipalities,
  insertReplies,
  insertThreads,
  insertUsers,
  lockThreadsForReplies,
  markSolutions,
  municipalitiesByExternalId,
  municipalityCollision,
  type NewMunicipality,
  type NewReply,
  type NewThread,
  type NewUser,
  setMunicipalityExternalId,
  setUserExternalId,
  threadsByExternalId,
  userByEmail,
  usersByExternalId,
} from './interchange.queries.ts'
import { type ParsedRecord, parseLine, type RecordType, recordTypes } from './interchange.schemas.ts'

export type Counts = { imported: number; present: number; skipped: number }
export type ImportSummary = {
  lines: number
  /** Lines that are not a record of a known type (broken JSON, unknown type). */
  unreadable: number
} & Record<RecordType, Counts>
export type ImportProblem = { line: number; reason: string }
export type ImportOptions = {
  /** Records a transaction writes; also how often `progress` is called. */
  batchSize?: number
  /** Called after each batch with the number of lines read so far. */
  progress?: (lines: number) => void
}

const ANALYZE_AFTER = 10_000

export function hasProblems(summary: ImportSummary): boolean {
  return summary.unreadable > 0 || recordTypes.some((t) => summary[t].skipped > 0)
}

/**
 * Imports interchange records line by line. Idempotent by external id: a record whose id is known is
 * counted as present and changes nothing, so an interrupted import is finished by running it again.
 * Bad lines go to `report` (line number, German reason) and are skipped; the rest is imported.
 */
export async function importInterchange(
  db: Kysely<Database>,
  lines: AsyncIterable<string> | Iterable<string>,
  now: Date,
  report: (problem: ImportProblem) => void,
  options: ImportOptions = {},
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 500
  // Take the iterator before the first await: readline emits lines nobody listens to into the void.
  const source = Symbol.asyncIterator in lines ? lines[Symbol.asyncIterator]() : lines[Symbol.iterator]()
  const importer = new Importer(db, now, report, await forumIdsBySlug(db))
  let lineNo = 0
  let batch: ParsedRecord[] = []
  for await (const raw of { [Symbol.asyncIterator]: () => source }) {
    lineNo++
    const parsed = parseLine(lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw, lineNo)
    if (parsed === null) continue
    if ('error' in parsed) {
      importer.skip(parsed.type, lineNo, parsed.error)
      continue
    }
    batch.push(parsed)
    if (batch.length >= batchSize) {
      await importer.flush(batch)
      batch = []
      options.progress?.(lineNo)
    }
  }
  await importer.flush(batch)
  if (recordTypes.reduce((n, t) => n + importer.summary[t].imported, 0) >= ANALYZE_AFTER) await analyzeForumTables(db)
  options.progress?.(lineNo)
  return { ...importer.summary, lines: lineNo }
}

/** A cache that forgets everything when full: misses fall back to the database, so memory stays bounded. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor(private readonly limit = 200_000) {
    super()
  }
  override set(key: K, value: V): this {
    if (this.size >= this.limit) this.clear()
    return super.set(key, value)
  }
}

type UserRef = { id: number; municipalityId: number | null }

/** What one batch did; applied to the counters and caches only once its transaction has committed. */
class BatchOutcome {
  readonly counts = new Map<RecordType, Counts>(recordTypes.map((t) => [t, { imported: 0, present: 0, skipped: 0 }]))
  readonly problems: ImportProblem[] = []
  // External ids known after this batch, with the line that defined them (a record may only use earlier ones).
  readonly municipalities = new Map<string, { id: number; line: number }>()
  readonly users = new Map<string, { ref: UserRef; line: number }>()
  readonly threads = new Map<string, { id: number; line: number }>()

  count(type: RecordType, what: keyof Counts) {
    this.counts.get(type)![what]++
  }
  skip(type: RecordType, line: number, reason: string) {
    this.count(type, 'skipped')
    this.problems.push({ line, reason })
  }
}

class Importer {
  readonly summary: Omit<ImportSummary, 'lines'> = {
    unreadable: 0,
    municipality: { imported: 0, present: 0, skipped: 0 },
    user: { imported: 0, present: 0, skipped: 0 },
    thread: { imported: 0, present: 0, skipped: 0 },
    post: { imported: 0, present: 0, skipped: 0 },
  }
  private readonly municipalities = new BoundedMap<string, number>()
  private readonly users = new BoundedMap<string, UserRef>()
  private readonly threads = new BoundedMap<string, number>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly now: Date,
    private readonly report: (problem: ImportProblem) => void,
    private readonly forums: Map<string, number>,
  ) {}

  // Problems found while reading wait for the batch, so all are reported in line order.
  private pending: ImportProblem[] = []

  skip(type: RecordType | undefined, line: number, reason: string) {
    if (type) this.summary[type].skipped++
    else this.summary.unreadable++
    this.pending.push({ line, reason })
  }

  /** Writes a batch in one transaction. If the database refuses it, each record is retried alone. */
  async flush(batch: ParsedRecord[]): Promise<void> {
    await this.write(batch)
    for (const p of this.pending.sort((a, b) => a.line - b.line)) this.report(p)
    this.pending = []
  }

  private async write(batch: ParsedRecord[]): Promise<void> {
    if (batch.length === 0) return
    let outcome: BatchOutcome
    try {
      outcome = await this.db.transaction().execute((trx) => this.apply(trx, batch))
    } catch (err) {
      if (!isDataError(err)) throw err
      if (batch.length > 1) {
        for (const record of batch) await this.write([record])
        return
      }
      outcome = new BatchOutcome()
      outcome.skip(batch[0]!.type, batch[0]!.line, `von der Datenbank abgelehnt: ${(err as Error).message}`)
    }
    for (const [type, c] of outcome.counts) {
      this.summary[type].imported += c.imported
      this.summary[type].present += c.present
      this.summary[type].skipped += c.skipped
    }
    for (const [k, v] of outcome.municipalities) this.municipalities.set(k, v.id)
    for (const [k, v] of outcome.users) this.users.set(k, v.ref)
    for (const [k, v] of outcome.threads) this.threads.set(k, v.id)
    this.pending.push(...outcome.problems)
  }

  private async apply(db: Kysely<Database>, batch: ParsedRecord[]): Promise<BatchOutcome> {
    const out = new BatchOutcome()
    const of = <T extends RecordType>(type: T) => batch.filter((r): r is Extract<ParsedRecord, { type: T }> => r.type === type)
    const municipalities = of('municipality')
    const users = of('user')
    const threads = of('thread')
    const posts = of('post')
    await this.preload(db, users, threads, posts)
    await this.applyMunicipalities(db, municipalities, out)
    await this.applyUsers(db, users, out)
    await this.applyThreads(db, threads, out)
    await this.applyPosts(db, posts, out)
    return out
  }

  /** Fetches the referenced records of earlier runs or batches that the caches do not hold. */
  private async preload(
    db: Kysely<Database>,
    users: Extract<ParsedRecord, { type: 'user' }>[],
    threads: Extract<ParsedRecord, { type: 'thread' }>[],
    posts: Extract<ParsedRecord, { type: 'post' }>[],
  ) {
    const missing = <V>(cache: Map<string, V>, ids: (string | undefined)[]) => [
      ...new Set(ids.filter((id): id is string => id !== undefined && !cache.has(id))),
    ]
    const mIds = missing(this.municipalities, users.map((u) => u.record.municipality))
    for (const row of await municipalitiesByExternalId(db, mIds)) this.municipalities.set(row.external_id, row.id)
    const uIds = missing(this.users, [...threads.map((t) => t.record.author), ...posts.map((p) => p.record.author)])
    for (const row of await usersByExternalId(db, uIds)) {
      this.users.set(row.external_id, { id: row.id, municipalityId: row.municipality_id })
    }
    const tIds = missing(this.threads, posts.map((p) => p.record.thread))
    for (const row of await threadsByExternalId(db, tIds)) this.threads.set(row.external_id, row.id)
  }

  // A reference resolves to a record of an earlier line: from this batch, or from before it.
  private municipalityId(out: BatchOutcome, id: string, line: number): number | undefined {
    const here = out.municipalities.get(id)
    if (here && here.line < line) return here.id
    return this.municipalities.get(id)
  }

  private user(out: BatchOutcome, id: string, line: number): UserRef | undefined {
    const here = out.users.get(id)
    if (here && here.line < line) return here.ref
    return this.users.get(id)
  }

  private threadId(out: BatchOutcome, id: string, line: number): number | undefined {
    const here = out.threads.get(id)
    if (here && here.line < line) return here.id
    return this.threads.get(id)
  }

  private async applyMunicipalities(db: Kysely<Database>, records: Extract<ParsedRecord, { type: 'municipality' }>[], out: BatchOutcome) {
    const { fresh, repeated } = firstOfEach(records)
    const rows: NewMunicipality[] = fresh.map(({ record: m }) => ({
      external_id: m.id,
      name: m.name,
      kind: m.kind,
      district: m.district,
      ags: m.ags,
    }))
    const inserted = new Map((await insertMunicipalities(db, rows, this.now)).map((r) => [r.external_id, r.id]))
    const rest = fresh.filter((r) => !inserted.has(r.record.id))
    const known = new Map((await municipalitiesByExternalId(db, rest.map((r) => r.record.id))).map((r) => [r.external_id, r.id]))
    for (const [i, { record: m, line }] of fresh.entries()) {
      let id = inserted.get(m.id)
      if (id !== undefined) {
        out.count('municipality', 'imported')
      } else if ((id = known.get(m.id)) !== undefined) {
        out.count('municipality', 'present')
      } else {
        // Collided with a municipality created in the forum: adopt it if it has no external id yet.
        const other = await municipalityCollision(db, rows[i]!)
        if (other && other.external_id === null) {
          await setMunicipalityExternalId(db, other.id, m.id)
          id = other.id
          out.count('municipality', 'present')
        } else {
          const which = other ? `„${other.name}“ (${other.district}, Kennung „${other.external_id}“)` : 'eine andere Kommune'
          out.skip('municipality', line, `Kommune „${m.name}“ (${m.district}) kollidiert mit ${which}: gleicher Name und Landkreis oder gleicher AGS`)
          continue
        }
      }
      out.municipalities.set(m.id, { id, line })
    }
    this.repeated(out, 'municipality', repeated, (id) => out.municipalities.has(id) || this.municipalities.has(id))
  }

  private async applyUsers(db: Kysely<Database>, records: Extract<ParsedRecord, { type: 'user' }>[], out: BatchOutcome) {
    const { fresh, repeated } = firstOfEach(records)
    const candidates: { line: number; row: NewUser }[] = []
    for (const { record: u, line } of fresh) {
      let municipalityId: number | null = null
      if (u.municipality !== undefined) {
        const id = this.municipalityId(out, u.municipality, line)
        if (id === undefined) {
          out.skip('user', line, `unbekannte Kommune „${u.municipality}“ (muss in einer früheren Zeile stehen)`)
          continue
        }
        municipalityId = id
      }
      candidates.push({ line, row: { external_id: u.id, municipality_id: municipalityId, name: u.name, email: u.email, role: u.role } })
    }
    const inserted = new Map((await insertUsers(db, candidates.map((c) => c.row), this.now)).map((r) => [r.external_id, r]))
    const rest = candidates.filter((c) => !inserted.has(c.row.external_id))
    const known = new Map((await usersByExternalId(db, rest.map((c) => c.row.external_id))).map((r) => [r.external_id, r]))
    for (const { line, row } of candidates) {
      let found = inserted.get(row.external_id)
      if (found) {
        out.count('user', 'imported')
      } else if ((found = known.get(row.external_id))) {
        out.count('user', 'present')
      } else {
        // The address belongs to an account made in the forum: link it, unless it came from another import.
        const other = await userByEmail(db, row.email)
        if (other && other.external_id === null) {
          await setUserExternalId(db, other.id, row.external_id)
          found = { ...other, external_id: row.external_id }
          out.count('user', 'present')
        } else {
          const which = other ? ` (Kennung „${other.external_id}“)` : ''
          out.skip('user', line, `E-Mail-Adresse „${row.email}“ gehört bereits einer anderen Person${which}`)
          continue
        }
      }
      out.users.set(row.external_id, { ref: { id: found.id, municipalityId: found.municipality_id }, line })
    }
    this.repeated(out, 'user', repeated, (id) => out.users.has(id) || this.users.has(id))
  }

  private async applyThreads(db: Kysely<Database>, records: Extract<ParsedRecord, { type: 'thread' }>[], out: BatchOutcome) {
    const { fresh, repeated } = firstOfEach(records)
    const candidates: { line: number; row: NewThread }[] = []
    for (const { record: t, line } of fresh) {
      const forumId = this.forums.get(t.forum)
      if (forumId === undefined) {
        out.skip('thread', line, `unbekanntes Forum „${t.forum}“ (erwartet ${[...this.forums.keys()].join(', ')})`)
        continue
      }
      const author = this.user(out, t.author, line)
      if (!author) {
        out.skip('thread', line, `unbekannte Person „${t.author}“ als Autor (muss in einer früheren Zeile stehen)`)
        continue
      }
      candidates.push({
        line,
        row: {
          external_id: t.id,
          forum_id: forumId,
          author_id: author.id,
          municipality_id: author.municipalityId,
          kind: t.kind,
          title: t.title,
          body: t.body,
          created_at: t.created_at,
          bp_situation: t.situation ?? null,
          bp_approach: t.approach ?? null,
          bp_effort: t.effort ?? null,
          bp_contact: t.contact ?? null,
        },
      })
    }
    const inserted = new Map((await insertThreads(db, candidates.map((c) => c.row))).map((r) => [r.external_id, r.id]))
    const rest = candidates.filter((c) => !inserted.has(c.row.external_id))
    const known = new Map((await threadsByExternalId(db, rest.map((c) => c.row.external_id))).map((r) => [r.external_id, r.id]))
    for (const { line, row } of candidates) {
      let id = inserted.get(row.external_id)
      if (id !== undefined) out.count('thread', 'imported')
      else if ((id = known.get(row.external_id)) !== undefined) out.count('thread', 'present')
      else {
        out.skip('thread', line, 'Thema konnte nicht angelegt werden')
        continue
      }
      out.threads.set(row.external_id, { id, line })
    }
    this.repeated(out, 'thread', repeated, (id) => out.threads.has(id) || this.threads.has(id))
  }

  private async applyPosts(db: Kysely<Database>, records: Extract<ParsedRecord, { type: 'post' }>[], out: BatchOutcome) {
    const { fresh, repeated } = firstOfEach(records)
    const present = await existingPostExternalIds(db, fresh.map((r) => r.record.id))
    const candidates: { line: number; threadId: number; solution: boolean; row: Omit<NewReply, 'position'> }[] = []
    for (const { record: p, line } of fresh) {
      if (present.has(p.id)) {
        out.count('post', 'present')
        continue
      }
      const threadId = this.threadId(out, p.thread, line)
      if (threadId === undefined) {
        out.skip('post', line, `unbekanntes Thema „${p.thread}“ (muss in einer früheren Zeile stehen)`)
        continue
      }
      const author = this.user(out, p.author, line)
      if (!author) {
        out.skip('post', line, `unbekannte Person „${p.author}“ als Autor (muss in einer früheren Zeile stehen)`)
        continue
      }
      candidates.push({
        line,
        threadId,
        solution: p.solution === true,
        row: {
          external_id: p.id,
          thread_id: threadId,
          author_id: author.id,
          municipality_id: author.municipalityId,
          body: p.body,
          created_at: p.created_at,
        },
      })
    }
    // Replies continue after the highest position, in order of their time (stable for equal times).
    const maxPosition = await lockThreadsForReplies(db, [...new Set(candidates.map((c) => c.threadId))])
    const ordered = [...candidates].sort((a, b) => a.threadId - b.threadId || a.row.created_at.getTime() - b.row.created_at.getTime() || a.line - b.line)
    const rows: NewReply[] = ordered.map((c) => {
      const position = (maxPosition.get(c.threadId) ?? 0) + 1
      maxPosition.set(c.threadId, position)
      return { ...c.row, position }
    })
    const inserted = await insertReplies(db, rows)
    const insertedIds = new Map(inserted.map((r) => [r.external_id, r.id]))
    const changes = new Map<number, { id: number; added: number; last: Date }>()
    for (const r of inserted) {
      const c = changes.get(r.thread_id) ?? { id: r.thread_id, added: 0, last: r.created_at }
      c.added++
      if (r.created_at > c.last) c.last = r.created_at
      changes.set(r.thread_id, c)
    }
    await countReplies(db, [...changes.values()])
    await markSolutions(
      db,
      candidates.filter((c) => c.solution && insertedIds.has(c.row.external_id)).map((c) => ({ threadId: c.threadId, postId: insertedIds.get(c.row.external_id)! })),
    )
    for (const c of candidates) out.count('post', insertedIds.has(c.row.external_id) ? 'imported' : 'present')
    for (const { record, line } of repeated) {
      if (insertedIds.has(record.id) || present.has(record.id)) out.count('post', 'present')
      else out.skip('post', line, `Kennung „${record.id}“ kommt doppelt vor; die erste Zeile wurde nicht importiert`)
    }
  }

  /** A second record with an id of the same batch is present if the first one made it in. */
  private repeated(out: BatchOutcome, type: RecordType, repeated: ParsedRecord[], known: (id: string) => boolean) {
    for (const { record, line } of repeated) {
      if (known(record.id)) out.count(type, 'present')
      else out.skip(type, line, `Kennung „${record.id}“ kommt doppelt vor; die erste Zeile wurde nicht importiert`)
    }
  }
}

function firstOfEach<R extends ParsedRecord>(records: R[]): { fresh: R[]; repeated: R[] } {
  const seen = new Set<string>()
  const fresh: R[] = []
  const repeated: R[] = []
  for (const r of records) {
    if (seen.has(r.record.id)) repeated.push(r)
    else {
      seen.add(r.record.id)
      fresh.push(r)
    }
  }
  return { fresh, repeated }
}

/** Constraint and data errors (SQLSTATE classes 22, 23) belong to a record; anything else stops the import. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'))
}
