import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import Handlebars from 'handlebars'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  attachmentsForPosts,
  chosenFiles,
  storeUploads,
  uploadProblem,
} from '../../../src/features/attachments/attachments.service.ts'
import { features } from '../../../src/features/index.ts'
import { registerHelpers } from '../../../src/lib/handlebars-helpers.ts'
import { t as translate } from '../../../src/lib/i18n.ts'
import type { UploadedFile } from '../../../src/plugins/security.ts'
import { buildThread, buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, login, type TestApp } from '../../helpers/app.ts'
import * as files from './files.ts'

const MB = 1024 * 1024
const upload = (filename: string, data: Buffer, mimetype = 'application/pdf'): UploadedFile => ({ filename, data, mimetype })

// The thread and reply forms belong to another feature; this stand-in form checks uploads the same way,
// so the multipart limits are tested end to end: a file or a count too many reaches the form, not a 413.
features.push(async (app: FastifyInstance) => {
  app.post('/test/upload', { config: { access: 'signed-in' } }, async (request, reply) => {
    const body = request.body as { files?: UploadedFile | UploadedFile[] }
    const problem = uploadProblem(chosenFiles(body.files))
    if (problem) return reply.code(422).type('text/html; charset=utf-8').send(`<p class="field-error">${translate(request.locale, problem)}</p>`)
    return reply.send(`ok ${chosenFiles(body.files).length}`)
  })
})

let t: TestApp
beforeAll(async () => {
  t = await createTestApp({ DEMO: 'true' })
})
afterAll(() => t.close())

async function signedIn(role: 'member' | 'staff' = 'member') {
  const user = await buildUser(t.db, { role })
  const agent = t.agent()
  await login(agent, user.email, user.password)
  return { user, agent }
}

async function postWithAttachment(name: string, data: Buffer, post: Partial<{ deleted: boolean; hidden: boolean }> = {}) {
  const { post: opening, author } = await buildThread(t.db, { title: 'Thema mit Anhang' })
  await storeUploads(t.db, t.config.dataDir, { files: [upload(name, data)], postId: opening.id, userId: author.id, now: t.clock.now() })
  if (post.deleted || post.hidden) {
    await t.db
      .updateTable('posts')
      .set(post.deleted ? { deleted_at: t.clock.now() } : { hidden_at: t.clock.now(), hidden_reason: 'Test' })
      .where('id', '=', opening.id)
      .execute()
  }
  const row = await t.db.selectFrom('attachments').selectAll().where('post_id', '=', opening.id).executeTakeFirstOrThrow()
  return { attachment: row, postId: opening.id }
}

describe('checking uploads', () => {
  it('accepts a PDF and ignores a file input left empty', () => {
    expect(uploadProblem([upload('Mustervertrag.pdf', files.pdf()), upload('', Buffer.alloc(0))])).toBeNull()
  })

  it('refuses an HTML file renamed .pdf, by its content', () => {
    const problem = uploadProblem([upload('vertrag.pdf', files.html(), 'application/pdf')])
    expect(problem).toBe('attachments.type')
    expect(translate('de', problem!)).toContain('Dieser Dateityp ist nicht erlaubt')
  })

  it('refuses a file of 10 MB and one byte, in German', () => {
    const data = Buffer.concat([files.pdf(), Buffer.alloc(10 * MB + 1 - files.pdf().length)])
    expect(uploadProblem([upload('gross.pdf', data.subarray(0, 10 * MB))])).toBeNull()
    const problem = uploadProblem([upload('gross.pdf', data)])
    expect(problem).toBe('attachments.tooLarge')
    expect(translate('de', problem!)).toContain('größer als 10 MB')
  })

  it('refuses a sixth file', () => {
    const five = Array.from({ length: 5 }, (_, i) => upload(`datei-${i}.pdf`, files.pdf()))
    expect(uploadProblem(five)).toBeNull()
    expect(uploadProblem([...five, upload('sechs.pdf', files.pdf())])).toBe('attachments.tooMany')
  })
})

