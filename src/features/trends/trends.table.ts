import type { Generated } from 'kysely'

/** Per municipality-day: forms[i] (a stem with its most used written form, see trend_forms) in posts[i] posts. */
export interface TrendMunicipalityFormsTable {
  day: number
  municipality_id: number
  forms: number[]
  posts: number[]
}

export interface TrendFormsTable {
  id: Generated<number>
  stem: string
  word: string
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

/** A term the staff watch; `rising_since` is set while a rise is under way (and was alerted). */
export interface TrendWatchTermsTable {
  id: Generated<number>
  /** As the person typed it (trimmed). */
  term: string
  /** Its stems, as the trend engine stems posts (stemsOf). */
  stems: string[]
  /** The stems sorted and joined: two entries with the same stems are one term. */
  stem_key: string
  created_by: number | null
  created_at: Date
  rising_since: Date | null
  /** While rising: since when the term has not been part of a significant trend. */
  quiet_since: Date | null
  last_alert_at: Date | null
}

/** One row per rise of a watched term: what the alert mails say. */
export interface TrendWatchAlertsTable {
  id: Generated<number>
  term_id: number
  rise_started_at: Date
  term: string
  label: string
  stem: string
  municipalities: number
  districts: number
}

/** Activity per UTC day, municipality and forum, kept by triggers (migration 20261202700000_create_activity_days). */
export interface ActivityDaysTable {
  day: Date
  municipality_id: number | null
  forum_id: number
  all_posts: number
  posts: number
  visible_posts: number
  visible_threads: number
  marks: number
}
