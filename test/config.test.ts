import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from '../src/config.ts'

let dataDir: string
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'kf-config-'))
})
afterEach(() => rmSync(dataDir, { recursive: true, force: true }))

const SECRET = 'ein-langes-geheimnis-mit-mindestens-32-zeichen'
const env = (overrides: Record<string, string | undefined> = {}) => ({ DATA_DIR: dataDir, ...overrides })

/** The message loadConfig throws, which server.ts prints as it is. */
function configError(overrides: Record<string, string | undefined>): string {
  try {
    loadConfig(env(overrides))
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('loadConfig accepted an invalid configuration')
}

describe('invalid configuration', () => {
  it.each([
    ['PORT', { PORT: 'abc' }, /PORT: erwartet eine Portnummer/],
    ['PORT', { PORT: '70000' }, /PORT:/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/forum' }, /DATABASE_URL: erwartet eine URL wie postgres:\/\//],
    ['SESSION_SECRET', { SESSION_SECRET: 'kurz' }, /SESSION_SECRET: muss mindestens 32 Zeichen lang sein/],
    ['BASE_URL', { BASE_URL: 'ftp://forum.example.de' }, /BASE_URL: erwartet eine http\(s\)-URL/],
    ['SMTP_URL', { SMTP_URL: 'mail.example.de' }, /SMTP_URL: erwartet eine URL wie smtp:\/\//],
    ['DEMO', { DEMO: 'vielleicht' }, /DEMO: erwartet true oder false/],
    ['NODE_ENV', { NODE_ENV: 'staging' }, /NODE_ENV: erwartet development, production oder test/],
  ])('names %s and says in German what is expected', (_name, overrides, expected) => {
    const message = configError(overrides)
    expect(message).toMatch(/^Ungültige Konfiguration:/)
    expect(message).toMatch(expected)
  })

  it('lists every invalid variable at once', () => {
    const message = configError({ PORT: 'abc', DATABASE_URL: 'mysql://x' })
    expect(message).toMatch(/PORT:/)
    expect(message).toMatch(/DATABASE_URL:/)
  })

  it('requires SESSION_SECRET in production', () => {
    expect(configError({ NODE_ENV: 'production', BASE_URL: 'https://forum.example.de' })).toMatch(/SESSION_SECRET: ist in production Pflicht/)
  })

  it('requires BASE_URL in production', () => {
    expect(configError({ NODE_ENV: 'production', SESSION_SECRET: SECRET, TRUST_PROXY: '1' })).toMatch(/BASE_URL: ist in production Pflicht/)
  })

  it('requires TRUST_PROXY in production behind https, where TLS ends at a proxy', () => {
    expect(configError({ NODE_ENV: 'production', SESSION_SECRET: SECRET, BASE_URL: 'https://forum.example.de' })).toMatch(/TRUST_PROXY: ist Pflicht/)
  })

  it('accepts a complete production configuration', () => {
    const config = loadConfig(
      env({ NODE_ENV: 'production', SESSION_SECRET: SECRET, BASE_URL: 'https://forum.example.de/', TRUST_PROXY: '1', DATABASE_URL: 'postgres://forum@db:5432/forum' }),
    )
    expect(config.isProduction).toBe(true)
    expect(config.trustProxy).toBe(1)
    expect(config.baseUrl).toBe('https://forum.example.de')
    expect(config.sessionSecret).toBe(SECRET)
  })
})

describe('defaults', () => {
  it('start a demo on the embedded database without any configuration', () => {
    const config = loadConfig(env())
    expect(config.demo).toBe(true)
    expect(config.databaseUrl).toBeUndefined()
    expect(config.port).toBe(3000)
    expect(config.host).toBe('127.0.0.1')
    expect(config.baseUrl).toBe('http://localhost:3000')
    expect(config.sessionIdleMs).toBe(30 * 60_000)
    expect(config.sessionMaxMs).toBe(12 * 3_600_000)
    expect(config.ipRetentionDays).toBe(7)
    expect(config.trustProxy).toBe(false)
  })

  it('switch the demo off with a real database, unless DEMO says otherwise', () => {
    expect(loadConfig(env({ DATABASE_URL: 'postgres://forum@localhost/forum' })).demo).toBe(false)
    expect(loadConfig(env({ DATABASE_URL: 'postgres://forum@localhost/forum', DEMO: 'true' })).demo).toBe(true)
    expect(loadConfig(env({ DEMO: 'false' })).demo).toBe(false)
  })

  it('treat empty variables as unset', () => {
    const config = loadConfig(env({ PORT: '', DATABASE_URL: '', SESSION_SECRET: '' }))
    expect(config.port).toBe(3000)
    expect(config.demo).toBe(true)
  })

  it('build the base URL from the port when BASE_URL is not set', () => {
    expect(loadConfig(env({ PORT: '8080' })).baseUrl).toBe('http://localhost:8080')
  })

  it('read TRUST_PROXY as a flag, a hop count or a list of addresses', () => {
    expect(loadConfig(env({ TRUST_PROXY: 'true' })).trustProxy).toBe(true)
    expect(loadConfig(env({ TRUST_PROXY: '1' })).trustProxy).toBe(1)
    expect(loadConfig(env({ TRUST_PROXY: '10.0.0.1,10.0.0.2' })).trustProxy).toBe('10.0.0.1,10.0.0.2')
  })
})

describe('the session secret outside production', () => {
  it('is generated once into DATA_DIR and reused on the next start', () => {
    const first = loadConfig(env()).sessionSecret
    expect(first.length).toBeGreaterThanOrEqual(32)
    const file = join(dataDir, 'session-secret')
    expect(readFileSync(file, 'utf8').trim()).toBe(first)
    // Only the owner may read it.
    expect(statSync(file).mode & 0o077).toBe(0)
    expect(loadConfig(env()).sessionSecret).toBe(first)
  })

  it('differs between installations', () => {
    const other = mkdtempSync(join(tmpdir(), 'kf-config-'))
    try {
      expect(loadConfig(env()).sessionSecret).not.toBe(loadConfig({ DATA_DIR: other }).sessionSecret)
    } finally {
      rmSync(other, { recursive: true, force: true })
    }
  })

  it('is not generated when SESSION_SECRET is set', () => {
    expect(loadConfig(env({ SESSION_SECRET: SECRET })).sessionSecret).toBe(SECRET)
    expect(() => statSync(join(dataDir, 'session-secret'))).toThrow()
  })
})

describe('the node options of the app process', () => {
  // npm start, the container and the benchmarks run the app alike: what bench/ measures is what runs.
  it('are the same for npm start, the Dockerfile and the benchmarks', async () => {
    const { PRODUCTION_NODE_FLAGS } = await import('../bench/lib.ts')
    const start = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string
    const serverCommand = start.split('&&').map((c) => c.trim().split(/\s+/)).find((c) => c.at(-1) === 'dist/src/server.js')!
    const dockerCmd = JSON.parse(readFileSync('Dockerfile', 'utf8').match(/^CMD (\[.*\])$/m)![1]!) as string[]
    expect(PRODUCTION_NODE_FLAGS).toContain('--max-old-space-size=256')
    expect(serverCommand.filter((a) => a.startsWith('--'))).toEqual(PRODUCTION_NODE_FLAGS)
    expect(dockerCmd.at(-1)).toBe('dist/src/server.js')
    expect(dockerCmd.filter((a) => a.startsWith('--'))).toEqual(PRODUCTION_NODE_FLAGS)
  })

  it('run with the same environment for malloc in npm start, the Dockerfile and the benchmarks', async () => {
    const { PRODUCTION_ENV } = await import('../bench/lib.ts')
    const start = JSON.parse(readFileSync('package.json', 'utf8')).scripts.start as string
    const serverCommand = start.split('&&').map((c) => c.trim().split(/\s+/)).find((c) => c.at(-1) === 'dist/src/server.js')!
    const assignments = (words: string[]) => Object.fromEntries(words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split('=') as [string, string]))
    const dockerEnv = [...readFileSync('Dockerfile', 'utf8').matchAll(/^ENV (\S+)$/gm)].map((m) => m[1]!)
    expect(PRODUCTION_ENV).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' })
    expect(assignments(serverCommand)).toEqual(PRODUCTION_ENV)
    expect(assignments(dockerEnv)).toMatchObject(PRODUCTION_ENV)
  })
})
