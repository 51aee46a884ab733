/**
 * `npm run bench:digest`: one digest round for 10,000 people with a realistic week of forum history,
 * sent over SMTP to a local sink (smtp-server on loopback). Reports total time, messages per second,
 * render time per digest, peak RSS and duplicates (must be 0). On an in-memory embedded database, or a
 * fresh database on the server in DATABASE_URL (dropped afterwards). Never part of `npm test`.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import pg from 'pg'
import { SMTPServer } from 'smtp-server'
import { loadConfig } from '../src/config.ts'
import { connectDatabase, type DatabaseHandle } from '../src/db/connect.ts'
import type { Database } from '../src/db/database.ts'
import { migrateToLatest } from '../src/db/migrate.ts'
import { runDigestRound } from '../src/features/mail/digest.service.ts'
import { DAY, HOUR } from '../src/lib/clock.ts'
import { createMailer } from '../src/plugins/mailer.ts'
import { writeResult } from './lib.ts'
import { isMainScript } from './main.ts'

const USERS = Number(process.env.BENCH_USERS ?? 10_000)
const MUNICIPALITIES = 400
const DISTRICTS = 35
const THREADS = 1_500
const REPLIES = 9_000
const WATCHES_PER_USER = 4
// Monday 2 March 2026, 09:00 in Berlin: everyone's weekly digest (Monday 7:00) is due.
const NOW = new Date('2026-03-02T08:00:00Z')
const here = dirname(fileURLToPath(import.meta.url))

let seed = 42
/** Deterministic pseudo-random numbers, so runs are comparable. */
const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31)
const pick = (n: number) => Math.floor(random() * n)

