import type { AddressInfo } from 'node:net'
import { type ParsedMail, simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export type CapturedMail = ParsedMail & { envelopeTo: string[]; raw: string }

/** A real SMTP server on loopback that keeps every mail it receives, parsed. */
export async function startSmtpCapture() {
  const mails: CapturedMail[] = []
  const waiters: (() => void)[] = []
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8')
        simpleParser(raw).then(
          (parsed) => {
            mails.push(Object.assign(parsed, { envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw }))
            waiters.splice(0).forEach((w) => w())
            callback()
          },
          (err: Error) => callback(err),
        )
      })
    },
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.server.address() as AddressInfo).port
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    /** Mails sent to this address, oldest first. */
    to(address: string) {
      return mails.filter((m) => m.envelopeTo.includes(address.toLowerCase()))
    },
    async waitFor(predicate: (m: CapturedMail) => boolean, timeoutMs = 10_000): Promise<CapturedMail> {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const found = mails.find(predicate)
        if (found) return found
        if (Date.now() > deadline) throw new Error('no matching mail arrived')
        await new Promise<void>((resolve) => {
          waiters.push(resolve)
          setTimeout(resolve, 200)
        })
      }
    },
    clear() {
      mails.length = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** The first link in a mail's text part that starts with the given prefix. */
export function linkIn(mail: CapturedMail, prefix: string): string {
  const match = (mail.text ?? '').match(new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\S+`))
  if (!match) throw new Error(`no link starting with ${prefix} in mail "${mail.subject}"`)
  return match[0]
}
