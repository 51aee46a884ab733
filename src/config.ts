import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], {
    error: 'erwartet true oder false',
  })
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v))

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'erwartet development, production oder test' }).default('development'),
  PORT: z.coerce.number({ error: 'erwartet eine Portnummer' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  BASE_URL: z.url({ protocol: /^https?$/, error: 'erwartet eine http(s)-URL wie https://forum.example.de' }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'erwartet eine URL wie postgres://user@host:5432/db')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'erwartet eine URL wie smtp://host:587').optional(),
  MAIL_FROM: z.string().min(3).default('Kommunalforum <forum@localhost>'),
  SESSION_SECRET: z.string().min(32, 'muss mindestens 32 Zeichen lang sein').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DEMO: booleanFlag.optional(),
  TRUST_PROXY: z.string().optional(),
  IP_RETENTION_DAYS: z.coerce.number().int().min(0).max(365).default(7),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(12),
  SCHEDULER_TICK_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
})

export type Config = {
  env: 'development' | 'production' | 'test'
  isProduction: boolean
  port: number
  host: string
  baseUrl: string
  databaseUrl: string | undefined
  dataDir: string
  smtpUrl: string | undefined
  mailFrom: string
  sessionSecret: string
  logLevel: string
  demo: boolean
  /** Fastify's trustProxy: false, a hop count, or a list of proxy addresses. */
  trustProxy: boolean | number | string
  ipRetentionDays: number
  sessionIdleMs: number
  sessionMaxMs: number
  /** How often the scheduler looks for due jobs (digests, retention, trends). */
  schedulerTickMs: number
}

export class ConfigError extends Error {}

/** Parses the environment once; nothing else in the app reads process.env. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = envSchema.safeParse(cleaned)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Ungültige Konfiguration:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  const isProduction = e.NODE_ENV === 'production'
  const dataDir = resolve(e.DATA_DIR)
  if (isProduction && !e.SESSION_SECRET) {
    throw new ConfigError('Ungültige Konfiguration:\n  SESSION_SECRET: ist in production Pflicht (mindestens 32 Zeichen)')
  }
  if (isProduction && !e.BASE_URL) {
    throw new ConfigError('Ungültige Konfiguration:\n  BASE_URL: ist in production Pflicht (Links in E-Mails)')
  }
  const trustProxy = parseTrustProxy(e.TRUST_PROXY)
  if (isProduction && e.BASE_URL?.startsWith('https://') && trustProxy === false) {
    // The app speaks plain HTTP; with an https BASE_URL, TLS ends at a proxy whose X-Forwarded-Proto we must
    // trust, or the Secure session cookie is never set and nobody can sign in.
    throw new ConfigError(
      'Ungültige Konfiguration:\n  TRUST_PROXY: ist Pflicht, wenn BASE_URL mit https beginnt (z. B. TRUST_PROXY=1 für einen Reverse-Proxy)',
    )
  }
  return {
    env: e.NODE_ENV,
    isProduction,
    port: e.PORT,
    host: e.HOST,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    databaseUrl: e.DATABASE_URL,
    dataDir,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    sessionSecret: e.SESSION_SECRET ?? persistentSecret(dataDir),
    logLevel: e.LOG_LEVEL,
    demo: e.DEMO ?? !e.DATABASE_URL,
    trustProxy,
    ipRetentionDays: e.IP_RETENTION_DAYS,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    schedulerTickMs: e.SCHEDULER_TICK_SECONDS * 1000,
  }
}

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (!value || value === 'false' || value === '0') return false
  if (value === 'true') return true
  if (/^\d+$/.test(value)) return Number(value)
  return value
}

/** Outside production a secret is generated once and kept in DATA_DIR, so sessions survive restarts. */
function persistentSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret')
  if (existsSync(file)) return readFileSync(file, 'utf8').trim()
  mkdirSync(dataDir, { recursive: true })
  const secret = randomBytes(32).toString('hex')
  writeFileSync(file, secret, { mode: 0o600 })
  return secret
}
