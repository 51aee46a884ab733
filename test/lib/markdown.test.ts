import fc from 'fast-check'
import { JSDOM } from 'jsdom'
import { describe, expect, it } from 'vitest'
import { renderMarkdown } from '../../src/lib/markdown.ts'

const ALLOWED_TAGS = new Set([
  'a', 'p', 'br', 'hr', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote',
  'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
])
const ALLOWED_ATTRS = new Set(['href', 'title', 'start', 'scope', 'rel'])
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster', 'background', 'data'])

const parser = new new JSDOM('').window.DOMParser()
// eslint-disable-next-line no-control-regex
const IGNORED_BY_BROWSERS = /[\u0000-\u0020\u007f-\u009f]/g

/** Every way the rendered HTML could execute or load something, found by parsing it like a browser. */
function problemsIn(html: string): string[] {
  const problems: string[] = []
  const document = parser.parseFromString(`<!doctype html><body>${html}</body>`, 'text/html')
  for (const element of document.body.querySelectorAll('*')) {
    const tag = element.tagName.toLowerCase()
    if (!ALLOWED_TAGS.has(tag)) problems.push(`element <${tag}>`)
    for (const attr of element.attributes) {
      const name = attr.name.toLowerCase()
      if (name.startsWith('on')) problems.push(`event handler ${name} on <${tag}>`)
      if (!ALLOWED_ATTRS.has(name)) problems.push(`attribute ${name} on <${tag}>`)
      if (URL_ATTRS.has(name)) {
        if (!['http:', 'https:', 'mailto:'].includes(schemeOf(attr.value))) problems.push(`${name}=${attr.value}`)
      }
    }
    if (tag === 'a') {
      if (element.getAttribute('rel') !== 'nofollow noopener ugc') problems.push(`<a> without rel: ${element.outerHTML}`)
      if (element.hasAttribute('target')) problems.push('<a target>')
    }
  }
  return problems
}

/** The scheme a browser would use for this attribute value (relative references resolve to https here). */
function schemeOf(value: string): string {
  const url = value.replace(IGNORED_BY_BROWSERS, '')
  try {
    return new URL(url, 'https://forum.example/base/').protocol
  } catch {
    // Not a valid URL, so a browser will not follow it; still, no foreign scheme may stand at its start.
    return (/^([a-z][a-z0-9+.-]*:)/i.exec(url)?.[1] ?? 'https:').toLowerCase()
  }
}

// In the style of the OWASP XSS filter evasion cheat sheet, plus Markdown's own ways to make links.
const payloads = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>',
  '<IMG SRC="javascript:alert(\'XSS\');">',
  '<img src=x onerror=alert(1)>',
  '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<a href="javascript:alert(1)">klick</a>',
  '<div style="background-image: url(javascript:alert(1))">x</div>',
  '<p style="color:red">rot</p>',
  '<body onload=alert(1)>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<form action="javascript:alert(1)"><button>x</button></form>',
  '<details open ontoggle=alert(1)>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<!--<img src="--><img src=x onerror=alert(1)//">',
  '[klick](javascript:alert(1))',
  '[klick](JaVaScRiPt:alert(1))',
  '[klick](  javascript:alert(1))',
  '[klick](<java\tscript:alert(1)>)',
  '[klick](<java\nscript:alert(1)>)',
  '[klick](&#106;avascript:alert(1))',
  '[klick](&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1))',
  '[klick](javascript&colon;alert(1))',
  '[klick](jav&#x09;ascript:alert(1))',
  '[klick](\\u006Aavascript:alert(1))',
  '[klick](vbscript:msgbox(1))',
  '[klick](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[klick](DATA:text/html,<script>alert(1)</script>)',
  '[klick](file:///etc/passwd)',
  '![bild](javascript:alert(1))',
  '![bild](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x" onerror="alert(1)](https://example.de/a.png)',
  '[x](https://example.de "title\\" onmouseover=\\"alert(1)")',
  '[ref]\n\n[ref]: javascript:alert(1)',
  '<javascript:alert(1)>',
  '<https://example.de/" onmouseover="alert(1)>',
  'www.example.de/"onmouseover="alert(1)',
  '`<script>alert(1)</script>`',
  '```html\n<script>alert(1)</script>\n```',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<a href="&#14;javascript:alert(1)">x</a>',
  '[x](\u0001javascript:alert(1))',
  '[x](java\u0000script:alert(1))',
]

