import { readdir } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { expect } from 'vitest'
import { audit } from '../../src/features/audit/audit.queries.ts'
import { DAY, MINUTE } from '../../src/lib/clock.ts'
import { newToken } from '../../src/lib/tokens.ts'
import { createMailer, outboxDir, renderMail } from '../../src/plugins/mailer.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { type BrowserApp, describeEveryPage, showing, submitIn, submitsWithErrors } from '../helpers/browser.ts'

/**
 * Every page of the association's administration, in every state. As in the demo (DEMO=true) the admin
 * works without a second factor, and without SMTP mail goes to the outbox. Add a row when a page or a
 * state is added.
 */

type Data = { town: number; closed: number; staff: number; admin: number; mailId?: string }

/** Two real mails of the app in the outbox (written by the app's own outbox mailer); the newest one's id. */
async function mailsInOutbox(b: BrowserApp, data: Data) {
  const dir = outboxDir(b.t.config)
  const existing = await readdir(dir).catch(() => [])
  if (existing.length === 0) {
    const mailer = createMailer(b.t.config)
    const expiresAt = new Date(b.t.clock.now().getTime() + 14 * DAY)
    const invitation = {
      name: 'Nina Neu',
      inviterName: 'Anna Admin',
      inviterOrg: 'Verband',
      role: 'member',
      municipalityName: 'Musterstadt',
      link: `${b.t.config.baseUrl}/invite/${newToken().token}`,
      expiresAt,
    }
    await mailer.send({ to: 'neu@musterstadt.example', ...renderMail('invitation', 'de', invitation) })
    const reset = { name: 'Vera Vergessen', link: `${b.t.config.baseUrl}/password/reset/${newToken().token}`, minutes: 60 }
    await mailer.send({ to: 'vergessen@musterstadt.example', ...renderMail('password-reset', 'de', reset) })
    await mailer.close()
  }
  data.mailId = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort().at(-1)!.replace(/\.json$/, '')
}

async function preview(page: Page) {
  await page.locator('#f-body').fill('## Verantwortlich\n\nVerband der Kommunen, *Musterstraße 1*.\n\n- Telefon: 0511 000000\n- [Kontakt](/impressum)')
  expect(await submitIn(page, 'main form', 'button[value="preview"]')).toBe(200)
  await page.locator('#preview-heading').waitFor()
}

