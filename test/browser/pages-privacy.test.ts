import { expect } from 'vitest'
import { eraseUser } from '../../src/features/privacy/erasure.service.ts'
import { prepareExport, requestExport } from '../../src/features/privacy/export.service.ts'
import { buildMunicipality, buildUser } from '../factories.ts'
import { describeEveryPage, showing, submitsWithErrors } from '../helpers/browser.ts'
import { buildReply, buildThread } from '../factories.ts'

/**
 * Every page of privacy (DSGVO): one's data and its exports, closing one's account, the admins'
 * erasure, and how erased people appear to others. Add a row when a page or a state is added.
 */

type Accounts = 'member' | 'fresh' | 'withTwoFactor' | 'contact' | 'admin'
type Data = { exportId: string; leaver: number; member: number; thread: number; gone: number }

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

describeEveryPage<Accounts, Data>({
  title: 'every page of privacy',
  env: { DEMO: 'true', SMTP_URL: '' },
  async prepare(b) {
    const { db, clock } = b.t
    const now = clock.now()
    const town = await buildMunicipality(db, { name: 'Musterstadt', kind: 'Stadt', district: 'Landkreis Beispiel' })
    const member = await buildUser(db, { municipality_id: town.id, name: 'Max Mitglied' })
    const fresh = await buildUser(db, { municipality_id: town.id, name: 'Frieda Frisch' })
    const withTwoFactor = await buildUser(db, { municipality_id: town.id, name: 'Sina Sicher', totp_secret: SECRET, totp_enabled_at: now })
    const contact = await buildUser(db, { role: 'municipality_admin', municipality_id: town.id, name: 'Karin Kontakt' })
    const admin = await buildUser(db, { role: 'admin', name: 'Anna Admin' })
    const leaver = await buildUser(db, { municipality_id: town.id, name: 'Lea Weg' })
    await buildThread(db, { author: member, title: 'Sprachkurse', body: 'Wer bietet **Elternkurse** an?' })
    const exportId = await requestExport(db, { userId: member.id, requestedBy: member.id, municipalityId: town.id, now })
    await prepareExport(db, exportId, now)
    const gone = await buildUser(db, { municipality_id: town.id, name: 'Gerd Gegangen' })
    const { thread } = await buildThread(db, { author: gone, title: 'Dolmetscherpool', body: 'Wir teilen uns einen Pool mit dem Nachbarkreis.' })
    await buildReply(db, thread.id, { author: member, body: `Danke @${gone.handle}, das probieren wir.` })
    await eraseUser(db, { userId: gone.id, actorId: gone.id, deletePosts: false, now, dataDir: b.t.config.dataDir })
    return {
      accounts: { member, fresh, withTwoFactor: { ...withTwoFactor, totpSecret: SECRET }, contact, admin },
      data: { exportId, leaver: leaver.id, member: member.id, thread: thread.id, gone: gone.id },
    }
  },
  cases: [
    { name: 'my data, nothing requested yet', as: 'fresh', path: '/account/data', setup: showing('main table', 0) },
    { name: 'my data with a ready export', as: 'member', path: '/account/data', setup: showing('a[href$="/json"]') },
    { name: 'the readable summary of an export', as: 'member', path: (d) => `/account/data/exports/${d.exportId}/html`, setup: showing('section.export-section') },
    { name: 'someone else’s export (404)', as: 'fresh', path: (d) => `/account/data/exports/${d.exportId}/html`, status: 404 },
    { name: 'closing the account', as: 'member', path: '/account/close', setup: showing('#f-code', 0) },
    { name: 'closing the account with form errors', as: 'member', path: '/account/close', setup: submitsWithErrors('form[action="/account/close"]') },
    { name: 'closing the account with a second factor', as: 'withTwoFactor', path: '/account/close', setup: showing('#f-code') },
    { name: 'colleagues, one of whom left', as: 'contact', path: '/colleagues', setup: showing('td strong') },
    { name: 'an account in the administration, with privacy actions', as: 'admin', path: (d) => `/admin/users/${d.member}`, setup: showing('form[action$="/export"]') },
    { name: 'erasing an account', as: 'admin', path: (d) => `/admin/users/${d.leaver}/erase` },
    { name: 'erasing an account with form errors', as: 'admin', path: (d) => `/admin/users/${d.leaver}/erase`, setup: submitsWithErrors('form[action$="/erase"]') },
    { name: 'an erased account in the administration', as: 'admin', path: (d) => `/admin/users/${d.gone}`, setup: showing('main .notice') },
    { name: 'the administration with the retention run', as: 'admin', path: '/admin', setup: showing('#retention') },
    {
      name: 'a thread by a former member',
      as: 'member',
      path: (d) => `/threads/${d.thread}`,
      setup: async (page) => {
        await expect.poll(() => page.locator('.post__author').first().innerText()).toMatch(/^(Ehemaliges Mitglied|Former member) \(Musterstadt\)$/)
      },
    },
  ],
})
