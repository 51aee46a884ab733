import { describe, expect, it } from 'vitest'
import { detectType, sanitizeFileName } from '../../../src/features/attachments/attachments.sniff.ts'
import { formatFileSize } from '../../../src/lib/handlebars-helpers.ts'
import * as files from './files.ts'

describe('file types by content', () => {
  it.each([
    ['pdf', files.pdf(), 'application/pdf'],
    ['png', files.png(), 'image/png'],
    ['jpeg', files.jpeg(), 'image/jpeg'],
    ['gif', files.gif(), 'image/gif'],
    ['webp', files.webp(), 'image/webp'],
    ['docx', files.docx(), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
    ['xlsx', files.xlsx(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['pptx', files.pptx(), 'application/vnd.openxmlformats-officedocument.presentationml.presentation'],
    ['odt', files.odt(), 'application/vnd.oasis.opendocument.text'],
    ['ods', files.ods(), 'application/vnd.oasis.opendocument.spreadsheet'],
    ['odp', files.odp(), 'application/vnd.oasis.opendocument.presentation'],
    ['doc', files.ole2('WordDocument'), 'application/msword'],
    ['xls', files.ole2('Workbook'), 'application/vnd.ms-excel'],
    ['ppt', files.ole2('PowerPoint Document'), 'application/vnd.ms-powerpoint'],
  ])('accepts %s', (_name, data, mime) => {
    expect(detectType(data)?.mime).toBe(mime)
  })

  it.each([
    ['HTML', files.html()],
    ['SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>')],
    ['an executable', Buffer.concat([Buffer.from('MZ'), Buffer.alloc(200)])],
    ['a ZIP that is no document', files.zip({ 'evil.exe': 'MZ', 'readme.txt': 'hi' })],
    ['a ZIP that claims a foreign mimetype', files.zip({ mimetype: 'text/html', 'index.html': '<script></script>' })],
    ['a broken ZIP', Buffer.from('PK\x03\x04 not really a zip', 'latin1')],
    ['an OLE2 file of unknown kind', files.ole2('Something')],
    ['nothing', Buffer.alloc(0)],
  ])('refuses %s', (_name, data) => {
    expect(detectType(data)).toBeNull()
  })
})

describe('file names', () => {
  const pdfType = detectType(files.pdf())!

  it('keeps an ordinary German name', () => {
    expect(sanitizeFileName('Mustervertrag Dolmetscher (Entwurf) – Gemeinde Süd.pdf', pdfType, 'Datei')).toBe(
      'Mustervertrag Dolmetscher (Entwurf) – Gemeinde Süd.pdf',
    )
  })

  it('drops directories, so path traversal names nothing outside the file', () => {
    expect(sanitizeFileName('../../etc/passwd.pdf', pdfType, 'Datei')).toBe('passwd.pdf')
    expect(sanitizeFileName('..\\..\\windows\\system.ini', pdfType, 'Datei')).toBe('system.ini.pdf')
    expect(sanitizeFileName('../..', pdfType, 'Datei')).toBe('Datei.pdf')
  })

  it('removes control and direction-override characters', () => {
    expect(sanitizeFileName('bericht\r\nSet-Cookie: x.pdf', pdfType, 'Datei')).toBe('berichtSet-Cookie: x.pdf')
    // "rechnung\u202Efdp.exe" would display as "rechnungexe.pdf"
    expect(sanitizeFileName('rechnung\u202Efdp.exe', pdfType, 'Datei')).toBe('rechnungfdp.exe.pdf')
  })

  it('adds the extension that fits the content', () => {
    expect(sanitizeFileName('bericht', pdfType, 'Datei')).toBe('bericht.pdf')
    expect(sanitizeFileName('bericht.html', pdfType, 'Datei')).toBe('bericht.html.pdf')
    expect(sanitizeFileName('FOTO.JPEG', detectType(files.jpeg())!, 'Datei')).toBe('FOTO.JPEG')
  })

  it('shortens long names to 200 characters, keeping the extension', () => {
    const name = sanitizeFileName(`${'ä'.repeat(300)}.pdf`, pdfType, 'Datei')
    expect(Array.from(name)).toHaveLength(200)
    expect(name.endsWith('ä.pdf')).toBe(true)
  })
})

describe('file sizes', () => {
  it('reads German in German', () => {
    expect(formatFileSize(1_572_864, 'de')).toBe('1,5 MB')
    expect(formatFileSize(10 * 1024 * 1024, 'de')).toBe('10 MB')
    expect(formatFileSize(820 * 1024, 'de')).toBe('820 kB')
    expect(formatFileSize(1_572_864, 'en')).toBe('1.5 MB')
  })
})
