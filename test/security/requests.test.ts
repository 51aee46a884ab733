import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Secret, TOTP } from 'otpauth'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseForm } from '../../src/lib/forms.ts'
import { safeRedirectTarget } from '../../src/plugins/auth.ts'
import { buildUser } from '../factories.ts'
import { createTestApp, csrfFrom, login, submitForm, type TestApp } from '../helpers/app.ts'

/**
 * SECURITY.md, "Access control" (strict forms), "Content" (no request value in raw SQL) and "Headers and
 * requests" (CSRF on every state-changing request, redirects only to local paths). The source checks
 * read every file under src/, so a route added tomorrow is checked too.
 */

const root = resolve(import.meta.dirname, '..', '..')
const listFiles = (dir: string, ext: string) =>
  (readdirSync(join(root, dir), { recursive: true }) as string[])
    .filter((f) => f.endsWith(ext))
    .map((f) => join(root, dir, f))
    .sort()
const sources = listFiles('src', '.ts').map((file) => ({ file, name: relative(root, file), text: readFileSync(file, 'utf8') }))
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length

/** The text of a call's argument list, from the opening parenthesis at `open` to its partner. */
function argumentsAt(text: string, open: number): string {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    const c = text[i]
    if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') {
      depth--
      if (depth === 0) return text.slice(open + 1, i)
    }
  }
  throw new Error('unbalanced parentheses')
}

/** The first top-level argument of an argument list. */
function firstArgument(args: string): string {
  let depth = 0
  for (let i = 0; i < args.length; i++) {
    const c = args[i]
    if ('([{'.includes(c!)) depth++
    else if (')]}'.includes(c!)) depth--
    else if (c === ',' && depth === 0) return args.slice(0, i).trim()
  }
  return args.trim()
}

