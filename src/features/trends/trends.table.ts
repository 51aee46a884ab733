export interface TrendEvidenceTable {
  day: string
  stem: string
  municipality_id: number
  posts: number
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
