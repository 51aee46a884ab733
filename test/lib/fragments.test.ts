import { describe, expect, it } from 'vitest'
import { CSRF_PLACEHOLDER, FragmentCache, sameInput } from '../../src/lib/fragments.ts'

describe('sameInput', () => {
  const post = { id: 7, name: 'Erika', createdAt: new Date('2026-03-01T10:00:00Z'), html: '<p>Hallo</p>', files: [{ id: 1 }], own: false }

  it('holds for inputs that print the same, built anew', () => {
    expect(sameInput(post, { ...post, createdAt: new Date(post.createdAt.getTime()), files: [{ id: 1 }] })).toBe(true)
    expect(sameInput({ locale: 'de', context: post }, { locale: 'de', context: { ...post } })).toBe(true)
  })

  it('fails for any difference, however deep', () => {
    const changed = [
      { ...post, id: 8 },
      { ...post, id: '7' },
      { ...post, name: 'Erik' },
      { ...post, createdAt: new Date('2026-03-01T10:00:01Z') },
      { ...post, createdAt: post.createdAt.toISOString() },
      { ...post, html: '<p>Hallo!</p>' },
      { ...post, files: [{ id: 1 }, { id: 2 }] },
      { ...post, files: [{ id: 2 }] },
      { ...post, files: [] },
      { ...post, files: {} },
      { ...post, own: true },
      { ...post, own: undefined },
      { ...post, own: null },
      { ...post, extra: 'x' },
    ]
    for (const other of changed) {
      expect(sameInput(post, other)).toBe(false)
      expect(sameInput(other, post)).toBe(false)
    }
    const { own: _own, ...withoutOwn } = post
    expect(sameInput(post, withoutOwn)).toBe(false)
    expect(sameInput(withoutOwn, post)).toBe(false)
  })

  it('compares a SafeString or other object by what it prints', () => {
    class Html {
      constructor(private readonly s: string) {}
      toString() {
        return this.s
      }
    }
    expect(sameInput(new Html('<b>a</b>'), new Html('<b>a</b>'))).toBe(true)
    expect(sameInput(new Html('<b>a</b>'), new Html('<b>b</b>'))).toBe(false)
    expect(sameInput(new Html('<b>a</b>'), '<b>a</b>')).toBe(false)
  })
})

describe('FragmentCache', () => {
  const form = () => `<form><input name="_csrf" value="${CSRF_PLACEHOLDER}"></form><form><input name="_csrf" value="${CSRF_PLACEHOLDER}"></form>`

  it('renders an input once and fills in each request’s CSRF token', () => {
    const cache = new FragmentCache(10)
    let renders = 0
    const render = () => (renders++, form())
    expect(cache.render(1, { a: 1 }, 'token-a', render)).toBe('<form><input name="_csrf" value="token-a"></form><form><input name="_csrf" value="token-a"></form>')
    expect(cache.render(1, { a: 1 }, 'token-b', render)).toBe('<form><input name="_csrf" value="token-b"></form><form><input name="_csrf" value="token-b"></form>')
    expect(renders).toBe(1)
    expect(cache.render(1, { a: 1 }, '', render)).not.toContain(CSRF_PLACEHOLDER)
  })

  it('renders again for a changed input, and keeps a few renderings of one thing', () => {
    const cache = new FragmentCache(10)
    const rendered: string[] = []
    const get = (input: string) => cache.render(1, { input }, '', () => (rendered.push(input), input))
    expect(get('as author')).toBe('as author')
    expect(get('as reader')).toBe('as reader')
    expect(get('as author')).toBe('as author')
    for (const n of [1, 2, 3, 4, 5, 6]) get(`edited ${n}`)
    expect(get('as reader')).toBe('as reader') // pushed out by newer renderings
    expect(rendered).toEqual(['as author', 'as reader', 'edited 1', 'edited 2', 'edited 3', 'edited 4', 'edited 5', 'edited 6', 'as reader'])
  })

  it('holds at most its capacity of things, forgetting those unused longest', () => {
    const cache = new FragmentCache(4)
    const rendered: number[] = []
    const get = (id: number) => cache.render(id, {}, '', () => (rendered.push(id), String(id)))
    for (const id of [1, 2, 3, 1, 4]) {
      get(id)
      expect(cache.size).toBeLessThanOrEqual(4)
    }
    get(1) // used again after 2: still held
    get(2) // unused longest: gone
    expect(rendered).toEqual([1, 2, 3, 4, 2])
  })
})
