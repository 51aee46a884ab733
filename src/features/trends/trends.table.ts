import type { Generated } from 'kysely'

export interface TrendMunicipalityDaysTable {
  day: number
  municipality_id: number
  stems: string[]
  words: string[]
  posts: number[]
}

export interface TrendStemDaysTable {
  day: number
  stem: string
  municipalities: number
  posts: number
}

export interface TrendDirtyTable {
  id: Generated<string>
  municipality_id: number
  day: number
}

export interface TrendSnapshotTable {
  id: number
  at: Date
  result: unknown
}

export interface TrendSurfaceTable {
  stem: string
  word: string
  uses: number
}

export interface TrendIndexStateTable {
  id: number
  last_post_id: number
  updated_at: Date
}
