import { messages as admin } from '../features/admin/admin.messages.ts'
import { messages as audit } from '../features/audit/audit.messages.ts'
import { messages as attachments } from '../features/attachments/attachments.messages.ts'
import { messages as auth } from '../features/auth/auth.messages.ts'
import { messages as forums } from '../features/forums/forums.messages.ts'
import { messages as invitations } from '../features/invitations/invitations.messages.ts'
import { messages as mail } from '../features/mail/mail.messages.ts'
import { messages as moderation } from '../features/moderation/moderation.messages.ts'
import { messages as municipalities } from '../features/municipalities/municipalities.messages.ts'
import { messages as notifications } from '../features/notifications/notifications.messages.ts'
import { messages as outbox } from '../features/outbox/outbox.messages.ts'
import { messages as pages } from '../features/pages/pages.messages.ts'
import { messages as people } from '../features/people/people.messages.ts'
import { messages as privacy } from '../features/privacy/privacy.messages.ts'
import { messages as search } from '../features/search/search.messages.ts'
import { messages as setup } from '../features/setup/setup.messages.ts'
import { messages as threads } from '../features/threads/threads.messages.ts'
import { messages as users } from '../features/users/users.messages.ts'
import { messages as trends } from '../features/trends/trends.messages.ts'
import { messages as core } from './messages.ts'

export const locales = ['de', 'en'] as const
export type Locale = (typeof locales)[number]

export type Messages = { de: Record<string, string>; en: Record<string, string> }

const catalog: Record<Locale, Record<string, string>> = { de: {}, en: {} }
for (const m of [core, admin, attachments, audit, auth, forums, invitations, municipalities, outbox, pages, search, setup, threads, users, moderation, notifications, people, mail, privacy, trends] as Messages[]) {
  Object.assign(catalog.de, m.de)
  Object.assign(catalog.en, m.en)
}

export function hasMessage(locale: Locale, key: string): boolean {
  return key in catalog[locale]
}

const pluralRules: Record<Locale, Intl.PluralRules> = { de: new Intl.PluralRules('de'), en: new Intl.PluralRules('en') }

/** Whether a count takes the singular: Intl's answer, remembered for the small whole numbers pages print by the dozen. */
const singularOf: Record<Locale, boolean[]> = { de: [], en: [] }
function isSingular(locale: Locale, count: number): boolean {
  if (!Number.isInteger(count) || count < 0 || count > 1000) return pluralRules[locale].select(count) === 'one'
  return (singularOf[locale][count] ??= pluralRules[locale].select(count) === 'one')
}

/** Messages split at their {placeholders} once (text at even places, names at odd ones), not on every call. */
const MESSAGE_PARTS = 5_000
const messageParts = new Map<string, string[]>()
function partsOf(template: string): string[] {
  let parts = messageParts.get(template)
  if (parts === undefined) {
    if (messageParts.size >= MESSAGE_PARTS) messageParts.clear()
    messageParts.set(template, (parts = template.split(/\{(\w+)\}/)))
  }
  return parts
}

/**
 * Translates a key; `{name}` placeholders are filled from params. Falls back to German, then the key.
 * A numeric `count` that takes the singular ("1 neues Thema", not "1 neue Themen") uses `key.one` where
 * the language has it.
 */
export function t(locale: Locale, key: string, params?: Record<string, unknown>): string {
  const count = params?.count
  const singular = typeof count === 'number' && isSingular(locale, count) ? catalog[locale][`${key}.one`] : undefined
  const template = singular ?? catalog[locale][key] ?? catalog.de[key] ?? key
  // Templates call every message with a (mostly empty) hash: only one with a {placeholder} needs filling.
  if (!params || !template.includes('{')) return template
  const parts = partsOf(template)
  let text = parts[0]!
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!
    text += (name in params ? String(params[name]) : `{${name}}`) + parts[i + 1]!
  }
  return text
}

export function isLocale(value: unknown): value is Locale {
  return value === 'de' || value === 'en'
}

/** German unless the user chose otherwise or, failing that, the browser prefers English over German. */
export function resolveLocale(chosen: unknown, acceptLanguage: string | undefined): Locale {
  if (isLocale(chosen)) return chosen
  if (!acceptLanguage) return 'de'
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';')
      const q = params.find((p) => p.trim().startsWith('q='))
      return { lang: tag.split('-')[0], q: q ? Number(q.trim().slice(2)) || 0 : 1 }
    })
    .filter((x) => x.lang === 'de' || x.lang === 'en')
    .sort((a, b) => b.q - a.q)
  return ranked[0]?.lang === 'en' ? 'en' : 'de'
}

export function catalogKeys(locale: Locale): string[] {
  return Object.keys(catalog[locale])
}