async function openDatabase(): Promise<DatabaseHandle & { label: string }> {
  const url = process.env.DATABASE_URL
  if (!url) return { ...(await connectDatabase({ inMemory: true })), label: 'embedded (PGlite, in memory)' }
  const name = `kf_bench_digest_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const target = new URL(url)
  target.pathname = `/${name}`
  const handle = await connectDatabase({ databaseUrl: target.toString() })
  return {
    ...handle,
    label: 'PostgreSQL server',
    async close() {
      await handle.close()
      const cleanup = new pg.Client({ connectionString: url })
      await cleanup.connect()
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await cleanup.end()
    },
  }
}

async function inChunks<T>(rows: T[], size: number, insert: (chunk: T[]) => Promise<unknown>) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size))
}

const TOPICS = ['Winterdienst', 'Kita-Gebühren', 'Glasfaser', 'Bauhof', 'E-Akte', 'Friedhof', 'Feuerwehr', 'Haushalt', 'Breitband', 'Wahlhelfer']

/**
 * Municipalities, `users` people, the week before `now` of threads and replies, and who watches what.
 * bench/faults.ts seeds the week before the real time, for the `npm run digest` command.
 */
export async function seedForum(db: Kysely<Database>, { users = USERS, now = NOW }: { users?: number; now?: Date } = {}) {
  const WEEK_START = now.getTime() - 7 * DAY
  const towns = await db
    .insertInto('municipalities')
    .values(Array.from({ length: MUNICIPALITIES }, (_, i) => ({ name: `Gemeinde ${i + 1}`, kind: 'Gemeinde', district: `Landkreis ${(i % DISTRICTS) + 1}` })))
    .returning('id')
    .execute()
  const people: { id: number; municipality_id: number | null }[] = []
  await inChunks(
    Array.from({ length: users }, (_, i) => ({
      email: `person${i + 1}@gemeinde${(i % MUNICIPALITIES) + 1}.example`,
      name: `Person ${i + 1}`,
      municipality_id: towns[i % MUNICIPALITIES]!.id,
      locale: (i % 10 === 0 ? 'en' : 'de') as 'de' | 'en',
    })),
    1000,
    async (chunk) => people.push(...(await db.insertInto('users').values(chunk).returning(['id', 'municipality_id']).execute())),
  )
  const forums = await db.selectFrom('forums').select('id').execute()
  const kinds = ['question', 'question', 'question', 'best_practice', 'discussion'] as const
  const threads: { id: number }[] = []
  await inChunks(
    Array.from({ length: THREADS }, (_, i) => {
      const author = people[pick(people.length)]!
      const at = new Date(WEEK_START - 3 * DAY + random() * 10 * DAY - HOUR)
      return {
        forum_id: forums[pick(forums.length)]!.id,
        author_id: author.id,
        municipality_id: author.municipality_id,
        kind: kinds[i % kinds.length]!,
        title: `${TOPICS[i % TOPICS.length]}: Wie machen Sie das in Ihrer Kommune? (${i + 1})`,
        created_at: at,
        last_post_at: at,
      }
    }),
    500,
    async (chunk) => {
      const inserted = await db.insertInto('threads').values(chunk).returning(['id', 'author_id', 'municipality_id', 'created_at']).execute()
      threads.push(...inserted)
      await db
        .insertInto('posts')
        .values(inserted.map((t) => ({ thread_id: t.id, position: 1, author_id: t.author_id, municipality_id: t.municipality_id, body: 'Eröffnung', created_at: t.created_at })))
        .execute()
    },
  )
  const positions = new Map<number, number>()
  await inChunks(
    Array.from({ length: REPLIES }, () => {
      // Some threads draw many replies: a skewed choice.
      const thread = threads[Math.floor(random() ** 2 * threads.length)]!
      const author = people[pick(people.length)]!
      const position = (positions.get(thread.id) ?? 1) + 1
      positions.set(thread.id, position)
      return { thread_id: thread.id, position, author_id: author.id, municipality_id: author.municipality_id, body: 'Antwort', created_at: new Date(WEEK_START + random() * 7 * DAY - HOUR) }
    }),
    1000,
    (chunk) => db.insertInto('posts').values(chunk).execute(),
  )
  for (const [threadId, last] of positions) {
    await db.updateTable('threads').set({ reply_count: last - 1 }).where('id', '=', threadId).execute()
  }
  const watches = new Map<string, { user_id: number; thread_id: number; level: 'watching' }>()
  for (const person of people) {
    for (let i = 0; i < WATCHES_PER_USER; i++) {
      const thread = threads[pick(threads.length)]!
      watches.set(`${person.id}:${thread.id}`, { user_id: person.id, thread_id: thread.id, level: 'watching' })
    }
  }
  await inChunks([...watches.values()], 2000, (chunk) => db.insertInto('thread_watches').values(chunk).execute())
  return { people: people.length, threads: threads.length, replies: REPLIES, watches: watches.size }
}

/** An SMTP server that only counts: recipients and Message-IDs, to find duplicates; `log` lists every delivery. */
export async function startSink() {
  const log: { recipient: string; messageId: string }[] = []
  const perRecipient = new Map<string, number>()
  const messageIds = new Map<string, number>()
  let bytes = 0
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let head = ''
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length
        if (head.length < 8192) head += chunk.toString('utf8')
      })
      stream.on('end', () => {
        const id = head.match(/^Message-ID:\s*(<[^>]+>)/im)?.[1] ?? 'none'
        messageIds.set(id, (messageIds.get(id) ?? 0) + 1)
        for (const r of session.envelope.rcptTo) {
          perRecipient.set(r.address, (perRecipient.get(r.address) ?? 0) + 1)
          log.push({ recipient: r.address, messageId: id })
        }
        callback()
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    log: () => log,
    stats: () => ({
      messages: [...messageIds.values()].reduce((a, b) => a + b, 0),
      recipients: perRecipient.size,
      duplicateRecipients: [...perRecipient.values()].filter((n) => n > 1).length,
      duplicateMessageIds: [...messageIds.values()].filter((n) => n > 1).length,
      megabytes: Math.round(bytes / 1e5) / 10,
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

async function main() {
  const sink = await startSink()
  const handle = await openDatabase()
  let peakRss = process.memoryUsage().rss
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50)
  try {
    await migrateToLatest(handle.db)
    const seedStarted = performance.now()
    const seeded = await seedForum(handle.db)
    console.log(`Seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s on ${handle.label}:`, seeded)
    const config = loadConfig({
      NODE_ENV: 'test',
      BASE_URL: 'https://forum.example.de',
      SMTP_URL: sink.url,
      SESSION_SECRET: 'bench-secret-bench-secret-bench-secret-0',
      DATA_DIR: join(here, 'results', 'digest-data'),
      LOG_LEVEL: 'silent',
    })
    const mailer = createMailer(config)
    peakRss = process.memoryUsage().rss
    const started = performance.now()
    const report = await runDigestRound({ db: handle.db, config, mailer }, NOW)
    const totalMs = performance.now() - started
    // A second round at the same time must send nothing.
    const again = await runDigestRound({ db: handle.db, config, mailer }, NOW)
    await mailer.close()
    const sinkStats = sink.stats()
    const result = {
      database: handle.label,
      users: seeded.people,
      totalSeconds: Math.round(totalMs / 100) / 10,
      sent: report.sent,
      skippedEmpty: report.skippedEmpty,
      failed: report.failed,
      messagesPerSecond: Math.round(report.sent / (totalMs / 1000)),
      renderMsPerDigest: Math.round((report.renderMs / Math.max(1, report.rendered)) * 1000) / 1000,
      peakRssMb: Math.round(peakRss / 1e6),
      secondRoundClaimed: again.claimed,
      ...sinkStats,
      duplicates: sinkStats.duplicateRecipients + sinkStats.duplicateMessageIds,
    }
    console.log(result)
    writeResult('digest', result)
    if (result.duplicates > 0 || result.sent + result.skippedEmpty !== seeded.people) process.exitCode = 1
  } finally {
    clearInterval(sampler)
    await handle.close()
    await sink.close()
  }
}

if (isMainScript('bench/digest.ts')) await main()
