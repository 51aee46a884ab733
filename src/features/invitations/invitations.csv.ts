import { parse } from 'csv-parse/sync'
import { roles, type Role } from '../users/users.table.ts'

export const MAX_ROWS = 500

export type CsvRow = { line: number; name: string; email: string; role: string }
export type CsvResult = { ok: true; rows: CsvRow[] } | { ok: false; error: string }

/** Uploaded bytes as text: UTF-8 (with or without BOM); older Excel versions write Windows-1252. */
export function decodeCsv(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    return new TextDecoder('windows-1252').decode(bytes)
  }
}

/** German Excel separates with `;`, everything else with `,`: the first line decides. */
function detectDelimiter(text: string): ';' | ',' {
  const firstLine = text.split(/\r?\n/).find((l) => l.trim() !== '') ?? ''
  const unquoted = firstLine.replace(/"[^"]*"/g, '')
  const count = (c: string) => unquoted.split(c).length - 1
  return count(';') > count(',') ? ';' : ','
}

const HEADER_NAMES: Record<string, keyof Omit<CsvRow, 'line'>> = {
  name: 'name',
  email: 'email',
  'e-mail': 'email',
  mail: 'email',
  'e-mail-adresse': 'email',
  'email address': 'email',
  emailadresse: 'email',
  role: 'role',
  rolle: 'role',
}

/**
 * Reads rows of name, email, role. A header row is optional; when present, its names decide the
 * column order. Returns an i18n key when the text is not CSV at all or has too many rows.
 */
export function parseInvitationCsv(input: string): CsvResult {
  const text = input.replace(/^\uFEFF/, '')
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(text, {
      bom: true,
      delimiter: detectDelimiter(text),
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[]
  } catch {
    return { ok: false, error: 'invitations.bulk.unreadable' }
  }
  let columns: (keyof Omit<CsvRow, 'line'> | undefined)[] = ['name', 'email', 'role']
  const first = records[0]?.record.map((c) => c.toLowerCase()) ?? []
  if (first.some((c) => HEADER_NAMES[c] === 'email')) {
    columns = first.map((c) => HEADER_NAMES[c])
    records = records.slice(1)
  }
  records = records.filter(({ record }) => record.some((c) => c !== ''))
  if (records.length === 0) return { ok: false, error: 'invitations.bulk.empty' }
  if (records.length > MAX_ROWS) return { ok: false, error: 'invitations.bulk.tooMany' }
  const rows = records.map(({ record, info }) => {
    const row: CsvRow = { line: info.lines, name: '', email: '', role: '' }
    record.forEach((value, i) => {
      const column = columns[i]
      if (column) row[column] = value
    })
    return row
  })
  return { ok: true, rows }
}

// Role names as people type them into a spreadsheet: the internal name or the label in either language.
const ROLE_ALIASES: Record<string, Role> = {
  mitglied: 'member',
  member: 'member',
  'ansprechperson der kommune': 'municipality_admin',
  ansprechperson: 'municipality_admin',
  'municipality contact': 'municipality_admin',
  'municipality admin': 'municipality_admin',
  geschäftsstelle: 'staff',
  'association staff': 'staff',
  administration: 'admin',
  administrator: 'admin',
}

/** An empty cell means `member`; an unknown name gives null. */
export function parseRole(value: string): Role | null {
  const v = value.trim().toLowerCase()
  if (v === '') return 'member'
  if ((roles as readonly string[]).includes(v)) return v as Role
  return ROLE_ALIASES[v] ?? null
}