describe('uploading through a multipart form', () => {
  async function send(attach: { name: string; data: Buffer }[]) {
    const { agent } = await signedIn()
    const token = await csrfFrom(agent, '/account')
    let request = agent.post('/test/upload').field('_csrf', token)
    for (const file of attach) request = request.attach('files', file.data, { filename: file.name, contentType: 'application/pdf' })
    return request
  }

  it('lets a PDF through', async () => {
    const res = await send([{ name: 'a.pdf', data: files.pdf() }])
    expect(res.status).toBe(200)
    expect(res.text).toBe('ok 1')
  })

  it('answers a file over 10 MB with the form’s German message, not a bare 413', async () => {
    const big = Buffer.concat([files.pdf(), Buffer.alloc(12 * MB)])
    const res = await send([{ name: 'gross.pdf', data: big }])
    expect(res.status).toBe(422)
    expect(res.text).toContain('Eine Datei ist größer als 10 MB')
  })

  it('answers six files with the form’s German message', async () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ name: `d${i}.pdf`, data: files.pdf() }))
    const res = await send(six)
    expect(res.status).toBe(422)
    expect(res.text).toContain('höchstens 5 Dateien')
  })
})

describe('storing uploads', () => {
  it('writes each file under a random name, readable only by the server, and keeps a clean original name', async () => {
    const { post, author } = await buildThread(t.db)
    await storeUploads(t.db, t.config.dataDir, {
      files: [upload('../../../etc/Mustervertrag.pdf', files.pdf()), upload('Foto vom Amt.png', files.png(), 'image/png')],
      postId: post.id,
      userId: author.id,
      now: t.clock.now(),
    })
    const rows = await t.db.selectFrom('attachments').selectAll().where('post_id', '=', post.id).orderBy('id').execute()
    expect(rows.map((r) => [r.original_name, r.content_type])).toEqual([
      ['Mustervertrag.pdf', 'application/pdf'],
      ['Foto vom Amt.png', 'image/png'],
    ])
    const dir = join(t.config.dataDir, 'uploads')
    for (const row of rows) {
      expect(row.stored_name).toMatch(/^[0-9a-f]{32}$/)
      expect(statSync(join(dir, row.stored_name)).mode & 0o777).toBe(0o600)
    }
    expect(readFileSync(join(dir, rows[0]!.stored_name)).equals(files.pdf())).toBe(true)
    // Nothing was written where the name pointed.
    expect(readdirSync(t.config.dataDir)).not.toContain('etc')
    expect(readdirSync(dir).every((f) => /^[0-9a-f]{32}$/.test(f))).toBe(true)
  })

  it('refuses to store what the check refuses', async () => {
    const { post, author } = await buildThread(t.db)
    await expect(
      storeUploads(t.db, t.config.dataDir, { files: [upload('x.pdf', files.html())], postId: post.id, userId: author.id, now: t.clock.now() }),
    ).rejects.toThrow()
    expect(await t.db.selectFrom('attachments').select('id').where('post_id', '=', post.id).execute()).toHaveLength(0)
  })

  it('lists attachments by post for the thread page', async () => {
    const first = await postWithAttachment('Eins.pdf', files.pdf())
    const second = await postWithAttachment('Zwei.docx', files.docx())
    const map = await attachmentsForPosts(t.db, [first.postId, second.postId, 999_999])
    expect(map.get(first.postId)).toEqual([
      { id: first.attachment.id, name: 'Eins.pdf', sizeBytes: files.pdf().length, contentType: 'application/pdf', kind: 'pdf' },
    ])
    expect(map.get(second.postId)?.[0]?.kind).toBe('word')
    expect(map.has(999_999)).toBe(false)
    expect((await attachmentsForPosts(t.db, [])).size).toBe(0)
  })

  it('shows name, type and German size in the post partial, escaped', () => {
    const hbs = Handlebars.create()
    registerHelpers(hbs)
    const partial = hbs.compile(readFileSync(join(import.meta.dirname, '../../../views/partials/post-attachments.hbs'), 'utf8'))
    const html = partial({
      locale: 'de',
      attachments: [{ id: 7, name: '<b>Plan</b>.pdf', sizeBytes: 1_572_864, contentType: 'application/pdf', kind: 'pdf' }],
    })
    expect(html).toContain('href="/attachments/7"')
    expect(html).toContain('&lt;b&gt;Plan&lt;/b&gt;.pdf')
    expect(html).toContain('PDF-Dokument, 1,5 MB')
    expect(partial({ locale: 'de', attachments: [] }).trim()).toBe('')
  })
})

