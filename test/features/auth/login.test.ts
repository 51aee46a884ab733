import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, login, submitForm, type TestApp } from '../../helpers/app.ts'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('sign-in', () => {
  it('shows a German sign-in page with a CSRF-protected form', async () => {
    const res = await t.agent().get('/login')
    expect(res.status).toBe(200)
    expect(res.text).toContain('<html lang="de">')
    expect(res.text).toContain('Anmelden')
    expect(res.text).toMatch(/name="_csrf" value="[^"]+"/)
  })

  it('signs a member in and out, with a new session id at sign-in', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    const before = await agent.get('/login')
    const anonCookie = before.headers['set-cookie']?.[0]?.split(';')[0]
    const res = await login(agent, user.email, user.password)
    expect(res.headers.location).toBe('/')
    const signedInCookie = res.headers['set-cookie']?.[0]?.split(';')[0]
    expect(signedInCookie).toBeDefined()
    expect(signedInCookie).not.toBe(anonCookie)
    const home = await agent.get('/')
    expect(home.status).toBe(200)
    expect(home.text).toContain(user.name)
    expect(home.headers['cache-control']).toBe('no-store')

    const out = await submitForm(agent, '/', '/logout', {})
    expect(out.status).toBe(303)
    const rows = await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()
    expect(rows).toHaveLength(0)
    expect((await agent.get('/')).headers.location).toBe('/login?next=%2F')
  })

  it('answers unknown emails exactly like wrong passwords', async () => {
    const user = await buildUser(t.db)
    const wrong = await submitForm(t.agent(), '/login', '/login', { email: user.email, password: 'falsch-falsch-falsch' })
    const unknown = await submitForm(t.agent(), '/login', '/login', { email: 'niemand@example.de', password: 'falsch-falsch-falsch' })
    expect(wrong.status).toBe(422)
    expect(unknown.status).toBe(422)
    const message = (html: string) => html.match(/<div class="error-summary"[\s\S]*?<\/div>/)?.[0]
    expect(message(wrong.text)).toBe(message(unknown.text))
    expect(message(wrong.text)).toContain('E-Mail-Adresse oder Passwort ist nicht korrekt.')
  })

  it('keeps the typed email after a failed sign-in, never the password', async () => {
    const res = await submitForm(t.agent(), '/login', '/login', { email: 'tippfehler@example.de', password: 'geheim-geheim' })
    expect(res.text).toContain('value="tippfehler@example.de"')
    expect(res.text).not.toContain('geheim-geheim')
  })

  it('rejects a post without a valid CSRF token', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await agent.get('/login')
    const res = await agent.post('/login').type('form').send({ email: user.email, password: user.password, _csrf: 'forged' })
    expect(res.status).toBe(403)
    expect(res.text).toContain('Das Formular ist abgelaufen')
  })

  it('rejects a cross-origin post even with a token', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    const token = await csrfFrom(agent, '/login')
    const res = await agent
      .post('/login')
      .set('Origin', 'https://evil.example')
      .type('form')
      .send({ email: user.email, password: user.password, _csrf: token })
    expect(res.status).toBe(403)
  })

  it('ignores a foreign redirect target after sign-in', async () => {
    const user = await buildUser(t.db)
    for (const next of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      const res = await submitForm(t.agent(), `/login?next=${encodeURIComponent(next)}`, '/login', {
        email: user.email,
        password: user.password,
        next,
      })
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe('/')
    }
  })

  it('refuses deactivated accounts with the same message', async () => {
    const user = await buildUser(t.db, { active: false })
    const res = await submitForm(t.agent(), '/login', '/login', { email: user.email, password: user.password })
    expect(res.status).toBe(422)
  })
})
