import { stemOfTerm } from '../../../src/features/trends/trends.text.ts'

/** The stem the engine uses for a word (so tests never spell out a stem). */
export function findStem(word: string): string {
  const stem = stemOfTerm(word)
  if (!stem) throw new Error(`no stem for ${word}`)
  return stem
}
