import type { AppDeps } from '../../../src/app.ts'
import { runDigestRound } from '../../../src/features/mail/digest.service.ts'
import type { TestApp } from '../../helpers/app.ts'
import type { CapturedMail } from '../../helpers/smtp.ts'

/** One digest round at the test clock's time, through the app's real mailer and SMTP. */
export function digestRound(t: TestApp, deps: Partial<AppDeps> = {}) {
  return runDigestRound({ db: t.db, config: t.config, mailer: t.app.deps.mailer, ...deps }, t.clock.now())
}

/** The raw header lines, as mailparser keeps them (it folds List-* headers into one object). */
export function headerLine(mail: CapturedMail, name: string): string | undefined {
  return mail.headerLines.find((h) => h.key === name.toLowerCase())?.line.replace(/\r?\n(?=[ \t])/g, '').replace(/:[ \t]+/, ': ')
}

/** Every URL in a mail's text part. */
export function urlsIn(mail: CapturedMail): string[] {
  return (mail.text ?? '').match(/https?:\/\/\S+/g) ?? []
}

export function digestsTo(t: TestApp, email: string) {
  return t.smtp.to(email).filter((m) => headerLine(m, 'List-Id')?.includes('digest.'))
}