describe('forms accept only the fields they name', () => {
  /** Where the schema handed to parseForm is defined: an import of the same file, or the file itself. */
  function definitionOf(source: (typeof sources)[number], name: string): { file: string; exported: string } {
    for (const m of source.text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      for (const part of m[1]!.split(',')) {
        const [original, alias] = part.trim().split(/\s+as\s+/)
        if ((alias ?? original) === name) return { file: resolve(dirname(source.file), m[2]!), exported: original! }
      }
    }
    return { file: source.file, exported: name }
  }

  it('every schema given to parseForm is strict: a smuggled field (role, municipality_id, author_id …) is refused', async () => {
    const uses: string[] = []
    const problems: string[] = []
    for (const source of sources) {
      if (source.name === 'src/lib/forms.ts') continue
      for (const m of source.text.matchAll(/\bparseForm\(/g)) {
        const where = `${source.name}:${lineOf(source.text, m.index)}`
        const argument = firstArgument(argumentsAt(source.text, m.index + m[0].length - 1))
        // A schema by name, or made by a factory such as editOpeningSchema(thread.kind).
        const named = /^([A-Za-z_$][\w$]*)(\(.*\))?$/s.exec(argument)
        if (!named) {
          problems.push(`${where}: parseForm(${argument}, …) – name the schema so it can be checked`)
          continue
        }
        const schemaName = named[1]!
        uses.push(where)
        const { file, exported } = definitionOf(source, schemaName)
        const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>
        if (named[2]) {
          // The arguments are only known at run time: every object the factory builds must be strict.
          const factory = String(module[exported] ?? readFileSync(file, 'utf8').match(new RegExp(`function ${exported}\\([\\s\\S]*?\\n\\}`))?.[0] ?? '')
          const objects = factory.match(/\bz\s*\.\s*object\(/g)?.length ?? 0
          const stricts = factory.match(/\.strict\(\)/g)?.length ?? 0
          if (objects === 0 || stricts < objects || /\.(passthrough|loose|catchall)\(/.test(factory)) {
            problems.push(`${where}: the factory ${exported} builds a schema that is not strict`)
          }
          continue
        }
        const schema = module[exported] as Parameters<typeof parseForm>[0] | undefined
        if (!schema) {
          // Not exported: its definition must say .strict() (and nothing may loosen it again).
          const text = readFileSync(file, 'utf8')
          const definition = text.match(new RegExp(`const ${exported}\\s*=([\\s\\S]*?)\\n(?=\\S)`))?.[1] ?? ''
          if (!definition.includes('.strict()') || /\.(passthrough|loose|catchall)\(/.test(definition)) {
            problems.push(`${where}: ${exported} is not strict`)
          }
          continue
        }
        for (const smuggled of ['role', 'municipality_id', 'author_id', 'user_id', 'is_admin']) {
          const result = parseForm(schema, { [`${smuggled}`]: 'x', __geschmuggelt: '1' })
          if (result.ok || result.errors._form !== 'form.unknownField') {
            problems.push(`${where}: ${exported} accepts an unknown field`)
            break
          }
        }
      }
    }
    expect(problems).toEqual([])
    // The scan really found the forms (sign-in, reset, invitations, administration …).
    expect(uses.length).toBeGreaterThanOrEqual(15)
  })

  /** Places where code reads a field of the raw request body instead of taking it from parseForm. */
  function rawBodyReads(text: string): { index: number; what: string }[] {
    const aliases = [...text.matchAll(/\bconst (\w+) = \(?request\.body\b/g)].map((m) => m[1]!)
    const raw = `(?:request\\.body|\\(request\\.body as [^)]*\\)${aliases.map((a) => `|\\b${a}`).join('')})`
    const access = new RegExp(`${raw}\\??\\.(\\w+)|${raw}\\??\\.?\\[|\\{[^}]*\\}\\s*=\\s*\\(?request\\.body\\b`, 'g')
    // Only the preview/save button may be looked at before validation (it changes nothing by itself).
    return [...text.matchAll(access)].filter((m) => m[1] !== 'action').map((m) => ({ index: m.index, what: m[0] }))
  }

  it('no route reads a field straight off the raw body: fields come out of parseForm', () => {
    const problems = sources.flatMap((source) =>
      rawBodyReads(source.text).map((r) => `${source.name}:${lineOf(source.text, r.index)}: ${r.what}`),
    )
    expect(problems).toEqual([])
    // The check itself finds the ways a field could be read.
    expect(rawBodyReads('const role = (request.body as { role: string }).role')).toHaveLength(1)
    expect(rawBodyReads('request.body.municipality_id')).toHaveLength(1)
    expect(rawBodyReads('const { author_id } = request.body as X')).toHaveLength(1)
    expect(rawBodyReads("const raw = request.body as X\nif (raw?.action === 'preview') x(raw.role, raw['user_id'])")).toHaveLength(2)
    expect(rawBodyReads('const form = parseForm(schema, request.body)')).toHaveLength(0)
  })
})

describe('no request value reaches raw SQL', () => {
  /** Places where SQL text (not a bound value) could come from a variable. */
  function rawSqlProblems(text: string): string[] {
    const problems: string[] = []
    // sql.join only composes sql`` fragments (bound values); these turn a string into SQL text.
    for (const m of text.matchAll(/\bsql\.(raw|lit|id|ref|table)\s*\(/g)) {
      const first = firstArgument(argumentsAt(text, m.index + m[0].length - 1))
      if (!/^'[^'$]*'$/.test(first)) problems.push(`${m[0]}${first})`)
    }
    for (const m of text.matchAll(/CompiledQuery\.raw|\.unsafe\(/g)) problems.push(m[0])
    // Sort orders and column references name a column in the code (an allowlist), never a variable.
    for (const m of text.matchAll(/\.(orderBy|ref|onRef|whereRef|distinctOn)\(/g)) {
      const first = firstArgument(argumentsAt(text, m.index + m[0].length - 1))
      const literal = /^'[\w.]+(?: as \w+)?'$/.test(first) || /^\[('[\w.]+',?\s*)+\]$/.test(first)
      // A fixed SQL expression or expression-builder callback written in the code, or a lookup in an
      // allowlist object/array declared in the same file.
      const fixedExpression = /^sql(<[^>]*>)?`[^`$]*`$/.test(first) || (/^\(?\w*\)?\s*=>/.test(first) && !/\brequest\b/.test(first))
      const allowlist = /^([A-Za-z_$][\w$]*)\[[^\]]+\]$/.exec(first)
      const fromAllowlist = allowlist !== null && new RegExp(`const ${allowlist[1]}\\s*(:[^=]+)?=\\s*[{[]`).test(text)
      if (!literal && !fixedExpression && !fromAllowlist) problems.push(`${m[0]}${first})`)
    }
    // Values inside sql`` templates are bound parameters; a request value must not even get there.
    for (const m of text.matchAll(/\bsql(?:<[^>]*>)?`([^`]*)`/g)) {
      for (const value of m[1]!.matchAll(/\$\{([^}]*)\}/g)) {
        if (/\brequest\b|\bquery\b|\bbody\b|\bparams\b/.test(value[1]!)) problems.push(`sql\`…\${${value[1]}}…\``)
      }
    }
    return problems
  }

  // Reviewed one by one. The export and erasure walk the tables of privacy.definition.ts, a list in the
  // code whose every table and column the schema test (test/features/privacy/schema.test.ts) checks
  // against information_schema; no request value names a table or column there.
  const reviewed = new Set([
    'src/features/privacy/privacy.queries.ts: sql.ref(c)',
    'src/features/privacy/privacy.queries.ts: sql.table(entry.table)',
    'src/features/privacy/privacy.queries.ts: .ref(c)',
    // column: 'p.body' | 'r.body', a union of two literals
    'src/features/privacy/privacy.queries.ts: sql.ref(column)',
    'src/features/privacy/privacy.queries.ts: .ref(column)',
    // column: a union of three literals (the municipality column of activity_days, posts and marks)
    'src/features/trends/activity.queries.ts: sql.ref(column)',
    'src/features/trends/activity.queries.ts: .ref(column)',
  ])

  it('the source uses no raw SQL helpers, only fixed sort orders and column references', () => {
    const problems = sources
      .filter((source) => !source.name.startsWith('src/db/'))
      .flatMap((source) => rawSqlProblems(source.text).map((p) => `${source.name}: ${p}`))
      .filter((problem) => !reviewed.has(problem))
    expect(problems).toEqual([])
    // The check itself recognises the dangerous forms …
    expect(rawSqlProblems('sql.raw(sort)')).not.toEqual([])
    expect(rawSqlProblems('sql.ref(`posts.${column}`)')).not.toEqual([])
    expect(rawSqlProblems('query.orderBy(filters.sort)')).not.toEqual([])
    expect(rawSqlProblems('sql`select ${request.query.q}`')).not.toEqual([])
    // … and lets the safe ones pass.
    expect(rawSqlProblems("query.orderBy('users.name').orderBy(sql`(t.pinned_at is not null)`, 'desc')")).toEqual([])
    expect(rawSqlProblems("const SORTS = { new: 'created_at' } as const\nq.orderBy(SORTS[sort])")).toEqual([])
    expect(rawSqlProblems('sql`t.forum_id = ${f.forumId}`')).toEqual([])
  })
})

describe('redirects', () => {
  type Source = (typeof sources)[number]
  const byFile = new Map(sources.map((src) => [src.file, src]))

  /** Where a function used in `source` is defined: imported from another file of src/, or in the file itself. */
  function functionSource(source: Source, name: string): { source: Source; body: string } | undefined {
    let home = source
    for (const m of source.text.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      if (m[1]!.split(',').some((p) => p.trim().split(/\s+as\s+/).pop() === name)) home = byFile.get(resolve(dirname(source.file), m[2]!)) ?? home
    }
    const m = new RegExp(`function ${name}\\(`).exec(home.text)
    if (!m) return undefined
    const paramsEnd = m.index + m[0].length - 1 + argumentsAt(home.text, m.index + m[0].length - 1).length + 1
    const open = home.text.indexOf('{', paramsEnd)
    return { source: home, body: argumentsAt(home.text, open) }
  }

  /**
   * Whether an expression can only be a local path: a fixed path, a template whose fixed start is a path,
   * safeRedirectTarget(…), a function that only returns such values, a constant or a parameter only ever
   * given such values.
   */
  function isLocal(expr: string, source: Source, scope: string, depth = 0): boolean {
    if (depth > 4) return false
    const e = expr.trim()
    if (/^'\/(?![/\\])[^']*'$/.test(e)) return true
    if (/^`\/(?![/\\$])/.test(e) && !/^`\/`/.test(e)) return true
    if (/^safeRedirectTarget\(/.test(e)) return true
    const call = /^([A-Za-z_$][\w$]*)\(/.exec(e)
    if (call) {
      const fn = functionSource(source, call[1]!)
      const returns = fn ? [...fn.body.matchAll(/\breturn ([^\n]+)/g)].map((r) => r[1]!) : []
      return returns.length > 0 && returns.every((r) => isLocal(r, fn!.source, fn!.body, depth + 1))
    }
    if (!/^[A-Za-z_$][\w$]*$/.test(e)) return false
    const constant = new RegExp(`const ${e}(?::[^=]+)? = ([^\\n]+)`).exec(scope) ?? new RegExp(`const ${e}(?::[^=]+)? = ([^\\n]+)`).exec(source.text)
    if (constant) return isLocal(constant[1]!, source, scope, depth + 1)
    // A parameter of a function in this file: every call must pass a local path in its place.
    for (const fn of source.text.matchAll(/function (\w+)\(([^)]*)\)/g)) {
      const index = fn[2]!.split(',').findIndex((p) => p.trim().split(/[:=?\s]/)[0] === e)
      if (index < 0) continue
      const calls = [...source.text.matchAll(new RegExp(`(?<!function )\\b${fn[1]}\\(`, 'g'))]
      return (
        calls.length > 0 &&
        calls.every((c) => {
          const args = argumentsAt(source.text, c.index + c[0].length - 1)
          const parts: string[] = []
          let rest = args
          for (let i = 0; i <= index; i++) {
            const first = firstArgument(rest)
            parts.push(first)
            rest = rest.slice(rest.indexOf(first) + first.length).replace(/^\s*,/, '')
          }
          return isLocal(parts[index]!, source, scope, depth + 1)
        })
      )
    }
    return false
  }

  it('go only to local paths or through safeRedirectTarget, in every route', () => {
    const problems: string[] = []
    let count = 0
    for (const source of sources) {
      for (const m of source.text.matchAll(/\.redirect\(/g)) {
        count++
        const target = firstArgument(argumentsAt(source.text, m.index + m[0].length - 1))
        if (!isLocal(target, source, source.text)) problems.push(`${source.name}:${lineOf(source.text, m.index)}: redirect(${target})`)
      }
    }
    expect(problems).toEqual([])
    expect(count).toBeGreaterThan(20)
    // The check itself tells a foreign target from a local one.
    const probe = (code: string) => isLocal('target', { file: '/x.ts', name: 'x.ts', text: code }, code)
    expect(probe("const target = '/admin'")).toBe(true)
    expect(probe('const target = safeRedirectTarget(request.query.next)')).toBe(true)
    expect(probe('const target = request.query.next')).toBe(false)
    expect(probe('const target = `/${request.query.next}`')).toBe(false)
    expect(probe("function go(reply, target) {}\ngo(reply, '/a')\ngo(reply, request.headers.referer)")).toBe(false)
  })

  const foreign = [
    'https://evil.example/',
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\t/evil.example',
    ' /evil',
    'javascript:alert(1)',
    'http:/evil.example',
    '/€-nicht-kodiert',
    '/steuer\u0001zeichen',
  ]

  it('safeRedirectTarget keeps local paths and drops everything else', () => {
    for (const next of foreign) expect(safeRedirectTarget(next), JSON.stringify(next)).toBe('/')
    for (const next of ['/', '/admin/users?role=member&page=2', '/invitations#neu', '/%E2%82%AC']) expect(safeRedirectTarget(next)).toBe(next)
    expect(safeRedirectTarget(undefined)).toBe('/')
    expect(safeRedirectTarget(['/a'])).toBe('/')
  })

  describe('in the running app', () => {
    let t: TestApp
    beforeAll(async () => {
      t = await createTestApp()
    })
    afterAll(() => t.close())

    it('ignore foreign targets (never a server error) at sign-in, the language switch and "Sitzung verlängern"', async () => {
      const user = await buildUser(t.db)
      const problems: string[] = []
      const check = (where: string, next: string, res: { status: number; headers: Record<string, string> }) => {
        if (res.status !== 303 || res.headers.location !== '/') problems.push(`${where} ${JSON.stringify(next)} → ${res.status} ${res.headers.location}`)
      }
      for (const next of foreign) {
        const agent = t.agent()
        check('POST /login', next, await submitForm(agent, '/login', '/login', { email: user.email, password: user.password, next }))
        check('GET /login (signed in)', next, await agent.get(`/login?next=${encodeURIComponent(next)}`).redirects(0))
        check('GET /login/2fa (signed in)', next, await agent.get(`/login/2fa?next=${encodeURIComponent(next)}`).redirects(0))
        check('POST /language', next, await submitForm(agent, '/', '/language', { lang: 'en', next }))
        check('POST /session/extend', next, await submitForm(agent, '/', '/session/extend', { next }))
        t.clock.advance(25 * 60 * 60 * 1000) // a fresh throttle record for the next round of sign-ins
      }
      expect(problems).toEqual([])
    })

    it('ignore a foreign target after the second factor', async () => {
      const user = await buildUser(t.db)
      const agent = t.agent()
      await login(agent, user.email, user.password)
      await submitForm(agent, '/account/2fa', '/account/2fa/start', {})
      const secret = (await agent.get('/account/2fa')).text.match(/<code class="secret">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, '')
      const code = (steps: number) =>
        new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
          timestamp: t.clock.now().getTime() + steps * 30_000,
        })
      expect((await submitForm(agent, '/account/2fa', '/account/2fa/enable', { code: code(0) })).status).toBe(200)
      t.clock.advance(30_000)
      const next = '//evil.example/2fa'
      const second = t.agent()
      const password = await submitForm(second, `/login?next=${encodeURIComponent(next)}`, '/login', { email: user.email, password: user.password, next })
      expect(password.headers.location).toBe('/login/2fa?next=%2F')
      const res = await submitForm(second, '/login/2fa', '/login/2fa', { code: code(0), next })
      expect(res.status).toBe(303)
      expect(res.headers.location).toBe('/')
    })
  })
})

describe('third parties', () => {
  it('no view, stylesheet or script loads anything from another origin', () => {
    const problems: string[] = []
    for (const file of [...listFiles('views', '.hbs'), ...listFiles('public', '.css'), ...listFiles('public', '.js')]) {
      const text = readFileSync(file, 'utf8')
      const loads = [
        ...text.matchAll(/<(?:script|img|iframe|link|source|video|audio|embed|object)\b[^>]*\b(?:src|href|data)="((?:https?:)?\/\/[^"]*)"/gi),
        ...text.matchAll(/url\(\s*['"]?((?:https?:)?\/\/[^'")]*)/gi),
        ...text.matchAll(/@import\s+['"]((?:https?:)?\/\/[^'"]*)/gi),
        ...text.matchAll(/fetch\(\s*['"`]((?:https?:)?\/\/[^'"`]*)/gi),
      ]
      for (const m of loads) problems.push(`${relative(root, file)}:${lineOf(text, m.index)}: ${m[1]}`)
    }
    expect(problems).toEqual([])
  })
})

describe('CSRF', () => {
  it('every POST form in the views carries the token', () => {
    const problems: string[] = []
    let forms = 0
    for (const file of listFiles('views', '.hbs')) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/gi)) {
        if (!/method="post"/i.test(m[0].split('>')[0]!)) continue
        forms++
        if (!m[0].includes('{{> csrf}}') && !/name="_csrf" value="\{\{(@root\.)?csrfToken\}\}"/.test(m[0])) {
          problems.push(`${relative(root, file)}:${lineOf(text, m.index)}`)
        }
      }
    }
    expect(problems).toEqual([])
    expect(forms).toBeGreaterThan(20)
  })

  describe('in the running app', () => {
    let t: TestApp
    beforeAll(async () => {
      t = await createTestApp({ DEMO: 'true' })
    })
    afterAll(() => t.close())

    // RFC 8058 one-click unsubscribe is posted by mail clients without a session: the one documented exception.
    const exempt = (url: string) => url.startsWith('/unsubscribe/')
    const concrete = (url: string) => url.replace(/:token\b/g, 'A'.repeat(43)).replace(/:slug\b/g, 'impressum').replace(/:[A-Za-z_]+/g, '1')

    it('refuses every state-changing request without a valid token, signed in or not', async () => {
      const admin = await buildUser(t.db, { role: 'admin' })
      const signedIn = t.agent()
      await login(signedIn, admin.email, admin.password)
      const anonymous = t.agent()
      await anonymous.get('/login') // has a session and a CSRF secret, just not the token in the post
      const otherToken = await csrfFrom(t.agent(), '/login') // a valid token, of somebody else's session

      const writes = t.app.routeTable.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method) && !exempt(r.url))
      expect(writes.length).toBeGreaterThan(15)
      const problems: string[] = []
      for (const route of writes) {
        const path = concrete(route.url)
        const agents = route.access === 'public' ? [signedIn, anonymous] : [signedIn]
        for (const agent of agents) {
          for (const token of [undefined, 'erfunden', otherToken]) {
            const body = token ? { _csrf: token } : {}
            const res = await agent[route.method.toLowerCase() as 'post'](path).type('form').send(body).redirects(0)
            if (res.status !== 403) problems.push(`${route.method} ${path} (${agent === signedIn ? 'admin' : 'anonymous'}, token ${token?.slice(0, 8)}) → ${res.status}`)
          }
        }
      }
      expect(problems).toEqual([])
      // Still signed in: the refusals changed nothing.
      expect((await signedIn.get('/admin')).status).toBe(200)
    })
  })
})
