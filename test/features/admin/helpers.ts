import type { Role } from '../../../src/features/users/users.table.ts'
import { buildUser } from '../../factories.ts'
import { login, submitForm, type TestApp } from '../../helpers/app.ts'

type Agent = ReturnType<TestApp['agent']>

/** A user of the given role, signed in through the real login form in their own "browser". */
export async function signedIn(t: TestApp, role: Role, overrides: Parameters<typeof buildUser>[1] = {}) {
  const user = await buildUser(t.db, { role, ...overrides })
  const agent = t.agent()
  await login(agent, user.email, user.password)
  return { user, agent }
}

/** Posts a button-only or small form as a browser would: with the CSRF token of the user's session. */
export function post(agent: Agent, action: string, fields: Record<string, string> = {}) {
  // Every signed-in page carries a token (the sign-out form); the start page is one any account may see.
  return submitForm(agent, '/', action, fields)
}

/** Whether the browser's session still works: anything else ends at the sign-in page. */
export async function isSignedIn(agent: Agent): Promise<boolean> {
  const res = await agent.get('/')
  if (res.status === 200) return true
  if (res.status === 303 && res.headers.location?.startsWith('/login')) return false
  throw new Error(`unexpected status ${res.status} on /`)
}

/** The target of the link marked with `rel`, as the browser resolves the escaped attribute. */
export function relLink(html: string, rel: 'next' | 'prev'): string | undefined {
  const href = html.match(new RegExp(`href="([^"]+)" rel="${rel}"`))?.[1]
  return href?.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')
}
