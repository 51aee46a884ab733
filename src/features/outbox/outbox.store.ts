import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { z } from 'zod'

/**
 * Reads the mails the outbox mailer (src/plugins/mailer.ts) wrote as JSON files, one per mail, named
 * `<ISO time with - for : and .>-<8 hex>.json`. Ids are checked against that exact shape before any
 * file is touched, so no request can name a path outside the folder.
 */
export const OUTBOX_ID = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z-[0-9a-f]{8}$/

const LIST_LIMIT = 200

const mailRecord = z.object({
  id: z.string().regex(OUTBOX_ID),
  date: z.string(),
  from: z.string(),
  to: z.string(),
  subject: z.string(),
  headers: z.record(z.string(), z.string()).default({}),
  messageId: z.string().nullable().default(null),
  text: z.string(),
  html: z.string().default(''),
})

export type OutboxMail = z.output<typeof mailRecord>

export function isOutboxId(id: string): boolean {
  return OUTBOX_ID.test(id)
}

/** The newest mails first (the file names sort by time). */
export async function listOutbox(dir: string): Promise<{ mails: OutboxMail[]; total: number }> {
  let files: string[]
  try {
    files = await readdir(dir)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { mails: [], total: 0 }
    throw err
  }
  const ids = files
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter(isOutboxId)
    .sort()
    .reverse()
  const mails = await Promise.all(ids.slice(0, LIST_LIMIT).map((id) => readOutboxMail(dir, id)))
  return { mails: mails.filter((m): m is OutboxMail => m !== undefined), total: ids.length }
}

export async function readOutboxMail(dir: string, id: string): Promise<OutboxMail | undefined> {
  if (!isOutboxId(id)) return undefined
  let raw: string
  try {
    raw = await readFile(join(dir, `${id}.json`), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  try {
    const parsed = mailRecord.safeParse(JSON.parse(raw))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

export type TextSegment = { text: string } | { href: string }

const URL_IN_TEXT = /https?:\/\/[^\s<>"'`]+/g
const TRAILING_PUNCTUATION = /[.,;:!?)\]}]+$/

/**
 * Splits a plain-text mail into text and links. Only URLs of this forum become links (a mail in the
 * outbox may quote anything); the view escapes every part.
 */
export function linkifyText(text: string, baseUrl: string): TextSegment[] {
  const segments: TextSegment[] = []
  let last = 0
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, '')
    if (!isForumUrl(url, baseUrl)) continue
    if (match.index > last) segments.push({ text: text.slice(last, match.index) })
    segments.push({ href: url })
    last = match.index + url.length
  }
  if (last < text.length) segments.push({ text: text.slice(last) })
  return segments
}

/** `http://forum.test/x` is ours; `http://forum.test.evil.example/` is not. */
function isForumUrl(url: string, baseUrl: string): boolean {
  if (url === baseUrl) return true
  return url.startsWith(baseUrl) && ['/', '?', '#'].includes(url.charAt(baseUrl.length))
}
