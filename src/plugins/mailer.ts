import { randomUUID } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import Handlebars from 'handlebars'
import nodemailer from 'nodemailer'
import type { Config } from '../config.ts'
import { registerHelpers } from '../lib/handlebars-helpers.ts'
import { type Locale, t } from '../lib/i18n.ts'
import { viewsDir } from './view.ts'

export type MailMessage = {
  to: string
  subject: string
  text: string
  html: string
  headers?: Record<string, string>
  messageId?: string
}

/** The one way the app sends mail: SMTP when configured, otherwise the outbox folder admins can read. */
export interface Mailer {
  readonly kind: 'smtp' | 'outbox'
  send(message: MailMessage): Promise<void>
  close(): Promise<void>
}

/** No user text reaches a mail header with a line break in it. */
export function headerSafe(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim()
}

// One bare address: no display name, list, group ("x: a@b;"), comment or whitespace. Stripping line breaks
// is not enough for a recipient: "a@b.de\r\nBcc: c@d.de" would become the group "a@b.de Bcc": c@d.de.
const SINGLE_ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/

/** The recipient, if it is exactly one plain address; anything else is refused before it reaches SMTP. */
export function singleRecipient(to: string): string {
  const address = to.trim()
  if (!SINGLE_ADDRESS.test(address)) throw new Error('mail refused: the recipient is not a single plain address')
  return address
}

export function outboxDir(config: Config): string {
  return join(config.dataDir, 'outbox')
}

export function createMailer(config: Config): Mailer {
  if (config.smtpUrl) {
    const url = new URL(config.smtpUrl)
    if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true')
    const transport = nodemailer.createTransport(url.toString())
    return {
      kind: 'smtp',
      async send(message) {
        await transport.sendMail({
          from: config.mailFrom,
          to: singleRecipient(message.to),
          subject: headerSafe(message.subject),
          text: message.text,
          html: message.html,
          headers: message.headers,
          messageId: message.messageId,
        })
      },
      async close() {
        transport.close()
      },
    }
  }
  const dir = outboxDir(config)
  return {
    kind: 'outbox',
    async send(message) {
      const to = singleRecipient(message.to)
      await mkdir(dir, { recursive: true })
      const date = new Date()
      const id = `${date.toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`
      const record = {
        id,
        date: date.toISOString(),
        from: config.mailFrom,
        to,
        subject: headerSafe(message.subject),
        headers: message.headers ?? {},
        messageId: message.messageId ?? null,
        text: message.text,
        html: message.html,
      }
      await writeFile(join(dir, `${id}.json`), JSON.stringify(record, null, 2), { mode: 0o600 })
    },
    async close() {},
  }
}

const htmlMail = Handlebars.create()
const textMail = Handlebars.create()
registerHelpers(htmlMail)
registerHelpers(textMail)
htmlMail.registerPartial('email-layout', readFileSync(join(viewsDir, 'emails', 'layout.html.hbs'), 'utf8'))
const compiled = new Map<string, { html: Handlebars.TemplateDelegate; text: Handlebars.TemplateDelegate }>()

function template(name: string) {
  let entry = compiled.get(name)
  if (!entry) {
    const read = (ext: string) => readFileSync(join(viewsDir, 'emails', `${name}.${ext}.hbs`), 'utf8')
    entry = { html: htmlMail.compile(read('html')), text: textMail.compile(read('text'), { noEscape: true }) }
    compiled.set(name, entry)
  }
  return entry
}

/** Renders `views/emails/<name>.html.hbs` and `.text.hbs`; the subject is the message `mail.<name>.subject`. */
export function renderMail(name: string, locale: Locale, data: Record<string, unknown>) {
  const { html, text } = template(name)
  const context = { ...data, locale }
  const subject = t(locale, `mail.${name}.subject`, data)
  return { subject, html: html({ ...context, subject }), text: text(context) }
}
