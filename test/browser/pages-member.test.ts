import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { disableTotp } from '../../src/features/auth/auth.queries.ts'
import { DAY } from '../../src/lib/clock.ts'
import { newToken } from '../../src/lib/tokens.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { describeEveryPage, type PageContext, showing, submitIn, submitsWithErrors, totpCode } from '../helpers/browser.ts'

/**
 * Every page of the municipalities' people (members, contact persons) and of a staff account, in every
 * state. 2FA is enforced here as in production. Add a row when a page or a state is added.
 */

type Accounts = 'member' | 'contact' | 'newContact' | 'twoFactorSetup' | 'withTwoFactor' | 'staff'
type Ctx = PageContext<Accounts, unknown>

const PENDING_EMAIL = 'p.offen@musterstadt.example'

/** The 2FA setup account starts each of its cases without a second factor. */
async function withoutSecondFactor(_page: Page, { b, accounts }: Ctx) {
  await disableTotp(b.t.db, accounts.twoFactorSetup.id)
}

async function startSetup(page: Page) {
  expect(await submitIn(page, 'form[action="/account/2fa/start"]')).toBe(200)
  await page.locator('.qr img').waitFor()
  // The QR code is an image of its own: it must have loaded (naturalWidth is 0 for a broken image).
  await expect.poll(() => page.locator('.qr img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true)
}

describeEveryPage<Accounts, unknown>({
  title: 'every page of members and contact persons',
  async prepare(b) {
    const { db, clock } = b.t
    const now = clock.now()
    const town = await buildMunicipality(db, { name: 'Musterstadt', kind: 'Stadt', district: 'Landkreis Beispiel' })
    const village = await buildMunicipality(db, { name: 'Neudorf', district: 'Landkreis Beispiel' })
    const member = await buildUser(db, { municipality_id: town.id, name: 'Max Mitglied' })
    const contact = await buildUser(db, { role: 'municipality_admin', municipality_id: town.id, name: 'Karin Kontakt' })
    const newContact = await buildUser(db, { role: 'municipality_admin', municipality_id: village.id, name: 'Nora Neu' })
    const twoFactorSetup = await buildUser(db, { municipality_id: town.id, name: 'Tom Technik' })
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
    const withTwoFactor = await buildUser(db, { municipality_id: town.id, name: 'Sina Sicher', totp_secret: secret, totp_enabled_at: now })
    const staff = await buildUser(db, { role: 'staff', name: 'Stefan Stab' })
    await buildUser(db, { municipality_id: town.id, name: 'Ida Inaktiv', active: false })
    await db.updateTable('users').set({ last_login_at: now, position: 'Leitung Hauptamt' }).where('id', '=', contact.id).execute()

    // The contact person's invitations, one in each state.
    const invitation = (email: string, name: string | null, sentDaysAgo: number) => ({
      token_hash: newToken().hash,
      email,
      name,
      role: 'member' as const,
      municipality_id: town.id,
      invited_by: contact.id,
      created_at: new Date(now.getTime() - sentDaysAgo * DAY),
      sent_at: new Date(now.getTime() - sentDaysAgo * DAY),
      expires_at: new Date(now.getTime() + (14 - sentDaysAgo) * DAY),
    })
    await db
      .insertInto('invitations')
      .values([
        invitation(PENDING_EMAIL, 'Paula Offen', 1),
        { ...invitation('a.angenommen@musterstadt.example', 'Anton Angenommen', 3), used_at: now },
        invitation('e.abgelaufen@musterstadt.example', null, 20),
        { ...invitation('z.zurueckgezogen@musterstadt.example', 'Zoe Zurück', 2), revoked_at: now },
      ])
      .execute()

    return {
      accounts: { member, contact, newContact, twoFactorSetup, withTwoFactor: { ...withTwoFactor, totpSecret: secret }, staff },
      data: undefined,
    }
  },
  cases: [
    { name: 'start page', as: 'member', path: '/' },
    { name: 'own account', as: 'member', path: '/account' },
    {
      name: 'own account with profile errors',
      as: 'member',
      path: '/account',
      setup: async (page) => {
        await page.locator('#f-name').fill('')
        await submitsWithErrors('form[action="/account/profile"]')(page)
      },
    },
    { name: 'own account with password errors', as: 'member', path: '/account', setup: submitsWithErrors('form[action="/account/password"]') },
    { name: 'not allowed (403)', as: 'member', path: '/admin', status: 403 },
    { name: 'page not found, signed in', as: 'member', path: '/gibt-es-nicht', status: 404 },
    { name: 'two-factor sign-in switched off', as: 'twoFactorSetup', path: '/account/2fa', before: withoutSecondFactor },
    { name: 'two-factor setup with QR code', as: 'twoFactorSetup', path: '/account/2fa', before: withoutSecondFactor, setup: startSetup },
    {
      name: 'two-factor setup with a wrong code',
      as: 'twoFactorSetup',
      path: '/account/2fa',
      before: withoutSecondFactor,
      setup: async (page) => {
        await startSetup(page)
        await page.locator('#f-code').fill('12')
        expect(await submitIn(page, 'form[action="/account/2fa/enable"]')).toBe(422)
        await page.locator('#f-code-error').waitFor()
      },
    },
    {
      name: 'recovery codes after switching on',
      as: 'twoFactorSetup',
      path: '/account/2fa',
      before: withoutSecondFactor,
      setup: async (page, { b }) => {
        await startSetup(page)
        const secret = (await page.locator('code.secret').innerText()).replace(/\s+/g, '')
        await page.locator('#f-code').fill(totpCode(secret, b.t.clock.now()))
        expect(await submitIn(page, 'form[action="/account/2fa/enable"]')).toBe(200)
        await expect.poll(() => page.locator('ul.codes li').count()).toBe(10)
      },
    },
    { name: 'two-factor sign-in switched on', as: 'withTwoFactor', path: '/account/2fa' },
    {
      name: 'two-factor sign-in switched on, with form errors',
      as: 'withTwoFactor',
      path: '/account/2fa',
      setup: submitsWithErrors('form[action="/account/2fa/recovery-codes"]'),
    },
    { name: 'two-factor setup required for staff', as: 'staff', path: '/account/2fa' },
    { name: 'invitations, none yet', as: 'newContact', path: '/invitations', setup: showing('main table', 0) },
    { name: 'invitations in every state', as: 'contact', path: '/invitations', setup: showing('.badge--revoked') },
    { name: 'invitations filtered', as: 'contact', path: '/invitations?state=expired' },
    { name: 'new invitation', as: 'contact', path: '/invitations/new' },
    { name: 'new invitation with form errors', as: 'contact', path: '/invitations/new', setup: submitsWithErrors('form[action="/invitations/new"]') },
    {
      name: 'new invitation for someone already invited',
      as: 'contact',
      path: '/invitations/new',
      setup: async (page) => {
        await page.locator('#f-email').fill(PENDING_EMAIL)
        await submitsWithErrors('form[action="/invitations/new"]')(page)
        await page.locator('form[action$="/resend"]').waitFor()
      },
    },
    { name: 'inviting by CSV', as: 'contact', path: '/invitations/bulk' },
    { name: 'inviting by CSV with form errors', as: 'contact', path: '/invitations/bulk', setup: submitsWithErrors('form[action="/invitations/bulk/preview"]') },
    {
      name: 'CSV preview with a bad row',
      as: 'contact',
      path: '/invitations/bulk',
      setup: async (page) => {
        const rows = ['Name;E-Mail;Rolle', 'Bernd Beispiel;b.beispiel@musterstadt.example;Mitglied', 'Ohne Adresse;keine-adresse;Mitglied']
        // The bad rows: an address that is none, and someone invited already.
        await page.locator('#f-csv').fill([...rows, `Paula Offen;${PENDING_EMAIL};Mitglied`].join('\n'))
        expect(await submitIn(page, 'form[action="/invitations/bulk/preview"]')).toBe(200)
        await expect.poll(() => page.locator('tbody .field-error').count()).toBe(2)
      },
    },
    { name: 'colleagues', as: 'contact', path: '/colleagues', setup: showing('form[action$="/reactivate"]') },
  ],
})
