import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeUploads } from '../../../src/features/attachments/attachments.service.ts'
import { searchThreads, TITLE_MATCHES } from '../../../src/features/search/search.queries.ts'
import { FILTER_OPTIONS_TTL_MS } from '../../../src/features/search/search.routes.ts'
import { buildMunicipality, buildReply, buildThread, buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'
import { pdf } from '../attachments/files.ts'

let t: TestApp
let agent: ReturnType<TestApp['agent']>
beforeAll(async () => {
  t = await createTestApp()
  const me = await buildUser(t.db)
  agent = t.agent()
  await login(agent, me.email, me.password)
})
afterAll(() => t.close())

const search = (params: Record<string, string>) => agent.get('/search').query(params)
/** The result titles in order, as a user reads them. */
const titles = (html: string) =>
  [...html.matchAll(/<h3 class="search-result__title"><a href="[^"]+">([\s\S]*?)<\/a><\/h3>/g)].map((m) =>
    m[1]!.replace(/<\/?mark>/g, ''),
  )

describe('search', () => {
  it('finds "Dolmetscher" when searching for "Dolmetschern"', async () => {
    await buildThread(t.db, { title: 'Dolmetscher für Arabisch gesucht', body: 'Wer kennt einen guten Dolmetscher im Landkreis?' })
    const res = await search({ q: 'Dolmetschern' })
    expect(res.status).toBe(200)
    expect(titles(res.text)).toContain('Dolmetscher für Arabisch gesucht')
    expect(res.text).toContain('<mark>Dolmetscher</mark>')
  })

  it('finds replies, links to them and shows each thread once with its best post', async () => {
    const { thread } = await buildThread(t.db, { title: 'Unterbringung in Turnhallen', body: 'Wie lange dürfen Turnhallen belegt werden?' })
    await buildReply(t.db, thread.id, { body: 'Wir haben Feldbetten beschafft, die Feldbetten kamen vom Katastrophenschutz.' })
    const reply = await buildReply(t.db, thread.id, { body: 'Noch ein Hinweis zu Feldbetten.' })
    const res = await search({ q: 'Feldbetten' })
    expect(titles(res.text)).toEqual(['Unterbringung in Turnhallen'])
    expect(res.text).toMatch(/href="\/posts\/\d+"/)
    expect(res.text).not.toContain(`href="/posts/${reply.id}"`)
  })

  it('understands quotes, OR and minus', async () => {
    await buildThread(t.db, { title: 'Sprachkurs Vormittag', body: 'Ein Sprachkurs für Eltern am Vormittag.' })
    await buildThread(t.db, { title: 'Sprachkurs Abend', body: 'Ein Sprachkurs für Berufstätige am Abend, Vormittag geht nicht.' })
    await buildThread(t.db, { title: 'Nachhilfe Vormittag', body: 'Nachhilfe für Schüler.' })
    expect(titles((await search({ q: '"Sprachkurs für Eltern"' })).text)).toEqual(['Sprachkurs Vormittag'])
    expect(titles((await search({ q: 'Sprachkurs -Abend' })).text)).toEqual(['Sprachkurs Vormittag'])
    expect(titles((await search({ q: 'Nachhilfe OR Berufstätige' })).text).sort()).toEqual(['Nachhilfe Vormittag', 'Sprachkurs Abend'])
  })

  it('matches a phrase only where its words stand side by side, and excludes a quoted phrase', async () => {
    await buildThread(t.db, { title: 'Lesepaten getrennt', body: 'Die Lesepatenschaft trifft sich in der Stadtbücherei.' })
    await buildThread(t.db, { title: 'Lesepaten zusammen', body: 'Unsere Lesepatenschaft Stadtbücherei beginnt im Mai.' })
    expect(titles((await search({ q: '"Lesepatenschaft Stadtbücherei"' })).text)).toEqual(['Lesepaten zusammen'])
    expect(titles((await search({ q: 'Lesepatenschaft -"Lesepatenschaft Stadtbücherei"' })).text)).toEqual(['Lesepaten getrennt'])
  })

  it('ranks a title match above the same word in the text of an equally old thread', async () => {
    await buildThread(t.db, { title: 'Werkzeugspende', body: 'Unsere Fahrradwerkstatt braucht Werkzeug.' })
    await buildThread(t.db, { title: 'Fahrradwerkstatt', body: 'Wer spendet Werkzeug?' })
    expect(titles((await search({ q: 'Fahrradwerkstatt' })).text)).toEqual(['Fahrradwerkstatt', 'Werkzeugspende'])
  })

  it('finds a match in the title alone under municipality, district and date filters', async () => {
    const east = await buildMunicipality(t.db, { name: 'Oststadt', district: 'Landkreis Ost' })
    const fromEast = await buildUser(t.db, { municipality_id: east.id })
    await buildThread(t.db, { title: 'Streuobstwiese', body: 'Wer macht mit?', author: fromEast, at: new Date('2026-01-15T10:00:00Z') })
    const q = 'Streuobstwiese'
    const found = { q, municipality: String(east.id), district: 'Landkreis Ost', from: '2026-01-15', to: '2026-01-15' }
    expect(titles((await search(found)).text)).toEqual(['Streuobstwiese'])
    expect(titles((await search({ ...found, from: '2026-01-16', to: '2026-01-20' })).text)).toEqual([])
    expect(titles((await search({ ...found, district: 'Landkreis Nord' })).text)).toEqual([])
  })

  it('searches titles, the title together with its opening text, and attachment names', async () => {
    await buildThread(t.db, { title: 'Ehrenamtskoordination', body: 'Wie organisieren Sie das?' })
    const { post, author } = await buildThread(t.db, { title: 'Kleiderkammer', body: 'Unsere Erfahrungen mit der Kleiderkammer.' })
    await storeUploads(t.db, t.config.dataDir, {
      files: [{ filename: 'Spendenquittung-Vorlage.pdf', mimetype: 'application/pdf', data: pdf() }],
      postId: post.id,
      userId: author.id,
      now: t.clock.now(),
    })
    expect(titles((await search({ q: 'Ehrenamtskoordination' })).text)).toEqual(['Ehrenamtskoordination'])
    expect(titles((await search({ q: 'Ehrenamtskoordination organisieren' })).text)).toEqual(['Ehrenamtskoordination'])
    const byAttachment = await search({ q: 'Spendenquittung' })
    expect(titles(byAttachment.text)).toEqual(['Kleiderkammer'])
    expect(byAttachment.text).toContain('Spendenquittung-Vorlage.pdf')
  })

  it('leaves out deleted and hidden posts and deleted threads', async () => {
    const visible = await buildThread(t.db, { title: 'Sichtbar', body: 'Zauberwortsichtbar steht hier.' })
    const deletedReply = await buildReply(t.db, visible.thread.id, { body: 'Zauberwortgeloescht steht hier.' })
    const hiddenReply = await buildReply(t.db, visible.thread.id, { body: 'Zauberwortversteckt steht hier.' })
    const gone = await buildThread(t.db, { title: 'Zauberwortthema weg', body: 'Zauberwortthema' })
    const now = t.clock.now()
    await t.db.updateTable('posts').set({ deleted_at: now }).where('id', '=', deletedReply.id).execute()
    await t.db.updateTable('posts').set({ hidden_at: now, hidden_reason: 'Spam' }).where('id', '=', hiddenReply.id).execute()
    await t.db.updateTable('threads').set({ deleted_at: now }).where('id', '=', gone.thread.id).execute()
    expect(titles((await search({ q: 'Zauberwortsichtbar' })).text)).toEqual(['Sichtbar'])
    for (const q of ['Zauberwortgeloescht', 'Zauberwortversteckt', 'Zauberwortthema']) {
      const res = await search({ q })
      expect(titles(res.text)).toEqual([])
      expect(res.text).toContain('Keine Treffer')
    }
  })

  it('filters by forum, kind, municipality, district and date range', async () => {
    const north = await buildMunicipality(t.db, { name: 'Nordstadt', district: 'Landkreis Nord' })
    const south = await buildMunicipality(t.db, { name: 'Südstadt', district: 'Landkreis Süd' })
    const fromNorth = await buildUser(t.db, { municipality_id: north.id })
    const fromSouth = await buildUser(t.db, { municipality_id: south.id })
    await buildThread(t.db, {
      title: 'Winterhilfe Nord',
      body: 'Winterhilfe',
      author: fromNorth,
      forum: 'integration',
      kind: 'question',
      at: new Date('2026-01-10T10:00:00Z'),
    })
    await buildThread(t.db, {
      title: 'Winterhilfe Süd',
      body: 'Winterhilfe',
      author: fromSouth,
      forum: 'buergerschaftliches-engagement',
      kind: 'best_practice',
      at: new Date('2026-02-20T10:00:00Z'),
    })
    const q = 'Winterhilfe'
    expect(titles((await search({ q })).text).sort()).toEqual(['Winterhilfe Nord', 'Winterhilfe Süd'])
    expect(titles((await search({ q, forum: 'integration' })).text)).toEqual(['Winterhilfe Nord'])
    expect(titles((await search({ q, kind: 'best_practice' })).text)).toEqual(['Winterhilfe Süd'])
    expect(titles((await search({ q, municipality: String(north.id) })).text)).toEqual(['Winterhilfe Nord'])
    expect(titles((await search({ q, district: 'Landkreis Süd' })).text)).toEqual(['Winterhilfe Süd'])
    expect(titles((await search({ q, from: '2026-02-01' })).text)).toEqual(['Winterhilfe Süd'])
    expect(titles((await search({ q, to: '2026-01-10' })).text)).toEqual(['Winterhilfe Nord'])
    expect(titles((await search({ q, from: '2026-01-11', to: '2026-02-19' })).text)).toEqual([])
  })

  it('ranks equally relevant posts newer first', async () => {
    await buildThread(t.db, { title: 'Alt', body: 'Schulwegbegleitung', at: new Date('2024-03-01T10:00:00Z') })
    await buildThread(t.db, { title: 'Neu', body: 'Schulwegbegleitung', at: new Date('2026-02-01T10:00:00Z') })
    expect(titles((await search({ q: 'Schulwegbegleitung' })).text)).toEqual(['Neu', 'Alt'])
  })

  it('highlights matches without letting any markup of the post through', async () => {
    await buildThread(t.db, {
      title: 'Kommunalwahlhelfer <Gemeinde>',
      body: 'Kommunalwahlhelfer <img src=x onerror=alert(1)> a < b & "c" \uE000Kommunalwahlhelfer\uE001 <script>alert(1)</script>',
    })
    const res = await search({ q: 'Kommunalwahlhelfer' })
    const results = res.text.slice(res.text.indexOf('search-results'))
    expect(results).toContain('<mark>Kommunalwahlhelfer</mark>')
    expect(results).not.toMatch(/<img|<script|<Gemeinde/)
    expect(titles(res.text)).toEqual(['Kommunalwahlhelfer &lt;Gemeinde&gt;'])
    expect(results).toContain('&lt;img src&#x3D;x onerror&#x3D;alert(1)&gt; a &lt; b &amp; &quot;c&quot;')
    expect(results).toContain('<a href="/threads/')
    expect(results).not.toContain('\uE000')
  })

  it('pages 20 threads at a time', async () => {
    for (let i = 0; i < 23; i++) await buildThread(t.db, { title: `Seitenwechsel ${i}`, body: 'Seitenwechseltext' })
    const first = await search({ q: 'Seitenwechseltext' })
    expect(titles(first.text)).toHaveLength(20)
    expect(first.text).toContain('23 Themen gefunden')
    const next = first.text.match(/<a href="([^"]+)" rel="next">/)![1]!.replaceAll('&amp;', '&').replaceAll('&#x3D;', '=')
    const second = await agent.get(next)
    expect(titles(second.text)).toHaveLength(3)
    expect(second.text).toContain('Seite 2 von 2')
    const beyond = await search({ q: 'Seitenwechseltext', page: '5' })
    expect(beyond.status).toBe(200)
    expect(titles(beyond.text)).toEqual([])
  })

  it('says that a count is a lower bound when a common word has more matches than the search reads', async () => {
    // More title matches than the search takes (TITLE_MATCHES): the older ones are left out of the count.
    for (let i = 0; i <= TITLE_MATCHES; i++) await buildThread(t.db, { title: `Deichschau ${i}`, body: 'Termine im Herbst.' })
    const res = await search({ q: 'Deichschau' })
    expect(titles(res.text)).toHaveLength(20)
    expect(res.text).toContain(`Mehr als ${TITLE_MATCHES} Themen gefunden`)
    expect(res.text).not.toContain(`${TITLE_MATCHES + 1} Themen gefunden`)
    // A page past the end still knows how many pages there are.
    const beyond = await search({ q: 'Deichschau', page: '9' })
    expect(titles(beyond.text)).toEqual([])
    expect(beyond.status).toBe(200)
  })

  it('takes the newest title matches whether they are among the latest threads or older', async () => {
    const author = await buildUser(t.db)
    const forum = await t.db.selectFrom('forums').select('id').where('slug', '=', 'integration').executeTakeFirstOrThrow()
    const threads = async (title: string, count: number, withPost = true) => {
      const { rows } = await sql<{ id: number }>`
        INSERT INTO threads (forum_id, author_id, municipality_id, kind, title, created_at, last_post_at)
        SELECT ${forum.id}, ${author.id}, ${author.municipality_id}, 'question', ${title} || ' ' || g, now(), now()
        FROM generate_series(1, ${count}::int) g ORDER BY g RETURNING id
      `.execute(t.db)
      if (withPost) {
        await sql`
          INSERT INTO posts (thread_id, position, author_id, municipality_id, body, created_at)
          SELECT id, 1, ${author.id}, ${author.municipality_id}, 'Termine im Herbst.', now() FROM unnest(${rows.map((r) => r.id)}::int[]) id
        `.execute(t.db)
      }
      return rows.map((r) => r.id)
    }
    // Older threads, then more threads than the search reads backwards (no title match among them), then the latest.
    const olderDykes = await threads('Deichpflege Sielacht', 40)
    const olderSluices = await threads('Schleusenwärter', 5)
    await threads('Füllthema', 2_100, false)
    const newerDykes = await threads('Deichpflege', 30)
    const newerSluices = await threads('Schleusenwärter', 10)
    const found = async (q: string, filters = {}) => {
      const result = await searchThreads(t.db, q, filters, { limit: 200, offset: 0, now: new Date() })
      return { threads: result.hits.map((h) => h.thread_id).sort((a, b) => a - b), total: result.total, capped: result.capped }
    }
    // The newest TITLE_MATCHES: all 30 latest and the 30 newest of the older ones; more were left out.
    expect(await found('Deichpflege')).toEqual({
      threads: [...olderDykes.slice(-(TITLE_MATCHES - newerDykes.length)), ...newerDykes],
      total: TITLE_MATCHES,
      capped: true,
    })
    // Too few among the latest: the older ones are found too.
    expect(await found('Schleusenwärter')).toEqual({ threads: [...olderSluices, ...newerSluices], total: 15, capped: false })
    // None among the latest.
    expect(await found('Sielacht')).toEqual({ threads: olderDykes, total: 40, capped: false })
    // With a filter (all these threads are in the forum), the same threads through the index alone.
    expect(await found('Deichpflege', { forumId: forum.id })).toEqual(await found('Deichpflege'))
    expect(await found('Schleusenwärter', { forumId: forum.id })).toEqual(await found('Schleusenwärter'))
  })

  it('answers empty, syntax-only and exclusion-only queries with a friendly page', async () => {
    for (const [q, text] of [
      ['', 'Geben Sie oben ein oder mehrere Wörter ein'],
      ['   ', 'Geben Sie oben ein oder mehrere Wörter ein'],
      ['"" - OR', 'schließt nur Wörter aus'],
      ['der die das', 'Geben Sie oben ein oder mehrere Wörter ein'],
      ['-Dolmetscher', 'schließt nur Wörter aus'],
      ['!!! ((( &&& :*', 'Geben Sie oben ein oder mehrere Wörter ein'],
    ]) {
      const res = await search({ q: q! })
      expect(res.status, q).toBe(200)
      expect(res.text, q).toContain(text)
    }
  })

  it('lists a new municipality among the filter choices within a minute', async () => {
    await search({ q: '' })
    await buildMunicipality(t.db, { name: 'Neugründungsstadt' })
    // the choices are read once a minute, not on every search
    expect((await search({ q: '' })).text).not.toContain('>Neugründungsstadt</option>')
    t.clock.advance(FILTER_OPTIONS_TTL_MS)
    expect((await search({ q: '' })).text).toContain('>Neugründungsstadt</option>')
  })

  it('tells about a wrong date next to its field and keeps the query', async () => {
    const res = await search({ q: 'Dolmetscher', from: '2026-02-31' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('id="f-from-error"')
    expect(res.text).toContain('Bitte geben Sie ein Datum an')
    expect(res.text).toContain('value="Dolmetscher"')
  })

  it('is for signed-in members only, with a search box in every page header', async () => {
    const anonymous = await t.agent().get('/search?q=Dolmetscher')
    expect(anonymous.status).toBe(303)
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/)
    const page = await agent.get('/account')
    expect(page.text).toMatch(/<form role="search" method="get" action="\/search"[^>]*aria-label="Forum durchsuchen"/)
    expect(page.text).toContain('<label for="site-search-q"')
  })
})