describe('downloading', () => {
  it('sends anonymous visitors to the sign-in page', async () => {
    const { attachment } = await postWithAttachment('Mustervertrag.pdf', files.pdf())
    const res = await t.agent().get(`/attachments/${attachment.id}`)
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe(`/login?next=${encodeURIComponent(`/attachments/${attachment.id}`)}`)
  })

  it('serves the file to members as a download that no browser sniffs or stores', async () => {
    const { attachment } = await postWithAttachment('Übersicht Kosten "2026".pdf', files.pdf())
    const { agent } = await signedIn()
    const res = await agent.get(`/attachments/${attachment.id}`).buffer(true)
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toBe('application/pdf')
    expect(res.headers['x-content-type-options']).toBe('nosniff')
    expect(res.headers['cache-control']).toBe('private, no-store')
    expect(res.headers['content-disposition']).toMatch(/^attachment; /)
    expect(res.headers['content-disposition']).toContain(`filename*=UTF-8''%C3%9Cbersicht%20Kosten%20%222026%22.pdf`)
    expect(res.headers['content-security-policy']).toContain('sandbox')
    expect(Buffer.from(res.body).equals(files.pdf())).toBe(true)
  })

  it('keeps a hostile name inside the header', async () => {
    const { agent } = await signedIn()
    const traversal = await postWithAttachment('../../b.pdf', files.pdf())
    const res = await agent.get(`/attachments/${traversal.attachment.id}`)
    expect(res.headers['content-disposition']).toBe('attachment; filename=b.pdf')
    const injection = await postWithAttachment('a";\r\nSet-Cookie: x=1.pdf', files.pdf())
    const injected = await agent.get(`/attachments/${injection.attachment.id}`)
    expect(injected.status).toBe(200)
    expect(([] as string[]).concat(injected.headers['set-cookie'] ?? []).some((c) => c.startsWith('x=1'))).toBe(false)
    expect(injected.headers['content-disposition']).toBe('attachment; filename="a\\";Set-Cookie: x=1.pdf"')
  })

  it('serves a stored type outside the allowed list as a plain byte stream', async () => {
    const { attachment } = await postWithAttachment('seite.pdf', files.pdf())
    await t.db.updateTable('attachments').set({ content_type: 'text/html' }).where('id', '=', attachment.id).execute()
    const { agent } = await signedIn()
    const res = await agent.get(`/attachments/${attachment.id}`)
    expect(res.headers['content-type']).toBe('application/octet-stream')
  })

  it('hides files of deleted or hidden posts from members, not from staff', async () => {
    const deleted = await postWithAttachment('weg.pdf', files.pdf(), { deleted: true })
    const hidden = await postWithAttachment('versteckt.pdf', files.pdf(), { hidden: true })
    const member = await signedIn()
    const staff = await signedIn('staff')
    for (const { attachment } of [deleted, hidden]) {
      expect((await member.agent.get(`/attachments/${attachment.id}`)).status).toBe(404)
      expect((await staff.agent.get(`/attachments/${attachment.id}`)).status).toBe(200)
    }
  })

  it('answers unknown and malformed ids with a German 404', async () => {
    const { agent } = await signedIn()
    for (const id of ['999999', 'abc', '..%2F..%2Fetc%2Fpasswd', '1e3']) {
      const res = await agent.get(`/attachments/${id}`)
      expect(res.status).toBe(404)
      expect(res.text).toContain('Diese Seite gibt es nicht')
    }
  })
})
