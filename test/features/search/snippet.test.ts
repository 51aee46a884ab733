import { describe, expect, it } from 'vitest'
import { markSameWords, toSegments } from '../../../src/features/search/search.snippet.ts'

const S = '\uE000'
const E = '\uE001'

describe('snippets', () => {
  it('turns the markers of ts_headline into segments, text left as text', () => {
    expect(toSegments(`Wir suchen ${S}Dolmetscher${E} für <b>Arabisch</b>,\n  ${S}Dolmetscher${E}.`)).toEqual([
      { text: 'Wir suchen ', mark: false },
      { text: 'Dolmetscher', mark: true },
      { text: ' für <b>Arabisch</b>, ', mark: false },
      { text: 'Dolmetscher', mark: true },
      { text: '.', mark: false },
    ])
  })

  it('leaves out Markdown markers and link targets, keeping gender stars and the link text', () => {
    expect(toSegments(`Wir brauchen **${S}Dolmetscher${E}** für \`Dari\`, ~~alt~~ siehe [Vertrag](https://example.de/a_(b)) für Bürger*innen`)).toEqual([
      { text: 'Wir brauchen ', mark: false },
      { text: 'Dolmetscher', mark: true },
      { text: ' für Dari, alt siehe Vertrag für Bürger*innen', mark: false },
    ])
  })

  it('survives stray markers', () => {
    expect(toSegments(`a${E}b${S}c`)).toEqual([
      { text: 'ab', mark: false },
      { text: 'c', mark: true },
    ])
  })

  it('marks the matched words in the full title, whatever the headline dropped', () => {
    expect(markSameWords('Dolmetscher? <Gemeinde> dolmetscher-Pool', `${S}Dolmetscher${E} Gemeinde`)).toEqual([
      { text: 'Dolmetscher', mark: true },
      { text: '? <Gemeinde> ', mark: false },
      { text: 'dolmetscher', mark: true },
      { text: '-Pool', mark: false },
    ])
    expect(markSameWords('Ohne Treffer (a+b)', 'Ohne Treffer')).toEqual([{ text: 'Ohne Treffer (a+b)', mark: false }])
  })
})
