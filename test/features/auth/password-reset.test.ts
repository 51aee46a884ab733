import { createHash } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { MINUTE } from '../../../src/lib/clock.ts'
import { buildMunicipality, buildUser } from '../../factories.ts'
import { createTestApp, csrfFrom, login, submitForm, type TestApp } from '../../helpers/app.ts'
import { linkIn } from '../../helpers/smtp.ts'

const NEW_PASSWORD = 'Ein neuer Satz als Passwort'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())
// Every test starts in a fresh rate-limit window (the limit is per IP, and all tests come from one).
beforeEach(() => t.clock.advance(16 * MINUTE))

type Agent = ReturnType<TestApp['agent']>

function requestReset(email: string, agent: Agent = t.agent()) {
  return submitForm(agent, '/password/forgot', '/password/forgot', { email })
}

/** The n-th mail (1-based) that reached this address. */
async function nthMailTo(email: string, n: number) {
  await t.smtp.waitFor(() => t.smtp.to(email).length >= n)
  return t.smtp.to(email)[n - 1]!
}

/** Requests a reset and returns the path of the link in the resulting mail. */
async function resetPathFor(email: string) {
  const before = t.smtp.to(email).length
  const res = await requestReset(email)
  expect(res.status).toBe(303)
  const mail = await nthMailTo(email, before + 1)
  return new URL(linkIn(mail, `${t.config.baseUrl}/password/reset/`)).pathname
}

function setPassword(path: string, password = NEW_PASSWORD, confirm = password, agent: Agent = t.agent()) {
  return submitForm(agent, path, path, { new_password: password, new_password_confirm: confirm })
}

async function canLogin(email: string, password: string) {
  const res = await submitForm(t.agent(), '/login', '/login', { email, password })
  return res.status === 303
}

describe('requesting a reset link', () => {
  it('answers known and unknown addresses alike and mails only the known one', async () => {
    const user = await buildUser(t.db)
    const unknown = 'niemand-hier@example.de'
    const forUnknown = await requestReset(unknown)
    const forKnown = await requestReset(user.email)
    expect(forKnown.status).toBe(303)
    expect(forUnknown.status).toBe(forKnown.status)
    expect(forUnknown.headers.location).toBe(forKnown.headers.location)
    expect(forUnknown.text).toBe(forKnown.text)

    const page = await t.agent().get(forKnown.headers.location!)
    expect(page.status).toBe(200)
    expect(page.text).toContain('Wenn zu der angegebenen Adresse ein aktives Konto gehört')

    const mail = await nthMailTo(user.email, 1)
    expect(mail.subject).toBe('Ihr Link zum Zurücksetzen des Passworts')
    expect(mail.text).toContain(`Guten Tag ${user.name},`)
    expect(mail.text).toContain('60 Minuten')
    const link = linkIn(mail, 'http://forum.test/password/reset/')
    expect(mail.html).toContain(`href="${link}"`)
    expect(t.smtp.to(unknown)).toHaveLength(0)
  })

  it('stores only the SHA-256 of a token with at least 128 random bits', async () => {
    const user = await buildUser(t.db)
    const token = (await resetPathFor(user.email)).split('/').pop()!
    expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(16)
    const rows = await t.db.selectFrom('password_resets').selectAll().where('user_id', '=', user.id).execute()
    expect(rows).toHaveLength(1)
    expect(rows[0]!.token_hash).toBe(createHash('sha256').update(token).digest('hex'))
    expect(JSON.stringify(rows)).not.toContain(token)
  })

  it('writes the mail in the language of the account', async () => {
    const user = await buildUser(t.db, { locale: 'en' })
    await requestReset(user.email)
    const mail = await nthMailTo(user.email, 1)
    expect(mail.subject).toBe('Your link to reset your password')
    expect(mail.text).toContain(`Hello ${user.name},`)
  })

  it('builds the link from the configured base URL, whatever Host the request names', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    const token = await csrfFrom(agent, '/password/forgot')
    const res = await agent
      .post('/password/forgot')
      .set('Host', 'evil.example')
      .set('X-Forwarded-Host', 'evil.example')
      .type('form')
      .send({ _csrf: token, email: user.email })
    expect(res.status).toBe(303)
    const mail = await nthMailTo(user.email, 1)
    expect(linkIn(mail, 'http://forum.test/password/reset/')).toBeTruthy()
    expect(mail.text).not.toContain('evil.example')
    expect(mail.html).not.toContain('evil.example')
  })

  it('rejects an invalid address with the form again', async () => {
    const res = await requestReset('kein-at-zeichen')
    expect(res.status).toBe(422)
    expect(res.text).toContain('Bitte geben Sie eine gültige E-Mail-Adresse an')
    expect(res.text).toContain('value="kein-at-zeichen"')
  })

  it('limits requests per address of the requester, with Retry-After', async () => {
    for (let i = 0; i < 10; i++) expect((await requestReset(`flut-${i}@example.de`)).status).toBe(303)
    const limited = await requestReset('flut-11@example.de')
    expect(limited.status).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    t.clock.advance(16 * MINUTE)
    expect((await requestReset('flut-12@example.de')).status).toBe(303)
  })
})

