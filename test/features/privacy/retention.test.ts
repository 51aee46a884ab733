import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDueJobs } from '../../../src/features/jobs/jobs.service.ts'
import { RETENTION_JOB } from '../../../src/features/privacy/retention.service.ts'
import { jobs } from '../../../src/jobs.ts'
import { DAY, HOUR } from '../../../src/lib/clock.ts'
import { newToken } from '../../../src/lib/tokens.ts'
import { buildUser, PASSWORD } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'

describe('the retention job', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ DEMO: 'true', IP_RETENTION_DAYS: '7' })
  })
  afterAll(() => t?.close())

  it('removes addresses after IP_RETENTION_DAYS and purges dead invitations, reset links and exports', async () => {
    const { db, clock } = t
    const now = clock.now()
    const ago = (ms: number) => new Date(now.getTime() - ms)
    const later = (ms: number) => new Date(now.getTime() + ms)
    const member = await buildUser(db)
    const session = (sid: string, createdAt: Date) => ({
      sid,
      user_id: member.id,
      data: JSON.stringify({ userId: member.id, ip: '203.0.113.9', userAgent: 'Firefox' }),
      created_at: createdAt,
      updated_at: createdAt,
      expires_at: later(30 * DAY),
      ip: '203.0.113.9',
      user_agent: 'Firefox',
    })
    await db.insertInto('sessions').values([session('old', ago(8 * DAY)), session('recent', ago(DAY))]).execute()
    await db
      .insertInto('login_throttle')
      .values([
        { key: 'ip:203.0.113.9', failures: 3, last_failure_at: ago(8 * DAY) },
        { key: 'ip:198.51.100.1', failures: 3, last_failure_at: ago(HOUR) },
        { key: 'account:alt@example.de', failures: 3, last_failure_at: ago(2 * DAY) },
      ])
      .execute()
    const invitation = (email: string, expiresAt: Date, extra: object = {}) => ({
      token_hash: newToken().hash,
      email,
      role: 'member' as const,
      municipality_id: member.municipality_id,
      expires_at: expiresAt,
      ...extra,
    })
    await db
      .insertInto('invitations')
      .values([
        invitation('lange-abgelaufen@example.de', ago(31 * DAY)),
        invitation('kuerzlich-abgelaufen@example.de', ago(5 * DAY)),
        invitation('offen@example.de', later(5 * DAY)),
        invitation('zurueckgezogen@example.de', later(5 * DAY), { revoked_at: ago(40 * DAY) }),
        invitation('angenommen@example.de', ago(100 * DAY), { used_at: ago(110 * DAY), user_id: member.id }),
      ])
      .execute()
    await db
      .insertInto('password_resets')
      .values([
        { user_id: member.id, token_hash: 'expired', expires_at: ago(HOUR) },
        { user_id: member.id, token_hash: 'used', expires_at: later(HOUR), used_at: ago(HOUR) },
        { user_id: member.id, token_hash: 'valid', expires_at: later(HOUR) },
      ])
      .execute()
    await db
      .insertInto('data_exports')
      .values([
        { id: 'a'.repeat(24), user_id: member.id, requested_by: member.id, status: 'ready', content: '{}', expires_at: ago(1000) },
        { id: 'b'.repeat(24), user_id: member.id, requested_by: member.id, status: 'ready', content: '{}', expires_at: later(DAY) },
      ])
      .execute()

    const outcomes = await runDueJobs(t.app.deps, jobs)
    expect(outcomes).toContainEqual({ name: RETENTION_JOB, error: null })

    const sessions = await db.selectFrom('sessions').select(['sid', 'ip', 'data', 'user_agent']).where('sid', 'in', ['old', 'recent']).orderBy('sid').execute()
    expect(sessions).toEqual([
      { sid: 'old', ip: null, data: { userId: member.id, userAgent: 'Firefox' }, user_agent: 'Firefox' },
      { sid: 'recent', ip: '203.0.113.9', data: { userId: member.id, ip: '203.0.113.9', userAgent: 'Firefox' }, user_agent: 'Firefox' },
    ])
    expect((await db.selectFrom('login_throttle').select('key').execute()).map((r) => r.key)).toEqual(['ip:198.51.100.1'])
    expect((await db.selectFrom('invitations').select('email').orderBy('email').execute()).map((r) => r.email)).toEqual([
      'angenommen@example.de',
      'kuerzlich-abgelaufen@example.de',
      'offen@example.de',
    ])
    expect((await db.selectFrom('password_resets').select('token_hash').execute()).map((r) => r.token_hash)).toEqual(['valid'])
    expect((await db.selectFrom('data_exports').select('id').execute()).map((r) => r.id)).toEqual(['b'.repeat(24)])

    // The recent session's address goes once it, too, is older than the retention period.
    clock.advance(7 * DAY)
    await runDueJobs(t.app.deps, jobs)
    const recent = await db.selectFrom('sessions').select(['ip', 'data']).where('sid', '=', 'recent').executeTakeFirstOrThrow()
    expect(recent.ip).toBeNull()
    expect(recent.data).not.toHaveProperty('ip')
  })

  it('shows on the admin page when it last ran', async () => {
    const admin = await buildUser(t.db, { role: 'admin' })
    const agent = t.agent()
    await login(agent, admin.email, PASSWORD)
    const page = await agent.get('/admin')
    expect(page.status).toBe(200)
    expect(page.text).toContain('Löschlauf zuletzt beendet')
    expect(page.text).toContain('IP-Adressen werden nach 7 Tagen gelöscht.')
  })
})
