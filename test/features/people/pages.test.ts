import { buildMunicipality, buildReply, buildThread, buildUser } from '../../factories.ts'
import { describeEveryPage, submitsWithErrors } from '../../helpers/browser.ts'
import { notifyNewPost } from '../../../src/features/notifications/notifications.service.ts'

/**
 * Every page of people, notifications and moderation in every state, in the browser: WCAG 2.1 AA by
 * axe-core, German and English, 1280 and 320 px (see describeEveryPage). 2FA is enforced as in production.
 */

type Accounts = 'member' | 'quiet' | 'staff'
type Data = { municipalityId: number; postId: number; reportedPostId: number; threadId: number }

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'

describeEveryPage<Accounts, Data>({
  title: 'every page of people, notifications and moderation',
  async prepare(b) {
    const { db, clock } = b.t
    const now = clock.now()
    const town = await buildMunicipality(db, { name: 'Musterstadt', kind: 'Stadt', district: 'Landkreis Beispiel', ags: '03101000' })
    const member = await buildUser(db, { municipality_id: town.id, name: 'Max Mitglied' })
    await db.updateTable('users').set({ position: 'Leitung Ordnungsamt' }).where('id', '=', member.id).execute()
    const quiet = await buildUser(db, { name: 'Quentin Ruhig' })
    const staff = await buildUser(db, { role: 'staff', name: 'Stefan Stab', totp_secret: SECRET, totp_enabled_at: now })
    for (let i = 0; i < 3; i++) await buildUser(db, { municipality_id: town.id, name: `Kollegin ${i}` })

    const { thread, post } = await buildThread(db, { author: member, title: 'Dolmetscher für Elterngespräche gesucht' })
    await notifyNewPost(db, { threadId: thread.id, postId: post.id, authorId: member.id, body: post.body, isOpening: true, now })
    const replier = await buildUser(db, { name: 'Rita Antwort' })
    const answer = await buildReply(db, thread.id, { author: replier, body: `Fragen Sie @${member.handle}, wir haben gute Erfahrungen.` })
    await notifyNewPost(db, { threadId: thread.id, postId: answer.id, authorId: replier.id, body: answer.body, isOpening: false, now })
    const reported = await buildReply(db, thread.id, { body: 'Rufen Sie mich privat an.' })
    await db.insertInto('reports').values({ post_id: reported.id, reporter_id: member.id, reason: 'Private Telefonnummer', created_at: now }).execute()

    return {
      accounts: { member, quiet, staff: { ...staff, totpSecret: SECRET } },
      data: { municipalityId: town.id, postId: answer.id, reportedPostId: reported.id, threadId: thread.id },
    }
  },
  cases: [
    { name: 'member directory', as: 'member', path: '/people' },
    { name: 'member directory, nobody found', as: 'member', path: '/people?q=niemand-heisst-so' },
    { name: 'municipality page', as: 'member', path: (d) => `/municipalities/${d.municipalityId}` },
    { name: 'notifications', as: 'member', path: '/notifications' },
    { name: 'no notifications', as: 'quiet', path: '/notifications' },
    { name: 'report a post', as: 'member', path: (d) => `/posts/${d.postId}/report` },
    { name: 'report a post with errors', as: 'member', path: (d) => `/posts/${d.postId}/report`, setup: submitsWithErrors('main form[action$="/report"]') },
    { name: 'report a post already reported', as: 'member', path: (d) => `/posts/${d.reportedPostId}/report` },
    { name: 'reports queue', as: 'staff', path: '/moderation/reports' },
    { name: 'hide a post', as: 'staff', path: (d) => `/posts/${d.postId}/hide` },
    { name: 'hide a post with errors', as: 'staff', path: (d) => `/posts/${d.postId}/hide`, setup: submitsWithErrors('main form[action$="/hide"]') },
    { name: 'move a thread', as: 'staff', path: (d) => `/threads/${d.threadId}/move` },
    { name: 'thread page with watch, report and moderation controls', as: 'staff', path: (d) => `/threads/${d.threadId}` },
  ],
})
