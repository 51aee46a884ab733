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

/** Posts a small form as a browser would, with the CSRF token of the user's session. */
export function post(agent: Agent, action: string, fields: Record<string, string> = {}) {
  return submitForm(agent, '/', action, fields)
}

/** The visible text of a page, without tags: what a reader (or screen reader) gets. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&#x3D;/g, '=')
    .replace(/\s+/g, ' ')
}
