import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { catalogKeys, resolveLocale, t } from '../../src/lib/i18n.ts'

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? filesUnder(path, ext) : path.endsWith(ext) ? [path] : []
  })
}

describe('texts', () => {
  it('has every text in German and in English', () => {
    const de = catalogKeys('de').sort()
    const en = catalogKeys('en').sort()
    expect(en.filter((k) => !de.includes(k))).toEqual([])
    expect(de.filter((k) => !en.includes(k))).toEqual([])
  })

  it('knows every key a template asks for', () => {
    const known = new Set(catalogKeys('de'))
    const missing: string[] = []
    for (const file of filesUnder('views', '.hbs')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\(?\bt "([\w.-]+)"/g)) {
        if (!known.has(match[1]!)) missing.push(`${file}: ${match[1]}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('knows every literal key the code translates', () => {
    const known = new Set(catalogKeys('de'))
    const missing: string[] = []
    for (const file of filesUnder('src', '.ts')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bt\([\w.]+, '([\w.-]+)'/g)) {
        if (!known.has(match[1]!)) missing.push(`${file}: ${match[1]}`)
      }
    }
    expect(missing).toEqual([])
  })

  it('says one in the singular: a numeric count of 1 takes the key.one form where there is one', () => {
    expect(t('de', 'forums.newThreads', { count: 1 })).toBe('1 neues Thema')
    expect(t('de', 'forums.newThreads', { count: 2 })).toBe('2 neue Themen')
    expect(t('de', 'forums.newThreads', { count: 0 })).toBe('0 neue Themen')
    expect(t('de', 'forums.newThreads', { count: '99+' })).toBe('99+ neue Themen')
    expect(t('de', 'mail.notifications.subject', { count: 1 })).toBe('Kommunalforum: 1 neue Benachrichtigung')
    expect(t('en', 'forums.newPosts', { count: 1 })).toBe('1 new reply')
    expect(t('en', 'forums.newPosts', { count: 3 })).toBe('3 new replies')
    // A text without a singular form stays as it is.
    expect(t('de', 'forums.unread', { count: 1 })).toBe('1 ungelesen')
  })

  it('fills every placeholder from the params, keeps one it has no value for, and never reads user text as one', () => {
    expect(t('de', 'threads.pageOf', { page: 2, pages: 5 })).toBe('Seite 2 von 5')
    expect(t('en', 'threads.pageOf', { page: 2, pages: 5 })).toBe('Page 2 of 5')
    expect(t('de', 'threads.pageOf', { page: 2 })).toBe('Seite 2 von {pages}')
    expect(t('de', 'forums.by', { name: 'Erika {count} Muster' })).toContain('Erika {count} Muster')
    expect(t('de', 'forums.newThreads', { count: 1.5 })).toBe('1.5 neue Themen')
    expect(t('de', 'forums.newThreads', { count: 1001 })).toBe('1001 neue Themen')
  })

  it('has a plural form beside every singular one, with the same placeholders', () => {
    const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()
    for (const locale of ['de', 'en'] as const) {
      const keys = new Set(catalogKeys(locale))
      const singulars = [...keys].filter((k) => k.endsWith('.one'))
      expect(singulars.length).toBeGreaterThan(10)
      for (const key of singulars) {
        const base = key.slice(0, -'.one'.length)
        expect(keys.has(base), key).toBe(true)
        expect(placeholders(t(locale, key)), key).toEqual(placeholders(t(locale, base)))
        expect(placeholders(t(locale, key)), key).toContain('count')
      }
    }
  })

  it('speaks German unless English is chosen or preferred', () => {
    expect(resolveLocale(undefined, undefined)).toBe('de')
    expect(resolveLocale(undefined, 'en-US,en;q=0.9,de;q=0.8')).toBe('en')
    expect(resolveLocale(undefined, 'de-DE,de;q=0.9,en;q=0.8')).toBe('de')
    expect(resolveLocale(undefined, 'fr-FR,fr;q=0.9')).toBe('de')
    expect(resolveLocale('de', 'en-US')).toBe('de')
    expect(t('en', 'auth.throttledWait', { seconds: 4 })).toContain('4 seconds')
  })
})

describe('audit log labels', () => {
  it('has a German and English label for every action the code writes', () => {
    const missing: string[] = []
    for (const file of filesUnder('src', '.ts')) {
      const source = readFileSync(file, 'utf8')
      for (const match of source.matchAll(/(?:action: (?:[^'\n]*\? )?|auditSecondFactor\([^)]*?)'([a-z_]+\.[a-z_0-9]+)'/g)) {
        const key = `audit.action.${match[1]}`
        if (!catalogKeys('de').includes(key) || !catalogKeys('en').includes(key)) missing.push(`${file}: ${match[1]}`)
      }
    }
    expect(missing).toEqual([])
  })
})
