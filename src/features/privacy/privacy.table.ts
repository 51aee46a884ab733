import type { Generated } from 'kysely'

export type ExportStatus = 'pending' | 'preparing' | 'ready' | 'failed'

/** A data export (Art. 15/20): prepared in the background, downloadable by whoever asked, for a few days. */
export interface DataExportsTable {
  id: string
  /** Whose data. */
  user_id: number
  /** Who asked and may download it: the person themselves, or an admin on their request. */
  requested_by: number
  status: Generated<ExportStatus>
  /** The export as JSON text, once ready. */
  content: string | null
  created_at: Generated<Date>
  ready_at: Date | null
  expires_at: Date
}
