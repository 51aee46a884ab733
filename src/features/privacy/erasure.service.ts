import { unlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { t } from '../../lib/i18n.ts'
import { uploadsDir, STORED_NAME } from '../attachments/attachments.service.ts'
import { audit } from '../audit/audit.queries.ts'
import { accountThrottleKey } from '../auth/throttle.ts'
import { lockActiveAdmins } from '../users/users.queries.ts'
import { exportDefinition } from './privacy.definition.ts'
import {
  anonymiseReportsOf,
  anonymiseUser,
  clearThreadContacts,
  deleteInvitationsOf,
  deleteNotificationsOf,
  deletePostsOf,
  deleteRowsOfUser,
  deleteThrottleKey,
  forgetMarksOf,
  lockUserForErasure,
  othersTextsMentioning,
  setPostBody,
  setRevisionBody,
} from './privacy.queries.ts'

/** The name an erased account carries in the database (German, as the forum's stored texts are). */
export const FORMER_MEMBER = t('de', 'privacy.formerMember')

export type Erasure = {
  userId: number
  /** Who erases: the person themselves or an admin. */
  actorId: number
  deletePosts: boolean
  now: Date
  dataDir: string
}

export type ErasureOutcome = 'done' | 'notFound' | 'privacy.erase.lastAdmin'

/**
 * Erases an account (Art. 17) in one transaction: every personal field overwritten, their sessions,
 * tokens, invitations, watches and notifications deleted, mentions and quotes of them in others'
 * texts neutralised, and (if asked) their own texts removed. The account row stays, anonymised, so
 * posts keep an author ("Ehemaliges Mitglied (Gemeinde X)") and the audit log its ids.
 */
export async function eraseUser(db: Kysely<Database>, erasure: Erasure): Promise<ErasureOutcome> {
  const { userId, now } = erasure
  const outcome = await db.transaction().execute(async (trx) => {
    const activeAdmins = await lockActiveAdmins(trx)
    const user = await lockUserForErasure(trx, userId)
    if (!user || user.erased_at) return { result: 'notFound' as const, files: [] }
    if (user.role === 'admin' && user.active && activeAdmins <= 1) return { result: 'privacy.erase.lastAdmin' as const, files: [] }

    const rewrite = neutraliser(user.handle, user.name)
    const texts = await othersTextsMentioning(trx, userId, [`@${user.handle}`, `**${user.name} `])
    for (const post of texts.posts) {
      const body = rewrite(post.body)
      if (body !== post.body) await setPostBody(trx, post.id, body)
    }
    for (const revision of texts.revisions) {
      const body = rewrite(revision.body)
      if (body !== revision.body) await setRevisionBody(trx, revision.id, body)
    }

    const files = erasure.deletePosts ? await deletePostsOf(trx, userId, now) : []
    await clearThreadContacts(trx, userId)
    // Invitations first: one of them matches by the address, which the account loses below.
    await deleteInvitationsOf(trx, userId, user.email)
    await deleteNotificationsOf(trx, userId)
    await anonymiseReportsOf(trx, userId, t('de', 'privacy.reportOfFormerMember'))
    await forgetMarksOf(trx, userId)
    await deleteThrottleKey(trx, accountThrottleKey(user.email))
    for (const entry of exportDefinition) {
      if (entry.erase === 'delete') await deleteRowsOfUser(trx, entry, userId)
    }
    await trx.deleteFrom('data_exports').where('user_id', '=', userId).execute()
    await anonymiseUser(trx, userId, now, FORMER_MEMBER)
    await audit(trx, {
      actorId: erasure.actorId,
      action: 'user.erased',
      targetType: 'user',
      targetId: userId,
      municipalityId: user.municipality_id,
      details: { by: erasure.actorId === userId ? 'self' : 'admin', posts_deleted: erasure.deletePosts },
      now,
    })
    return { result: 'done' as const, files }
  })
  // Files go once the rows are gone for good; a file left behind by a crash names nobody (random name).
  for (const name of outcome.files) {
    if (STORED_NAME.test(name)) await unlink(join(uploadsDir(erasure.dataDir), name)).catch(() => undefined)
  }
  return outcome.result
}

/**
 * Rewrites a text of someone else so it no longer names the person: "@erika.muster" becomes the
 * neutral name, and so does the name in a quote header ("**Erika Muster schrieb:**").
 */
export function neutraliser(handle: string, name: string) {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const mention = new RegExp(`(?<![\\w.@])@${escape(handle)}(?![a-z0-9]|\\.[a-z0-9])`, 'gi')
  const quoteDe = new RegExp(`\\*\\*${escape(name)} schrieb:\\*\\*`, 'g')
  const quoteEn = new RegExp(`\\*\\*${escape(name)} wrote:\\*\\*`, 'g')
  return (text: string) =>
    text
      .replace(mention, FORMER_MEMBER)
      .replace(quoteDe, `**${FORMER_MEMBER} schrieb:**`)
      .replace(quoteEn, `**${t('en', 'privacy.formerMember')} wrote:**`)
}
