import { buildMunicipality, buildReply, buildThread, buildUser, PASSWORD } from '../../factories.ts'
import { describeEveryPage, submitIn, submitsWithErrors } from '../../helpers/browser.ts'

/**
 * Every page of the forums and threads in every state, checked by the shared runner: axe-core (WCAG 2.1 AA)
 * in German and English, at 1280 and 320 px, one h1, a skip link, no foreign requests.
 */
type Accounts = 'member' | 'staff'
type Data = { question: number; practice: number; locked: number; replyId: number; openingId: number }

describeEveryPage<Accounts, Data>({
  title: 'every page of forums and threads',
  env: { DEMO: 'true' },
  async prepare(b) {
    const { db } = b.t
    const town = await buildMunicipality(db, { name: 'Musterstadt', district: 'Landkreis Beispiel' })
    const other = await buildMunicipality(db, { name: 'Neudorf', district: 'Region Probe' })
    const member = await buildUser(db, { municipality_id: town.id, name: 'Max Mitglied' })
    const helper = await buildUser(db, { municipality_id: other.id, name: 'Hanna Helfer' })
    await db.updateTable('users').set({ position: 'Ordnungsamt' }).where('id', '=', helper.id).execute()
    const staff = await buildUser(db, { role: 'staff', name: 'Stefan Stab' })
    const { thread: question, post: opening } = await buildThread(db, {
      author: member,
      title: 'Dolmetscher für Elterngespräche',
      body: '## Ausgangslage\n\nWir suchen **Dolmetscher**.\n\n| Sprache | Bedarf |\n|---|---|\n| Arabisch | hoch |\n\n> Zitat\n\n- eins\n- zwei',
    })
    const reply = await buildReply(db, question.id, { author: helper, body: 'Wir nutzen den Pool des Landkreises. [Info](https://example.org)' })
    await buildReply(db, question.id, { author: helper, body: 'Nachtrag' })
    const deleted = await buildReply(db, question.id, { author: helper, body: 'Zurückgezogen' })
    await db.updateTable('posts').set({ deleted_at: new Date(), deleted_by: helper.id }).where('id', '=', deleted.id).execute()
    const hidden = await buildReply(db, question.id, { body: 'Ausgeblendet' })
    await db.updateTable('posts').set({ hidden_at: new Date(), hidden_by: staff.id, hidden_reason: 'Werbung' }).where('id', '=', hidden.id).execute()
    await db.updateTable('posts').set({ edited_at: new Date() }).where('id', '=', reply.id).execute()
    await db.insertInto('post_revisions').values({ post_id: reply.id, body: 'Erste Fassung', title: null, edited_by: helper.id }).execute()
    await db.updateTable('threads').set({ solution_post_id: reply.id }).where('id', '=', question.id).execute()
    await db.insertInto('thread_concerns').values({ thread_id: question.id, municipality_id: other.id, user_id: helper.id }).execute()
    const { thread: practice } = await buildThread(db, {
      author: helper,
      kind: 'best_practice',
      title: 'Sprachmittlerpool',
      bp: { bp_situation: 'Zu wenige Dolmetscher', bp_approach: 'Ehrenamtliche geschult', bp_effort: '2.000 €', bp_contact: 'Frau Beispiel' },
    })
    await db.insertInto('adoptions').values({ thread_id: practice.id, municipality_id: town.id, user_id: member.id }).execute()
    const { thread: locked } = await buildThread(db, { kind: 'discussion', title: 'Geschlossene Runde', locked: true })
    return {
      accounts: { member: { ...member, password: PASSWORD }, staff: { ...staff, password: PASSWORD } },
      data: { question: question.id, practice: practice.id, locked: locked.id, replyId: reply.id, openingId: opening.id },
    }
  },
  cases: [
    { name: 'start page with forums', as: 'member', path: '/' },
    { name: 'forum page', as: 'member', path: '/forums/integration' },
    { name: 'forum page, nothing found', as: 'member', path: '/forums/integration?district=Region+Probe&kind=discussion' },
    { name: 'new thread form', as: 'member', path: '/forums/integration/new' },
    { name: 'new thread form with errors', as: 'member', path: '/forums/integration/new', setup: submitsWithErrors('main form[data-draft]') },
    {
      name: 'new thread preview',
      as: 'member',
      path: '/forums/integration/new?kind=best_practice',
      async setup(page) {
        await page.locator('#f-title').fill('Dolmetscher gesucht')
        await page.locator('#f-body').fill('**Vorschau** mit Liste:\n\n- a\n- b')
        await page.locator('#f-bp_situation').fill('Lage')
        await submitIn(page, 'main form[data-draft]', 'button[value="preview"]')
        await page.locator('.post-preview').waitFor()
      },
    },
    { name: 'question with solution, deleted and hidden posts', as: 'member', path: (d) => `/threads/${d.question}` },
    { name: 'the same thread for staff', as: 'staff', path: (d) => `/threads/${d.question}` },
    { name: 'best practice', as: 'member', path: (d) => `/threads/${d.practice}` },
    { name: 'locked thread', as: 'member', path: (d) => `/threads/${d.locked}` },
    { name: 'reply page with quote', as: 'member', path: (d) => `/threads/${d.question}/reply?quote=${d.replyId}` },
    { name: 'reply with errors', as: 'member', path: (d) => `/threads/${d.question}/reply`, setup: submitsWithErrors('main form[data-draft]') },
    { name: 'edit the opening post', as: 'member', path: (d) => `/posts/${d.openingId}/edit` },
    { name: 'history of a post', as: 'staff', path: (d) => `/posts/${d.replyId}/history` },
  ],
})
