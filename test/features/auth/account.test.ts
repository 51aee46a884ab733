import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../../helpers/app.ts'

const NEW_PASSWORD = 'Ein ganz neuer Satz fürs Konto'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

async function signedIn(overrides: Parameters<typeof buildUser>[1] = {}) {
  const user = await buildUser(t.db, overrides)
  const agent = t.agent()
  await login(agent, user.email, user.password)
  return { user, agent }
}

function sessionCookie(res: { headers: Record<string, unknown> }): string | undefined {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? []
  return cookies.find((c) => c.startsWith('kf_sid='))?.split(';')[0]
}

describe('the account page', () => {
  it('shows email, role and municipality as facts and the profile as a form', async () => {
    const municipality = await buildMunicipality(t.db, { name: 'Cremlingen' })
    const { user, agent } = await signedIn({ municipality_id: municipality.id, role: 'municipality_admin' })
    const res = await agent.get('/account')
    expect(res.status).toBe(200)
    expect(res.text).toContain('<h1>Mein Konto</h1>')
    expect(res.text).toContain(`<dd>${user.email}</dd>`)
    expect(res.text).toContain('<dd>Ansprechperson der Kommune</dd>')
    expect(res.text).toContain('<dd>Cremlingen</dd>')
    expect(res.text).toContain(`name="name" type="text" value="${user.name}"`)
    expect(res.text).not.toMatch(/<input[^>]+name="email"/)
    expect(res.text).toContain('Nicht eingeschaltet.')
    expect(res.text).toContain('href="/account/2fa"')
  })

  it('is only for signed-in users', async () => {
    const res = await t.agent().get('/account')
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login?next=%2Faccount')
  })
})

describe('editing the profile', () => {
  it('saves name, position and language', async () => {
    const { user, agent } = await signedIn()
    const res = await submitForm(agent, '/account', '/account/profile', { name: 'Erika Muster', position: 'Bürgermeisterin', locale: 'en' })
    expect(res.status).toBe(303)
    const page = await agent.get('/account')
    expect(page.text).toContain('<html lang="en">')
    expect(page.text).toContain('Your profile has been saved.')
    expect(page.text).toContain('value="Bürgermeisterin"')
    const row = await t.db.selectFrom('users').select(['name', 'position', 'locale']).where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ name: 'Erika Muster', position: 'Bürgermeisterin', locale: 'en' })
  })

  it('keeps the input and names the problem when the name is empty', async () => {
    const { user, agent } = await signedIn()
    const res = await submitForm(agent, '/account', '/account/profile', { name: '  ', position: 'Hauptamt', locale: 'de' })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="f-name-error"[^>]*>.*Bitte füllen Sie dieses Feld aus/)
    expect(res.text).toContain('value="Hauptamt"')
    const row = await t.db.selectFrom('users').select('name').where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.name).toBe(user.name)
  })

  it('refuses fields it does not name, such as the role', async () => {
    const { user, agent } = await signedIn()
    const res = await submitForm(agent, '/account', '/account/profile', { name: 'Neu', locale: 'de', role: 'admin', email: 'x@example.de' })
    expect(res.status).toBe(422)
    const row = await t.db.selectFrom('users').select(['role', 'email', 'name']).where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(row).toEqual({ role: 'member', email: user.email, name: user.name })
  })
})

describe('changing the password', () => {
  it('needs the current password', async () => {
    const { user, agent } = await signedIn()
    const res = await submitForm(agent, '/account', '/account/password', {
      current_password: 'falsch-falsch-falsch',
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="f-current_password-error"[^>]*>.*Das Passwort ist nicht korrekt/)
    expect((await login(t.agent(), user.email, user.password)).status).toBe(303)
  })

  it('applies the password policy and the confirmation', async () => {
    const { user, agent } = await signedIn()
    const change = (new_password: string, new_password_confirm = new_password) =>
      submitForm(agent, '/account', '/account/password', { current_password: user.password, new_password, new_password_confirm })
    expect((await change('hallo123')).text).toContain('Dieses Passwort ist zu verbreitet')
    expect((await change(user.email)).text).toContain('nicht Ihre E-Mail-Adresse')
    const mismatch = await change(NEW_PASSWORD, 'etwas anderes')
    expect(mismatch.status).toBe(422)
    expect(mismatch.text).toContain('Die beiden Passwörter stimmen nicht überein.')
    expect((await login(t.agent(), user.email, user.password)).status).toBe(303)
  })

  it('ends the other sessions and continues this one under a new id', async () => {
    const { user, agent } = await signedIn()
    const other = t.agent()
    await login(other, user.email, user.password)
    const before = await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()
    expect(before).toHaveLength(2)

    const res = await submitForm(agent, '/account', '/account/password', {
      current_password: user.password,
      new_password: NEW_PASSWORD,
      new_password_confirm: NEW_PASSWORD,
    })
    expect(res.status).toBe(303)
    expect(sessionCookie(res)).toBeDefined()

    const after = await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()
    expect(after).toHaveLength(1)
    expect(before.map((s) => s.sid)).not.toContain(after[0]!.sid)

    const page = await agent.get('/account')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Ihr Passwort wurde geändert.')
    expect((await other.get('/')).headers.location).toBe('/login?next=%2F')

    expect((await submitForm(t.agent(), '/login', '/login', { email: user.email, password: user.password })).status).toBe(422)
    expect((await login(t.agent(), user.email, NEW_PASSWORD)).status).toBe(303)
  })
})
