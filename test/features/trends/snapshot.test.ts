import type { KyselyPlugin } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import { trendIndexJob } from '../../../src/features/trends/trends.job.ts'
import { trendingSnapshot } from '../../../src/features/trends/trends.snapshot.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'
import { dayAt, history } from './history.ts'

// The job stores the trends as of its run; the dashboard's first view reads them instead of computing.

let t: TestApp
let staff: ReturnType<TestApp['agent']>

beforeAll(async () => {
  // DEMO: staff need no second factor here.
  t = await createTestApp({ DEMO: 'true' })
  const lines = history([
    { day: 196, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], title: 'Stromsperre droht', body: 'Mehrere Familien haben eine Stromsperre angekündigt.' },
  ])
  await importInterchange(t.db, lines, t.clock.now(), () => {})
  t.clock.set(dayAt(197, 12))
  const user = await buildUser(t.db, { role: 'staff', name: 'Staff Snapshot' })
  staff = t.agent()
  await login(staff, user.email, user.password)
})
afterAll(() => t.close())

describe('the stored trends', () => {
  it('the dashboard shows what the job stored while it is recent, and computes once it is old', async () => {
    await trendIndexJob.run({ db: t.db }, t.clock.now())
    // Without the stored state the dashboard would now find nothing: the index is gone.
    await t.db.deleteFrom('trend_stem_days').execute()
    await t.db.deleteFrom('trend_municipality_forms').execute()
    t.clock.advance(2 * 60_000)
    expect((await staff.get('/dashboard')).text).toMatch(/Stromsperre/)
    t.clock.advance(10 * 60_000)
    expect((await staff.get('/dashboard')).text).not.toMatch(/Stromsperre/)
  })

  it('requests that arrive together share one computation', async () => {
    // A database handle that counts the statements it runs (each handle has its own cache).
    let statements = 0
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements++
        return args.node
      },
      transformResult: async (args) => args.result,
    }
    const at = t.clock.now()
    await trendingSnapshot(t.db.withPlugin(counting), at, at)
    const alone = statements
    expect(alone).toBeGreaterThan(0)
    statements = 0
    const together = t.db.withPlugin(counting)
    const results = await Promise.all(Array.from({ length: 5 }, () => trendingSnapshot(together, at, at)))
    expect(statements).toBe(alone)
    expect(new Set(results).size).toBe(1)
  })
})
