import { z } from 'zod'
import { threadKinds } from '../threads/threads.table.ts'
import { roles } from '../users/users.table.ts'

// The interchange format of PRODUCT.md: JSON Lines, one record a line, records referencing earlier
// ones by their external `id`. Beyond PRODUCT.md, a thread may carry the structured parts of a best
// practice (situation, approach, effort, contact) and a reply may say it is its question's solution,
// so a backup keeps them; both are optional and absent in older files.

const text = (field: string, max = 100_000) =>
  z
    .string({ error: (i) => (i.input === undefined ? `Pflichtfeld „${field}“ fehlt` : `„${field}“ muss ein Text sein`) })
    .refine((v) => v.trim().length > 0, `„${field}“ darf nicht leer sein`)
    .refine((v) => v.length <= max, `„${field}“ ist länger als ${max} Zeichen`)

const optionalText = (field: string, max = 100_000) =>
  z
    .string({ error: `„${field}“ muss ein Text sein` })
    .refine((v) => v.length <= max, `„${field}“ ist länger als ${max} Zeichen`)
    .optional()

const externalId = (field: string) => text(field, 200)

const timestamp = z
  .string({ error: (i) => (i.input === undefined ? 'Pflichtfeld „created_at“ fehlt' : '„created_at“ muss ein Text sein') })
  .refine(
    (v) => z.iso.datetime({ offset: true }).safeParse(v).success && !Number.isNaN(Date.parse(v)),
    '„created_at“ ist kein gültiger Zeitpunkt (erwartet ISO 8601, z. B. 2016-01-12T09:00:00Z)',
  )
  .transform((v) => new Date(v))

export const municipalityRecord = z.strictObject({
  type: z.literal('municipality'),
  id: externalId('id'),
  name: text('name', 200),
  kind: text('kind', 100),
  district: text('district', 200),
  ags: z
    .string({ error: '„ags“ muss ein Text sein' })
    .regex(/^\d{8}$/, '„ags“ muss aus genau acht Ziffern bestehen')
    .nullish()
    .transform((v) => v ?? null),
})

export const userRecord = z
  .strictObject({
    type: z.literal('user'),
    id: externalId('id'),
    municipality: externalId('municipality').optional(),
    name: text('name', 200),
    email: z.email({
      error: (i) => (i.input === undefined ? 'Pflichtfeld „email“ fehlt' : '„email“ ist keine gültige E-Mail-Adresse'),
    }),
    role: z.enum(roles, { error: `„role“ muss ${roles.join(', ')} sein` }).default('member'),
  })
  .refine((u) => u.role === 'staff' || u.role === 'admin' || u.municipality !== undefined, {
    message: `Pflichtfeld „municipality“ fehlt (nur staff und admin gehören zu keiner Kommune)`,
  })

export const threadRecord = z.strictObject({
  type: z.literal('thread'),
  id: externalId('id'),
  forum: text('forum', 100),
  author: externalId('author'),
  // Postgres counts characters, not UTF-16 units.
  title: text('title').refine((v) => [...v].length <= 200, '„title“ ist länger als 200 Zeichen'),
  body: text('body'),
  kind: z.enum(threadKinds, { error: `„kind“ muss ${threadKinds.join(', ')} sein` }).default('discussion'),
  created_at: timestamp,
  situation: optionalText('situation'),
  approach: optionalText('approach'),
  effort: optionalText('effort'),
  contact: optionalText('contact', 1000),
})

export const postRecord = z.strictObject({
  type: z.literal('post'),
  id: externalId('id'),
  thread: externalId('thread'),
  author: externalId('author'),
  body: text('body'),
  created_at: timestamp,
  solution: z.boolean({ error: '„solution“ muss true oder false sein' }).optional(),
})

export type MunicipalityRecord = z.output<typeof municipalityRecord>
export type UserRecord = z.output<typeof userRecord>
export type ThreadRecord = z.output<typeof threadRecord>
export type PostRecord = z.output<typeof postRecord>

export const recordTypes = ['municipality', 'user', 'thread', 'post'] as const
export type RecordType = (typeof recordTypes)[number]

export type ParsedRecord =
  | { type: 'municipality'; line: number; record: MunicipalityRecord }
  | { type: 'user'; line: number; record: UserRecord }
  | { type: 'thread'; line: number; record: ThreadRecord }
  | { type: 'post'; line: number; record: PostRecord }

const schemas = { municipality: municipalityRecord, user: userRecord, thread: threadRecord, post: postRecord }

/** One line of a file: a record, nothing (blank line), or the German reason it cannot be used. */
export function parseLine(raw: string, line: number): ParsedRecord | { error: string; type?: RecordType } | null {
  const trimmed = raw.trim()
  if (trimmed === '') return null
  let value: unknown
  try {
    value = JSON.parse(trimmed)
  } catch {
    return { error: 'kein gültiges JSON' }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'kein JSON-Objekt' }
  const type = (value as { type?: unknown }).type
  if (type === undefined) return { error: 'Pflichtfeld „type“ fehlt' }
  if (typeof type !== 'string' || !(recordTypes as readonly string[]).includes(type)) {
    return { error: `unbekannter Typ ${JSON.stringify(type)} (erwartet ${recordTypes.join(', ')})` }
  }
  const parsed = schemas[type as RecordType].safeParse(value)
  if (!parsed.success) return { error: describeIssues(parsed.error), type: type as RecordType }
  return { type, line, record: parsed.data } as ParsedRecord
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      if (issue.code === 'unrecognized_keys') return `unbekanntes Feld ${issue.keys.map((k) => `„${k}“`).join(', ')}`
      return issue.message
    })
    .join('; ')
}
