import { expect } from 'vitest'
import { firstAdminLink } from '../../src/features/setup/setup.service.ts'
import { DAY, HOUR } from '../../src/lib/clock.ts'
import { hashToken } from '../../src/lib/tokens.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { describeEveryPage, signIn, submitIn, submitsWithErrors } from '../helpers/browser.ts'

/**
 * Every page a person meets without an account (or before the second sign-in step), in every state.
 * Add a row when a page or a state is added. No admin exists in this app: the first-admin setup link works.
 */

// Tokens of links that arrived by mail: only their SHA-256 is stored, as the app does.
const RESET_TOKEN = 'reset-link-aus-der-mail-0123456789'
const INVITE_TOKEN = 'einladung-aus-der-mail-0123456789'
const EXPIRED_INVITE_TOKEN = 'abgelaufene-einladung-0123456789'

type Data = { setupPath: string; withSecondFactor: { email: string; password: string } }

describeEveryPage<never, Data>({
  title: 'every public page',
  async prepare(b) {
    const { db, clock } = b.t
    const now = clock.now()
    const municipality = await buildMunicipality(db, { name: 'Musterstadt' })
    const member = await buildUser(db, { municipality_id: municipality.id, name: 'Rita Reset' })
    const withSecondFactor = await buildUser(db, { totp_secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', totp_enabled_at: now })
    await db
      .insertInto('password_resets')
      .values({ user_id: member.id, token_hash: hashToken(RESET_TOKEN), created_at: now, expires_at: new Date(now.getTime() + HOUR) })
      .execute()
    const invitation = { email: 'neu@musterstadt.example', role: 'member' as const, municipality_id: municipality.id, created_at: now, sent_at: now }
    await db
      .insertInto('invitations')
      .values([
        { ...invitation, token_hash: hashToken(INVITE_TOKEN), expires_at: new Date(now.getTime() + 14 * DAY) },
        {
          ...invitation,
          email: 'spaet@musterstadt.example',
          token_hash: hashToken(EXPIRED_INVITE_TOKEN),
          sent_at: new Date(now.getTime() - 20 * DAY),
          expires_at: new Date(now.getTime() - 6 * DAY),
        },
      ])
      .execute()
    const setupLink = await firstAdminLink(db, b.t.config, now)
    expect(setupLink).not.toBeNull()
    return {
      accounts: {},
      data: { setupPath: new URL(setupLink!).pathname, withSecondFactor },
    }
  },
  cases: [
    { name: 'sign-in', as: 'anonymous', path: '/login' },
    { name: 'sign-in with form errors', as: 'anonymous', path: '/login', setup: submitsWithErrors('form[action="/login"]') },
    {
      name: 'second sign-in step',
      as: 'anonymous',
      path: '/login/2fa',
      before: (page, { data }) => signIn(page, data.withSecondFactor.email, data.withSecondFactor.password),
    },
    {
      name: 'second sign-in step with a wrong code',
      as: 'anonymous',
      path: '/login/2fa',
      before: (page, { data }) => signIn(page, data.withSecondFactor.email, data.withSecondFactor.password),
      setup: async (page) => {
        await page.locator('#f-code').fill('12345')
        expect(await submitIn(page, 'form[action="/login/2fa"]')).toBe(422)
        await page.locator('#f-code-error').waitFor()
      },
    },
    { name: 'forgotten password', as: 'anonymous', path: '/password/forgot' },
    { name: 'forgotten password with form errors', as: 'anonymous', path: '/password/forgot', setup: submitsWithErrors('form[action="/password/forgot"]') },
    { name: 'reset link sent', as: 'anonymous', path: '/password/forgot/sent' },
    { name: 'new password from a reset link', as: 'anonymous', path: `/password/reset/${RESET_TOKEN}` },
    {
      name: 'new password with form errors',
      as: 'anonymous',
      path: `/password/reset/${RESET_TOKEN}`,
      setup: submitsWithErrors(`form[action="/password/reset/${RESET_TOKEN}"]`),
    },
    { name: 'invalid reset link', as: 'anonymous', path: '/password/reset/gibt-es-nicht-0123456789', status: 410 },
    { name: 'accepting an invitation', as: 'anonymous', path: `/invite/${INVITE_TOKEN}` },
    {
      name: 'accepting an invitation with form errors',
      as: 'anonymous',
      path: `/invite/${INVITE_TOKEN}`,
      setup: submitsWithErrors(`form[action="/invite/${INVITE_TOKEN}"]`),
    },
    { name: 'expired invitation', as: 'anonymous', path: `/invite/${EXPIRED_INVITE_TOKEN}`, status: 410 },
    { name: 'first admin setup', as: 'anonymous', path: (data) => data.setupPath },
    {
      name: 'first admin setup with form errors',
      as: 'anonymous',
      path: (data) => data.setupPath,
      setup: (page, { data }) => submitsWithErrors(`form[action="${data.setupPath}"]`)(page),
    },
    { name: 'invalid setup link', as: 'anonymous', path: '/setup/gibt-es-nicht-0123456789', status: 404 },
    { name: 'page not found', as: 'anonymous', path: '/diese-seite-gibt-es-nicht', status: 404 },
    { name: 'privacy notice', as: 'anonymous', path: '/datenschutz' },
    { name: 'imprint', as: 'anonymous', path: '/impressum' },
    { name: 'accessibility statement', as: 'anonymous', path: '/barrierefreiheit' },
  ],
})
