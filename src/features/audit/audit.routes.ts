import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { hasMessage, type Locale, t } from '../../lib/i18n.ts'
import { roles } from '../users/users.table.ts'
import { listAuditActions, listAuditEntries } from './audit.queries.ts'
import { auditListQuery } from './audit.schemas.ts'

const PAGE_SIZE = 50

export default async function auditRoutes(app: FastifyInstance, { db }: AppDeps) {
  app.get('/admin/audit', { config: { access: ['admin'] } }, async (request, reply) => {
    const locale = request.locale
    const { action, before } = auditListQuery.parse(request.query)
    // One row more than shown tells whether there is an older page.
    const rows = await listAuditEntries(db, { action, before, limit: PAGE_SIZE + 1 })
    const shown = rows.slice(0, PAGE_SIZE)
    const last = shown.at(-1)
    const olderUrl =
      rows.length > PAGE_SIZE && last ? `/admin/audit?${new URLSearchParams({ ...(action ? { action } : {}), before: String(last.id) })}` : undefined
    const actions = await listAuditActions(db)
    return reply.page('audit/index.hbs', {
      title: t(locale, 'audit.title'),
      entries: shown.map((row) => ({
        id: row.id,
        at: row.at,
        actor: row.actor_name ?? (row.actor_id === null ? t(locale, 'audit.system') : `#${row.actor_id}`),
        actorUrl: row.actor_id === null ? undefined : `/admin/users/${row.actor_id}`,
        action: actionLabel(locale, row.action),
        target: targetOf(row),
        municipality: row.municipality_name,
        details: detailsOf(locale, row.details),
      })),
      actionOptions: [
        { value: '', label: t(locale, 'audit.allActions') },
        ...actions.map((a) => ({ value: a, label: actionLabel(locale, a) })),
      ],
      action: action ?? '',
      isFirstPage: before === undefined,
      firstUrl: action ? `/admin/audit?${new URLSearchParams({ action })}` : '/admin/audit',
      olderUrl,
    })
  })
}

/** A readable German (or English) label per action key; an action nobody labelled yet shows its key. */
export function actionLabel(locale: Locale, action: string): string {
  const key = `audit.action.${action}`
  return hasMessage('de', key) ? t(locale, key) : action
}

type Row = Awaited<ReturnType<typeof listAuditEntries>>[number]

function targetOf(row: Row): { label: string; url?: string } | undefined {
  if (row.target_type === null) return undefined
  const id = row.target_id
  switch (row.target_type) {
    case 'user':
      return { label: row.target_user_name ?? `#${id}`, url: row.target_user_name ? `/admin/users/${id}` : undefined }
    case 'municipality':
      return {
        label: row.target_municipality_name ?? `#${id}`,
        url: row.target_municipality_name ? `/admin/municipalities/${id}` : undefined,
      }
    case 'invitation':
      return { label: row.target_invitation_email ?? `#${id}` }
    default:
      return { label: `${row.target_type} #${id ?? ''}` }
  }
}

// The database stores details as jsonb, which does not keep key order: "before" goes before "after".
const detailOrder = ['from', 'to', 'role', 'from_municipality_id', 'to_municipality_id']
const rank = (key: string) => (detailOrder.includes(key) ? detailOrder.indexOf(key) : detailOrder.length)

function detailsOf(locale: Locale, details: unknown): { label: string; value: string }[] {
  if (!details || typeof details !== 'object') return []
  const entries = Object.entries(details as Record<string, unknown>)
  entries.sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
  return entries.map(([key, value]) => ({
    label: hasMessage('de', `audit.detail.${key}`) ? t(locale, `audit.detail.${key}`) : key,
    value: detailValue(locale, value),
  }))
}

function detailValue(locale: Locale, value: unknown): string {
  if (value === null || value === undefined) return t(locale, 'common.none')
  if (typeof value === 'string') return (roles as readonly string[]).includes(value) ? t(locale, `role.${value}`) : value
  if (typeof value === 'boolean') return t(locale, value ? 'common.yes' : 'common.no')
  if (Array.isArray(value)) return value.length ? value.map((v) => detailValue(locale, v)).join(', ') : t(locale, 'common.none')
  if (typeof value === 'object') return JSON.stringify(value)
  return String(value)
}
