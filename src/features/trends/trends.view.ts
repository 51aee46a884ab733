import type { FastifyReply } from 'fastify'
import type { Locale } from '../../lib/i18n.ts'
import { t } from '../../lib/i18n.ts'

/** Points of an inline SVG sparkline (width × height), from a series of counts. */
export function sparkPoints(series: number[], width = 84, height = 20): string {
  const max = Math.max(1, ...series)
  const step = series.length > 1 ? width / (series.length - 1) : 0
  return series.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ')
}

export function seriesText(locale: Locale, series: number[]): string {
  return t(locale, 'trends.seriesText', { days: series.length, values: series.join(', ') })
}

/** One CSV field: quoted when needed; a leading =, +, - or @ is defused so spreadsheets do not run it. */
function field(value: unknown): string {
  let s = value === null || value === undefined ? '' : value instanceof Date ? value.toISOString() : String(value)
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return '\uFEFF' + [header, ...rows].map((r) => r.map(field).join(';')).join('\r\n') + '\r\n'
}

/** Sends a CSV table as a download. */
export function sendCsv(reply: FastifyReply, name: string, body: string) {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(body)
}

/** The area of the weekly line charts (views/partials/line-chart.hbs); the values are always in a table too. */
export const CHART = { width: 640, height: 160, pad: 4 } as const

/** Points of a line over the chart area for a series (oldest first), scaled to `max`. */
export function chartLine(series: number[], max = Math.max(1, ...series)): string {
  const step = (CHART.width - 2 * CHART.pad) / Math.max(1, series.length - 1)
  return series
    .map((v, i) => `${(CHART.pad + i * step).toFixed(1)},${(CHART.height - CHART.pad - (v / Math.max(1, max)) * (CHART.height - 2 * CHART.pad)).toFixed(1)}`)
    .join(' ')
}
