import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import { buildUser, PASSWORD } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'
import { dayAt, history } from '../trends/history.ts'
import { digestRound, digestsTo } from './helpers.ts'

// Friday 18 July 2025 (day 198 of the history): ten municipalities in six districts start writing about
// mould. The weekly digest of Monday 21 July says what is on the rise, beside the usual sections.
const schimmel = { title: 'Schimmelbefall in der Unterkunft', body: 'Wir haben Schimmelbefall in zwei Wohnungen. Wer hat ein Schimmelgutachten beauftragt?' }

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
  const lines = history([{ day: 198, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], ...schimmel }])
  const summary = await importInterchange(t.db, lines, dayAt(199), () => {})
  expect(summary.thread.skipped + summary.post.skipped).toBe(0)
})
afterAll(() => t?.close())

describe('the digest and the trends', () => {
  it('carries a line on what is spreading across municipalities, each theme linked to a search members may open', async () => {
    const reader = await buildUser(t.db, { name: 'Rita Leser' })
    t.clock.set('2025-07-21T07:30:00Z')
    await digestRound(t)
    const [mail] = digestsTo(t, reader.email)
    expect(mail, 'a digest for the reader').toBeDefined()
    const text = mail!.text ?? ''
    expect(text).toContain('Im Kommen')
    const section = text.slice(text.indexOf("Im Kommen"))
    expect(section).toMatch(/Schimmel\S*.* \(aus 10 Kommunen\)/)
    const link = section.match(/https?:\/\/\S+\/search\?q=\S+/)?.[0]
    expect(link).toBeDefined()
    // The link leads a member to the posts behind the theme.
    const member = t.agent()
    await login(member, reader.email, PASSWORD)
    const found = await member.get(new URL(link!).pathname + new URL(link!).search)
    expect(found.status).toBe(200)
    expect(found.text.replace(/<[^>]+>/g, '')).toContain('Schimmelbefall in der Unterkunft')
    expect(mail!.html).toContain('Im Kommen')
  })
})