describeEveryPage<'admin', Data>({
  title: 'every page of the administration',
  env: { DEMO: 'true', SMTP_URL: '' },
  async prepare(b) {
    const { db, clock } = b.t
    const now = clock.now()
    const town = await buildMunicipality(db, { name: 'Musterstadt', kind: 'Stadt', district: 'Landkreis Beispiel', ags: '03101000' })
    const closed = await buildMunicipality(db, { name: 'Altdorf', kind: 'Gemeinde', district: 'Landkreis Beispiel', active: false })
    await db.updateTable('municipalities').set({ deactivated_at: now }).where('id', '=', closed.id).execute()
    for (const name of ['Bergheim', 'Seestadt', 'Samtgemeinde Talaue']) await buildMunicipality(db, { name, district: 'Region Beispiel' })
    const admin = await buildUser(db, { role: 'admin', name: 'Anna Admin' })
    const staff = await buildUser(db, { role: 'staff', name: 'Stefan Stab' })
    const contact = await buildUser(db, { role: 'municipality_admin', municipality_id: town.id, name: 'Karin Kontakt' })
    const member = await buildUser(db, { municipality_id: town.id, name: 'Max Mitglied' })
    await buildUser(db, { municipality_id: closed.id, name: 'Olaf Ohneort', active: false })
    await db.updateTable('users').set({ last_login_at: now, position: 'Leitung Hauptamt' }).where('id', '=', contact.id).execute()

    const invited = (email: string, municipalityId: number | null, role: 'member' | 'staff', daysAgo: number) => ({
      token_hash: newToken().hash,
      email,
      name: null,
      role,
      municipality_id: municipalityId,
      invited_by: admin.id,
      created_at: new Date(now.getTime() - daysAgo * DAY),
      sent_at: new Date(now.getTime() - daysAgo * DAY),
      expires_at: new Date(now.getTime() + (14 - daysAgo) * DAY),
    })
    await db
      .insertInto('invitations')
      .values([
        invited('neu@musterstadt.example', town.id, 'member', 1),
        invited('referat@verband.example', null, 'staff', 30),
        { ...invited('z@musterstadt.example', town.id, 'member', 2), revoked_at: now },
      ])
      .execute()

    // More entries than one page of the log shows, with details of the kinds the log explains.
    const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * MINUTE)
    for (let i = 60; i > 3; i--) {
      await audit(db, { actorId: contact.id, action: 'invitation.created', targetType: 'invitation', municipalityId: town.id, now: at(i) })
    }
    const onAdmin = { actorId: admin.id, targetType: 'user', targetId: member.id }
    await audit(db, { ...onAdmin, action: 'municipality.deactivated', targetType: 'municipality', targetId: closed.id, now: at(3) })
    await audit(db, { ...onAdmin, action: 'user.role_changed', details: { from: 'member', to: 'municipality_admin' }, now: at(2) })
    await audit(db, { actorId: null, action: 'admin.created_by_setup', targetType: 'user', targetId: admin.id, now: at(1) })

    return {
      accounts: { admin },
      data: { town: town.id, closed: closed.id, staff: staff.id, admin: admin.id },
    }
  },
  cases: [
    { name: 'administration', as: 'admin', path: '/admin' },
    { name: 'municipalities', as: 'admin', path: '/admin/municipalities' },
    { name: 'municipalities, nothing found', as: 'admin', path: '/admin/municipalities?q=Nirgendwo', setup: showing('main table', 0) },
    { name: 'new municipality', as: 'admin', path: '/admin/municipalities/new' },
    { name: 'new municipality with form errors', as: 'admin', path: '/admin/municipalities/new', setup: submitsWithErrors('main form[method="post"]') },
    { name: 'municipality', as: 'admin', path: (d) => `/admin/municipalities/${d.town}` },
    { name: 'deactivated municipality', as: 'admin', path: (d) => `/admin/municipalities/${d.closed}` },
    { name: 'editing a municipality', as: 'admin', path: (d) => `/admin/municipalities/${d.town}/edit` },
    {
      name: 'editing a municipality with form errors',
      as: 'admin',
      path: (d) => `/admin/municipalities/${d.town}/edit`,
      setup: async (page) => {
        await page.locator('#f-ags').fill('123')
        await submitsWithErrors('main form[method="post"]')(page)
      },
    },
    { name: 'accounts', as: 'admin', path: '/admin/users' },
    { name: 'accounts, nothing found', as: 'admin', path: '/admin/users?q=niemand', setup: showing('main table', 0) },
    { name: 'account of someone else', as: 'admin', path: (d) => `/admin/users/${d.staff}` },
    {
      name: 'account of someone else with a refused role change',
      as: 'admin',
      path: (d) => `/admin/users/${d.staff}`,
      setup: async (page) => {
        await page.locator('#f-role').selectOption('member')
        await page.locator('#f-municipality_id').selectOption('')
        await submitsWithErrors('form[action$="/role"]')(page)
      },
    },
    { name: 'own account in the administration', as: 'admin', path: (d) => `/admin/users/${d.admin}` },
    { name: 'audit log', as: 'admin', path: '/admin/audit', setup: showing('main nav a[rel="next"]') },
    { name: 'audit log, filtered', as: 'admin', path: '/admin/audit?action=user.role_changed' },
    { name: 'invitations of all municipalities', as: 'admin', path: '/invitations', setup: showing('main tbody tr') },
    { name: 'new invitation by an admin', as: 'admin', path: (d) => `/invitations/new?municipality=${d.town}&role=municipality_admin` },
    { name: 'inviting by CSV as an admin', as: 'admin', path: '/invitations/bulk' },
    { name: 'outbox, empty', as: 'admin', path: '/admin/outbox', setup: showing('main table', 0) },
    {
      name: 'outbox with mails',
      as: 'admin',
      path: '/admin/outbox',
      before: (_page, { b, data }) => mailsInOutbox(b, data),
      setup: showing('main tbody tr + tr'),
    },
    { name: 'a mail in the outbox', as: 'admin', path: (d) => `/admin/outbox/${d.mailId}`, before: (_page, { b, data }) => mailsInOutbox(b, data) },
    { name: 'legal pages', as: 'admin', path: '/admin/pages' },
    { name: 'editing the privacy notice', as: 'admin', path: '/admin/pages/datenschutz' },
    { name: 'editing the privacy notice, with preview', as: 'admin', path: '/admin/pages/datenschutz', setup: preview },
    {
      name: 'editing the privacy notice with form errors',
      as: 'admin',
      path: '/admin/pages/datenschutz',
      setup: async (page) => {
        await page.locator('#f-title').fill('')
        await submitsWithErrors('main form', 'button[value="save"]')(page)
      },
    },
  ],
})
