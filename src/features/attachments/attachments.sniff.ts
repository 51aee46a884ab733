// What an upload is, judged by its bytes: the name and the browser's MIME type are claims, not facts.

export type DetectedType = {
  /** Short key for labels (attachments.kind.<kind>). */
  kind: 'pdf' | 'image' | 'word' | 'excel' | 'powerpoint' | 'text' | 'spreadsheet' | 'presentation'
  mime: string
  /** Extensions that fit this content; the first is added to a name that lacks one of them. */
  extensions: readonly string[]
}

const PDF: DetectedType = { kind: 'pdf', mime: 'application/pdf', extensions: ['pdf'] }
const PNG: DetectedType = { kind: 'image', mime: 'image/png', extensions: ['png'] }
const JPEG: DetectedType = { kind: 'image', mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] }
const GIF: DetectedType = { kind: 'image', mime: 'image/gif', extensions: ['gif'] }
const WEBP: DetectedType = { kind: 'image', mime: 'image/webp', extensions: ['webp'] }
const DOC: DetectedType = { kind: 'word', mime: 'application/msword', extensions: ['doc'] }
const XLS: DetectedType = { kind: 'excel', mime: 'application/vnd.ms-excel', extensions: ['xls'] }
const PPT: DetectedType = { kind: 'powerpoint', mime: 'application/vnd.ms-powerpoint', extensions: ['ppt'] }
const DOCX: DetectedType = {
  kind: 'word',
  mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  extensions: ['docx'],
}
const XLSX: DetectedType = {
  kind: 'excel',
  mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  extensions: ['xlsx'],
}
const PPTX: DetectedType = {
  kind: 'powerpoint',
  mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  extensions: ['pptx'],
}
const ODT: DetectedType = { kind: 'text', mime: 'application/vnd.oasis.opendocument.text', extensions: ['odt'] }
const ODS: DetectedType = { kind: 'spreadsheet', mime: 'application/vnd.oasis.opendocument.spreadsheet', extensions: ['ods'] }
const ODP: DetectedType = { kind: 'presentation', mime: 'application/vnd.oasis.opendocument.presentation', extensions: ['odp'] }

/** Every type we accept, by MIME type: downloads are served with the stored type only if it is one of these. */
export const ALLOWED_TYPES: ReadonlyMap<string, DetectedType> = new Map(
  [PDF, PNG, JPEG, GIF, WEBP, DOC, XLS, PPT, DOCX, XLSX, PPTX, ODT, ODS, ODP].map((t) => [t.mime, t]),
)

const startsWith = (data: Buffer, bytes: number[] | string, offset = 0) => {
  const expected = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes)
  return data.length >= offset + expected.length && data.subarray(offset, offset + expected.length).equals(expected)
}

/** The allowed type these bytes are, or null for anything else (HTML, scripts, executables, unknown). */
export function detectType(data: Buffer): DetectedType | null {
  if (startsWith(data, '%PDF-')) return PDF
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return PNG
  if (startsWith(data, [0xff, 0xd8, 0xff])) return JPEG
  if (startsWith(data, 'GIF87a') || startsWith(data, 'GIF89a')) return GIF
  if (startsWith(data, 'RIFF') && startsWith(data, 'WEBP', 8)) return WEBP
  if (startsWith(data, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return detectOle2(data)
  if (startsWith(data, 'PK\x03\x04')) return detectZipDocument(data)
  return null
}

// Legacy Office files are OLE2 compound files; the stream names (UTF-16LE in the directory) tell them apart.
function detectOle2(data: Buffer): DetectedType | null {
  const has = (name: string) => data.includes(Buffer.from(name, 'utf16le'))
  if (has('WordDocument')) return DOC
  if (has('Workbook') || has('Book\u0000')) return XLS
  if (has('PowerPoint Document')) return PPT
  return null
}

// OOXML and OpenDocument files are ZIP archives: their entries say which. Nothing is decompressed.
function detectZipDocument(data: Buffer): DetectedType | null {
  const entries = zipEntries(data)
  if (!entries) return null
  const mimetype = entries.find((e) => e.name === 'mimetype')
  if (mimetype) {
    const declared = storedEntryText(data, mimetype.localHeaderOffset)
    for (const odf of [ODT, ODS, ODP]) if (declared === odf.mime) return odf
    return null
  }
  const names = entries.map((e) => e.name)
  if (!names.includes('[Content_Types].xml')) return null
  if (names.includes('word/document.xml')) return DOCX
  if (names.includes('xl/workbook.xml')) return XLSX
  if (names.includes('ppt/presentation.xml')) return PPTX
  return null
}

type ZipEntry = { name: string; localHeaderOffset: number }
const MAX_ZIP_ENTRIES = 10_000

/** Names from the central directory, or null when the archive is not well formed. */
function zipEntries(data: Buffer): ZipEntry[] | null {
  const eocd = findEndOfCentralDirectory(data)
  if (eocd < 0) return null
  const count = data.readUInt16LE(eocd + 10)
  let offset = data.readUInt32LE(eocd + 16)
  const entries: ZipEntry[] = []
  for (let i = 0; i < Math.min(count, MAX_ZIP_ENTRIES); i++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== 0x02014b50) return null
    const nameLength = data.readUInt16LE(offset + 28)
    const extraLength = data.readUInt16LE(offset + 30)
    const commentLength = data.readUInt16LE(offset + 32)
    if (offset + 46 + nameLength > data.length) return null
    entries.push({
      name: data.toString('utf8', offset + 46, offset + 46 + nameLength),
      localHeaderOffset: data.readUInt32LE(offset + 42),
    })
    offset += 46 + nameLength + extraLength + commentLength
  }
  return entries
}

function findEndOfCentralDirectory(data: Buffer): number {
  const earliest = Math.max(0, data.length - 22 - 0xffff)
  for (let i = data.length - 22; i >= earliest; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) return i
  }
  return -1
}

/** The text of an uncompressed ("stored") entry, as OpenDocument requires for `mimetype`. */
function storedEntryText(data: Buffer, offset: number): string | null {
  if (offset + 30 > data.length || data.readUInt32LE(offset) !== 0x04034b50) return null
  if (data.readUInt16LE(offset + 8) !== 0) return null
  const size = data.readUInt32LE(offset + 18)
  const start = offset + 30 + data.readUInt16LE(offset + 26) + data.readUInt16LE(offset + 28)
  if (size > 200 || start + size > data.length) return null
  return data.toString('latin1', start, start + size).trim()
}

const MAX_NAME_LENGTH = 200

/**
 * A file name safe to store and show: no directories, no control or direction-override characters,
 * at most 200 characters, and an extension that fits the content (added when missing or wrong).
 */
export function sanitizeFileName(raw: string, type: DetectedType, fallback: string): string {
  let name = raw
    .normalize('NFC')
    .split(/[/\\]/)
    .pop()!
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '')
  if (!name) name = fallback
  const ext = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : ''
  const suffix = type.extensions.includes(ext) ? '' : `.${type.extensions[0]}`
  const stem = name.slice(0, suffix ? undefined : name.length - ext.length - 1)
  const tail = suffix || `.${name.slice(name.length - ext.length)}`
  return Array.from(stem).slice(0, MAX_NAME_LENGTH - tail.length).join('').trimEnd() + tail
}
