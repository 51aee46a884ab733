import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { findSimilarThreads } from '../../../src/features/search/search.queries.ts'
import { buildThread, buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'

let t: TestApp
let dolmetscher: number
let ids: Record<string, number>
beforeAll(async () => {
  t = await createTestApp()
  ids = {}
  for (const [key, title, body] of [
    ['duplicate', 'Dolmetscher für Arabisch gesucht', 'Wir brauchen kurzfristig Dolmetscher für Gespräche im Bürgerbüro.'],
    ['related', 'Kosten für Dolmetscher im Jobcenter', 'Wer übernimmt die Kosten?'],
    ['unrelated1', 'Winterdienst auf Gemeindestraßen', 'Streupflicht und Räumzeiten.'],
    ['unrelated2', 'Kita-Gebühren für Geschwisterkinder', 'Satzung und Ermäßigungen.'],
    ['unrelated3', 'Ehrenamtliche Fahrdienste versichern', 'Welche Versicherung greift bei Fahrten?'],
    ['byText', 'Sprachmittlung im Rathaus', 'Wir suchen seit Wochen ehrenamtliche Dolmetscher für Arabisch und Farsi.'],
  ]) {
    ids[key!] = (await buildThread(t.db, { title, body })).thread.id
  }
  dolmetscher = ids.duplicate!
})
afterAll(() => t.close())

describe('similar threads', () => {
  it('puts a near-duplicate title first and leaves unrelated threads out', async () => {
    const similar = await findSimilarThreads(t.db, 'Suche Dolmetscher für Arabisch')
    expect(similar[0]?.id).toBe(dolmetscher)
    const shown = similar.map((s) => s.id)
    expect(shown).toContain(ids.byText)
    for (const key of ['unrelated1', 'unrelated2', 'unrelated3']) expect(shown).not.toContain(ids[key])
  })

  it('finds a title typed with a typo through trigram similarity', async () => {
    const similar = await findSimilarThreads(t.db, 'Winterdinst auf Gemeindestrasen')
    expect(similar[0]?.id).toBe(ids.unrelated1)
  })

  it('corrects a typo against the words of renamed titles too', async () => {
    const { thread } = await buildThread(t.db, { title: 'Ein vorläufiger Titel', body: 'Zum Thema.' })
    await t.db.updateTable('threads').set({ title: 'Hitzeschutzplan für Kindergärten' }).where('id', '=', thread.id).execute()
    const similar = await findSimilarThreads(t.db, 'Hitzeschutzplann Kindergärtn')
    expect(similar[0]?.id).toBe(thread.id)
  })

  it('shows nothing for a short or unrelated title, at most the limit, never the excluded or deleted thread', async () => {
    expect(await findSimilarThreads(t.db, 'Dol')).toEqual([])
    expect(await findSimilarThreads(t.db, 'Breitbandausbau im ländlichen Raum')).toEqual([])
    expect(await findSimilarThreads(t.db, 'Dolmetscher', { limit: 1 })).toHaveLength(1)
    expect((await findSimilarThreads(t.db, 'Dolmetscher für Arabisch gesucht', { excludeId: dolmetscher })).map((s) => s.id)).not.toContain(
      dolmetscher,
    )
    const gone = await buildThread(t.db, { title: 'Schwimmkurse für geflüchtete Kinder' })
    await t.db.updateTable('threads').set({ deleted_at: t.clock.now() }).where('id', '=', gone.thread.id).execute()
    expect(await findSimilarThreads(t.db, 'Schwimmkurse für geflüchtete Kinder')).toEqual([])
  })

  it('answers the typing title field with an HTML fragment for signed-in members', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const res = await agent.get('/threads/similar').query({ title: 'Dolmetscher <für> Arabisch' })
    expect(res.status).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.text).not.toContain('<html')
    expect(res.text).toContain('Ähnliche Themen, die es schon gibt')
    expect(res.text).toContain(`<a href="/threads/${dolmetscher}">Dolmetscher für Arabisch gesucht</a>`)
    expect((await agent.get('/threads/similar').query({ title: 'Breitbandausbau im ländlichen Raum' })).text.trim()).toBe('')
    const anonymous = await t.agent().get('/threads/similar?title=Dolmetscher')
    expect(anonymous.status).toBe(303)
  })
})