describe('using a reset link', () => {
  it('shows the form on opening without using the link up', async () => {
    const user = await buildUser(t.db)
    const path = await resetPathFor(user.email)
    for (let i = 0; i < 2; i++) {
      const res = await t.agent().get(path)
      expect(res.status).toBe(200)
      expect(res.text).toContain(`action="${path}"`)
      expect(res.text).toContain('autocomplete="new-password"')
    }
    const row = await t.db.selectFrom('password_resets').select('used_at').where('user_id', '=', user.id).executeTakeFirstOrThrow()
    expect(row.used_at).toBeNull()
  })

  it('sets the new password once, then refuses the link', async () => {
    const user = await buildUser(t.db)
    const path = await resetPathFor(user.email)
    const agent = t.agent()
    const res = await setPassword(path, NEW_PASSWORD, NEW_PASSWORD, agent)
    expect(res.status).toBe(303)
    expect(res.headers.location).toBe('/login')
    const loginPage = await agent.get('/login')
    expect(loginPage.text).toContain('Ihr neues Passwort ist gespeichert')
    expect(loginPage.text).toMatch(/role="status"[^>]*>Ihr neues Passwort/)

    expect(await canLogin(user.email, NEW_PASSWORD)).toBe(true)
    expect(await canLogin(user.email, user.password)).toBe(false)

    const stored = await t.db.selectFrom('users').select('password_hash').where('id', '=', user.id).executeTakeFirstOrThrow()
    expect(stored.password_hash).toMatch(/^\$argon2id\$/)

    const again = await setPassword(path, 'Noch ein ganz anderer Satz')
    expect(again.status).toBe(410)
    expect(again.text).toContain('ungültig, abgelaufen oder wurde bereits verwendet')
    expect((await t.agent().get(path)).status).toBe(410)
    expect(await canLogin(user.email, NEW_PASSWORD)).toBe(true)
  })

  it('expires after 60 minutes', async () => {
    const user = await buildUser(t.db)
    const path = await resetPathFor(user.email)
    t.clock.advance(59 * MINUTE)
    expect((await t.agent().get(path)).status).toBe(200)
    // A form opened in time but sent too late is refused as well.
    const agent = t.agent()
    const token = await csrfFrom(agent, path)
    t.clock.advance(2 * MINUTE)
    const late = await agent.post(path).type('form').send({ _csrf: token, new_password: NEW_PASSWORD, new_password_confirm: NEW_PASSWORD })
    expect(late.status).toBe(410)
    expect((await t.agent().get(path)).status).toBe(410)
    expect(await canLogin(user.email, user.password)).toBe(true)
  })

  it('voids an older link when a newer one is requested', async () => {
    const user = await buildUser(t.db)
    const older = await resetPathFor(user.email)
    const newer = await resetPathFor(user.email)
    expect(newer).not.toBe(older)
    expect((await t.agent().get(older)).status).toBe(410)
    expect((await setPassword(older)).status).toBe(410)
    expect((await setPassword(newer)).status).toBe(303)
  })

  it('ends every session of the account', async () => {
    const user = await buildUser(t.db)
    const laptop = t.agent()
    const phone = t.agent()
    await login(laptop, user.email, user.password)
    await login(phone, user.email, user.password)
    expect((await laptop.get('/')).status).toBe(200)

    const path = await resetPathFor(user.email)
    expect((await setPassword(path)).status).toBe(303)
    const sessions = await t.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()
    expect(sessions).toHaveLength(0)
    expect((await laptop.get('/')).headers.location).toBe('/login?next=%2F')
    expect((await phone.get('/')).headers.location).toBe('/login?next=%2F')
  })

  it('signs out the browser the reset happens in, even when it was signed in', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    const path = await resetPathFor(user.email)
    expect((await setPassword(path, NEW_PASSWORD, NEW_PASSWORD, agent)).status).toBe(303)
    expect((await agent.get('/')).status).toBe(303)
  })

  it('checks the password policy and the confirmation before using the link', async () => {
    const municipality = await buildMunicipality(t.db, { name: 'Wolfenbüttel-Nord' })
    const user = await buildUser(t.db, { municipality_id: municipality.id })
    const path = await resetPathFor(user.email)

    const common = await setPassword(path, 'passwort123')
    expect(common.status).toBe(422)
    expect(common.text).toContain('Dieses Passwort ist zu verbreitet')
    expect(common.text).toContain('aria-invalid="true"')
    expect(common.text).not.toContain('passwort123')

    const own = await setPassword(path, 'wolfenbüttel-nord')
    expect(own.status).toBe(422)
    expect(own.text).toContain('nicht Ihre E-Mail-Adresse, Ihren Namen oder den Namen Ihrer Kommune')

    const short = await setPassword(path, 'kurz')
    expect(short.text).toContain('mindestens 8 Zeichen')

    const mismatch = await setPassword(path, NEW_PASSWORD, NEW_PASSWORD + '!')
    expect(mismatch.status).toBe(422)
    expect(mismatch.text).toContain('Die beiden Passwörter stimmen nicht überein.')

    expect((await t.agent().get(path)).status).toBe(200)
    expect((await setPassword(path)).status).toBe(303)
  })

  it('lets an imported account without a password set its first one', async () => {
    const user = await buildUser(t.db, { password_hash: null })
    expect(await canLogin(user.email, NEW_PASSWORD)).toBe(false)
    const path = await resetPathFor(user.email)
    expect((await setPassword(path)).status).toBe(303)
    expect(await canLogin(user.email, NEW_PASSWORD)).toBe(true)
  })

  it('sends nothing to a deactivated account', async () => {
    const active = await buildUser(t.db)
    const inactive = await buildUser(t.db, { active: false })
    await requestReset(inactive.email)
    await resetPathFor(active.email)
    expect(t.smtp.to(inactive.email)).toHaveLength(0)
    const rows = await t.db.selectFrom('password_resets').select('id').where('user_id', '=', inactive.id).execute()
    expect(rows).toHaveLength(0)
  })

  it('shows a clear German page for a link that never existed', async () => {
    const res = await t.agent().get('/password/reset/erfunden-und-falsch')
    expect(res.status).toBe(410)
    expect(res.text).toContain('<h1>Link ungültig</h1>')
    expect(res.text).toContain('href="/password/forgot"')
  })
})
