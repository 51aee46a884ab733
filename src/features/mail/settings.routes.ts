import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { AppDeps } from '../../app.ts'
import { type FieldErrors, parseForm } from '../../lib/forms.ts'
import { t } from '../../lib/i18n.ts'
import { seesTrends } from '../trends/trends.access.ts'
import { findMailSettings, saveMailSettings, setUserLocale } from './mail.queries.ts'
import { mailSettingsSchema } from './mail.schemas.ts'
import { digestFrequencies } from './mail.table.ts'

const signedIn = { access: 'signed-in' } as const
const NOTIFY_FIELDS = ['notify_reply', 'notify_mention', 'notify_solution', 'notify_adopted'] as const

/** The signed-in person's own mail settings (no audit entry: people change only their own). */
export default async function mailSettingsRoutes(app: FastifyInstance, { db, clock }: AppDeps) {
  app.get('/account/mail', { config: signedIn }, async (request, reply) => {
    const settings = await findMailSettings(db, request.user!.id)
    return showSettings(request, reply, {
      ...Object.fromEntries(NOTIFY_FIELDS.map((f) => [f, settings[f] ? 'on' : ''])),
      digest: settings.digest,
      digest_hour: String(settings.digest_hour),
      watchlist_alerts: settings.watchlist_alerts ? 'on' : '',
      locale: request.user!.locale,
    })
  })

  app.post('/account/mail', { config: signedIn }, async (request, reply) => {
    const form = parseForm(mailSettingsSchema, request.body)
    if (!form.ok) return showSettings(request, reply, form.values, form.errors, 422)
    const { locale, watchlist_alerts, ...settings } = form.data
    // Only who gets watchlist alerts has the box: for anyone else its absence is not an "off".
    await saveMailSettings(db, request.user!.id, seesTrends(request.user!) ? { ...settings, watchlist_alerts } : settings, clock.now())
    await setUserLocale(db, request.user!.id, locale)
    request.session.lang = locale
    reply.flash('mailSettings.saved')
    return reply.redirect('/account/mail', 303)
  })
}

function showSettings(request: FastifyRequest, reply: FastifyReply, values: Record<string, string>, errors?: FieldErrors, status = 200) {
  const locale = request.locale
  return reply.page(
    'mail/settings.hbs',
    {
      title: t(locale, 'mailSettings.title'),
      currentPath: '/account/mail',
      values,
      errors,
      notifications: NOTIFY_FIELDS.map((name) => ({ name, label: t(locale, `mailSettings.${name}`), checked: values[name] === 'on' })),
      watchlist: seesTrends(request.user!) && { checked: values.watchlist_alerts === 'on' },
      frequencies: digestFrequencies.map((value) => ({ value, label: t(locale, `mailSettings.digest.${value}`) })),
      hours: Array.from({ length: 24 }, (_, h) => ({ value: String(h), label: `${String(h).padStart(2, '0')}:00` })),
      languages: [
        { value: 'de', label: 'Deutsch' },
        { value: 'en', label: 'English' },
      ],
    },
    status,
  )
}
