// Signing in as the benchmarks' people, through the real forms (CSRF token and all). Staff need a
// second factor in production: the benchmarks enroll a TOTP secret for their staff user directly in
// the database and compute the codes as an authenticator app would.
import { Secret, TOTP } from 'otpauth'
import type { Kysely } from 'kysely'
import type { Database } from '../src/db/database.ts'

// The app runs as in production, behind a TLS proxy (TRUST_PROXY): without this, Secure cookies are never set.
export const BEHIND_TLS_PROXY = { 'x-forwarded-proto': 'https' }

/** Gives the user a fresh, enabled TOTP secret (as if set up on /account/2fa) and returns it. */
export async function enrollTotp(db: Kysely<Database>, email: string, now = new Date()): Promise<string> {
  const secret = new Secret({ size: 20 }).base32
  const updated = await db
    .updateTable('users')
    .set({ totp_secret: secret, totp_enabled_at: now, totp_last_step: null })
    .where('email', '=', email)
    .executeTakeFirst()
  if (Number(updated.numUpdatedRows) !== 1) throw new Error(`no user ${email}`)
  // Failed attempts of an earlier run (a clock set elsewhere) must not lock the new secret out.
  const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()
  await db.deleteFrom('login_throttle').where('key', '=', `2fa:${user.id}`).execute()
  return secret
}

function cookiesOf(res: Response, previous = ''): string {
  const jar = new Map(previous ? previous.split('; ').map((c) => [c.split('=')[0]!, c] as const) : [])
  for (const c of res.headers.getSetCookie()) {
    const pair = c.split(';')[0]!
    jar.set(pair.split('=')[0]!, pair)
  }
  return [...jar.values()].join('; ')
}

async function formToken(res: Response, path: string): Promise<string> {
  const token = (await res.text()).match(/name="_csrf" value="([^"]+)"/)?.[1]
  if (!token) throw new Error(`no CSRF token on ${path} (${res.status})`)
  return token
}

/**
 * Signs in and returns the session cookie; with `totpSecret`, answers the second step with the code of
 * the moment `at` (the app's clock).
 */
export async function signIn(
  origin: string,
  email: string,
  password: string,
  options: { headers?: Record<string, string>; totpSecret?: string; at?: Date } = {},
): Promise<{ cookie: string }> {
  const { totpSecret, at = new Date() } = options
  const headers = { ...BEHIND_TLS_PROXY, ...options.headers }
  const page = await fetch(`${origin}/login`, { headers })
  let cookie = cookiesOf(page)
  const token = await formToken(page, '/login')
  const res = await fetch(`${origin}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: token, email, password }),
  })
  if (res.status !== 303) throw new Error(`sign-in failed for ${email}: ${res.status}`)
  cookie = cookiesOf(res, cookie)
  const location = res.headers.get('location') ?? ''
  if (!location.startsWith('/login/2fa')) return { cookie }
  if (!totpSecret) throw new Error(`${email} needs a second factor`)
  const second = await fetch(origin + location, { headers: { ...headers, cookie } })
  cookie = cookiesOf(second, cookie)
  const secondToken = await formToken(second, '/login/2fa')
  const code = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(totpSecret) }).generate({ timestamp: at.getTime() })
  const done = await fetch(`${origin}/login/2fa`, {
    method: 'POST',
    redirect: 'manual',
    headers: { ...headers, cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: secondToken, code, next: new URL(origin + location).searchParams.get('next') ?? '/' }),
  })
  if (done.status !== 303) throw new Error(`second factor failed for ${email}: ${done.status} ${(await done.text()).match(/class="[^"]*error[^"]*"[^>]*>([^<]+)/)?.[1] ?? ''}`)
  return { cookie: cookiesOf(done, cookie) }
}
