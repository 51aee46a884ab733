import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runDueJobs } from '../../../src/features/jobs/jobs.service.ts'
import { watchlistJob } from '../../../src/features/trends/trends.job.ts'
import { submitForm, type TestApp } from '../../helpers/app.ts'
import { dashboardWithPlantedTrend, type SignedIn } from './history.ts'

// A term added while it already trends is checked with the scheduler's next tick, not only when the
// watchlist round is due again (up to ten minutes later).

let t: TestApp
let agents: SignedIn['agents']
let users: SignedIn['users']

beforeAll(async () => {
  ;({ t, agents, users } = await dashboardWithPlantedTrend('Sofort'))
})
afterAll(() => t?.close())

const tick = () => runDueJobs(t.app.deps, [watchlistJob])
const alertsTo = (email: string) => t.smtp.to(email).filter((m) => /Kommunalforum.?Trend/i.test(m.subject ?? ''))

describe('adding a watch term', () => {
  it('makes the watchlist round due at once: a term that trends already is alerted with the next tick, once', async () => {
    expect(await tick()).toEqual([{ name: watchlistJob.name, error: null }])
    // Just ran: the next tick leaves it alone.
    expect(await tick()).toEqual([])

    const res = await submitForm(agents.staff, '/dashboard/watchlist', '/dashboard/watchlist', { term: 'Stromsperren' })
    expect(res.status).toBe(303)
    const page = await agents.staff.get('/dashboard/watchlist')
    expect(page.text).toContain('„Stromsperren“ wird jetzt beobachtet. Geprüft wird gleich und danach alle 10 Minuten')

    expect(await tick()).toEqual([{ name: watchlistJob.name, error: null }])
    for (const user of [users.staff, users.admin]) expect(alertsTo(user.email), user.email).toHaveLength(1)
    expect(alertsTo(users.member.email)).toHaveLength(0)
    expect(await tick()).toEqual([])
    expect(alertsTo(users.staff.email)).toHaveLength(1)
  })

  it('a refused term does not make the round due', async () => {
    const res = await submitForm(agents.staff, '/dashboard/watchlist', '/dashboard/watchlist', { term: '' })
    expect(res.status).toBe(422)
    expect(await tick()).toEqual([])
  })
})
