import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { viewsDir } from '../../src/lib/paths.ts'
import { LAYOUT } from '../../src/plugins/view.ts'
import { createTestApp, type TestApp } from '../helpers/app.ts'

/** Every template under views/, as a path relative to it. */
function templates(dir = viewsDir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return templates(path)
    return entry.name.endsWith('.hbs') ? [relative(viewsDir, path)] : []
  })
}

// Handlebars prints a value unescaped with {{{value}}} or {{& value}}.
const UNESCAPED = /\{\{\{|\{\{~?\s*&/

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('raw HTML in templates', () => {
  it('only the partial for sanitised Markdown prints a value unescaped', () => {
    const all = templates()
    expect(all).toContain(LAYOUT)
    expect(all.filter((path) => UNESCAPED.test(readFileSync(join(viewsDir, path), 'utf8')))).toEqual([join('partials', 'markdown.hbs')])
  })

  it('the layout escapes a body that is a plain string', async () => {
    const html = await t.app.view(LAYOUT, { locale: 'de', title: 'Probe', body: '<script>alert(1)</script><b>fett</b>' })
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;fett&lt;/b&gt;')
    expect(html).not.toContain('<script>alert(1)')
  })

  it.each([
    ['a page', '/login', 200, /<h1[^>]*>Anmelden<\/h1>/],
    ['an error page', '/diese-seite-gibt-es-nicht', 404, /<h1[^>]*>Fehler 404<\/h1>/],
  ])('the layout prints %s as HTML inside <main>', async (_what, path, status, heading) => {
    const res = await t.agent().get(path)
    expect(res.status).toBe(status)
    const main = res.text.slice(res.text.indexOf('<main'), res.text.indexOf('</main>'))
    expect(main).toMatch(heading)
    expect(main).not.toContain('&lt;')
    expect(res.text.match(/<main\b/g)).toHaveLength(1)
  })
})