describe('renderMarkdown', () => {
  it('renders ordinary Markdown with links, headings starting at h2 and safe link attributes', () => {
    const html = renderMarkdown('# Titel\n\nHallo **Welt**, siehe [Seite](https://www.nsgb.de/) und www.example.de.\n\n- eins\n- zwei')
    expect(html).toContain('<h2>Titel</h2>')
    expect(html).toContain('<strong>Welt</strong>')
    expect(html).toContain('<a href="https://www.nsgb.de/" rel="nofollow noopener ugc">Seite</a>')
    expect(html).toContain('<a href="http://www.example.de" rel="nofollow noopener ugc">www.example.de</a>')
    expect(html).toContain('<li>eins</li>')
  })

  it('keeps relative and mailto links', () => {
    const html = renderMarkdown('[Thema](/threads/12#post-3) und [Mail](mailto:info@example.de)')
    expect(html).toContain('href="/threads/12#post-3"')
    expect(html).toContain('href="mailto:info@example.de"')
  })

  it('shows raw HTML as text instead of interpreting it', () => {
    const html = renderMarkdown('<b>fett</b> <script>alert(1)</script>')
    expect(html).toContain('&lt;b&gt;fett&lt;/b&gt;')
    expect(html).not.toContain('<script')
  })

  it('turns images into links (no third-party requests) and gives table headers a scope', () => {
    expect(renderMarkdown('![Plan](https://example.de/plan.png)')).toContain(
      '<a href="https://example.de/plan.png" rel="nofollow noopener ugc">Plan</a>',
    )
    expect(renderMarkdown('| a | b |\n|---|--:|\n| 1 | 2 |')).toContain('<th scope="col">a</th>')
  })

  it('the checker itself recognises dangerous HTML', () => {
    expect(problemsIn('<img src=x onerror=alert(1)>')).not.toEqual([])
    expect(problemsIn('<a href=" JaVa\tScript:alert(1)" rel="nofollow noopener ugc">x</a>')).not.toEqual([])
    expect(problemsIn('<a href="data:text/html,x" rel="nofollow noopener ugc">x</a>')).not.toEqual([])
    expect(problemsIn('<a href="https://example.de" rel="nofollow noopener ugc">x</a>')).toEqual([])
  })

  it.each(payloads)('leaves nothing executable of %j', (payload) => {
    const html = renderMarkdown(payload)
    expect(problemsIn(html)).toEqual([])
    expect(html.toLowerCase()).not.toMatch(/<(script|iframe|svg|img|object|embed|style|form|base|meta)\b/)
  })

  it('leaves nothing executable in any mix of payload fragments (property-based)', () => {
    const fragments = [
      ...payloads,
      '<', '>', '"', "'", '`', '[', ']', '(', ')', '!', '\n', '\n\n', ' ', '\t', '&#', ';', ':', '/', '\\',
      'javascript:', 'JaVaScRiPt:', 'data:', 'vbscript:', 'alert(1)', 'onerror=', 'onload=', 'style=', 'href=',
      'src=', '<a ', '<img ', '<svg ', '<script', '</script>', '<iframe', '&colon;', '&#x3A;', '&#58;', '%3A',
      'https://example.de/', 'www.example.de', 'mailto:', '**', '_', '# ', '> ', '- ', '1. ', '```', '|', '---',
    ]
    const source = fc
      .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 8 })), { maxLength: 24 })
      .map((parts) => parts.join(''))
    fc.assert(
      fc.property(source, (markdown) => {
        expect(problemsIn(renderMarkdown(markdown))).toEqual([])
      }),
      { numRuns: 1500 },
    )
  })

  describe('mentions', () => {
    const known = (handle: string) => (['erika.muster', 'jan.meyer2'].includes(handle) ? `/people?handle=${handle}` : undefined)

    it('links the handles of known people and leaves unknown ones as text', () => {
      const html = renderMarkdown('Frag @Erika.Muster oder @niemand.da, cc @jan.meyer2.', known)
      expect(html).toContain('<a href="/people?handle=erika.muster" rel="nofollow noopener ugc">@Erika.Muster</a>')
      expect(html).toContain('<a href="/people?handle=jan.meyer2" rel="nofollow noopener ugc">@jan.meyer2</a>.')
      expect(html).toContain('oder @niemand.da,')
    })

    it('links nothing without a resolver, in code, in email addresses or inside links', () => {
      expect(renderMarkdown('Hallo @erika.muster')).toBe('<p>Hallo @erika.muster</p>\n')
      const html = renderMarkdown('`@erika.muster` e.muster@erika.muster [@erika.muster](https://example.de)\n\n```\n@erika.muster\n```', known)
      expect(html).not.toContain('/people?handle=')
      expect(html).toContain('<code>@erika.muster</code>')
    })

    it('links in emphasis, lists and quotes, keeping the text around it', () => {
      const html = renderMarkdown('> **Danke @erika.muster!**\n\n- @jan.meyer2 weiß es', known)
      expect(html).toContain('<strong>Danke <a href="/people?handle=erika.muster" rel="nofollow noopener ugc">@erika.muster</a>!</strong>')
      expect(html).toContain('<li><a href="/people?handle=jan.meyer2" rel="nofollow noopener ugc">@jan.meyer2</a> weiß es</li>')
    })

    it('leaves nothing executable when every handle is linked (property-based)', () => {
      const everyone = (handle: string) => `/people?handle=${encodeURIComponent(handle)}`
      const fragments = [...payloads, '@', '@erika.muster', '@a', '.', '@javascript:alert(1)', '[', '](', ')', '`', '\n', ' ', '<', '"']
      const source = fc
        .array(fc.oneof(fc.constantFrom(...fragments), fc.string({ maxLength: 6 })), { maxLength: 20 })
        .map((parts) => parts.join(''))
      fc.assert(
        fc.property(source, (markdown) => {
          expect(problemsIn(renderMarkdown(markdown, everyone))).toEqual([])
        }),
        { numRuns: 800 },
      )
    })

    it('renders a text again when the people behind its mentions change (the render cache keys on them)', () => {
      const source = 'Frag @erika.muster, sie hat die Vorlage.'
      const linked = renderMarkdown(source, () => '/people?handle=erika.muster')
      expect(linked).toContain('<a href="/people?handle=erika.muster"')
      expect(renderMarkdown(source, () => '/people?handle=erika.muster')).toBe(linked)
      // Erased or deactivated since: the same text now shows the mention as plain text.
      expect(renderMarkdown(source, () => undefined)).not.toContain('<a ')
      expect(renderMarkdown(source)).not.toContain('<a ')
    })
  })
})
