import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { buildUser } from '../factories.ts'
import { createTestApp, login, submitForm, type TestApp } from '../helpers/app.ts'

/**
 * The global request limit (600 a minute per address, counted in Postgres for every instance): it counts
 * what anyone can reach without an account and every request that changes something; a signed-in
 * member reading pages (GET with a live session) is not counted, so page views write nothing.
 */

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(async () => {
  await t.close()
})
beforeEach(async () => {
  await t.db.deleteFrom('rate_limits').execute()
})

const counters = () => t.db.selectFrom('rate_limits').select(['key', 'hits']).execute()
/** Every counter of this address at the limit: the next counted request is refused. */
const exhaust = () => t.db.updateTable('rate_limits').set({ hits: 600 }).execute()

describe('global request limit', () => {
  it('counts anonymous page views and refuses them past the limit', async () => {
    const agent = t.agent()
    expect((await agent.get('/login')).status).toBe(200)
    expect(await counters()).toHaveLength(1)
    await exhaust()
    const refused = await agent.get('/login')
    expect(refused.status).toBe(429)
    expect(refused.headers['retry-after']).toBeDefined()
  })

  it('does not count the pages a signed-in member reads, even from an address at its limit', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    await t.db.deleteFrom('rate_limits').execute()
    for (const path of ['/', '/search?q=Kita', '/account']) expect((await agent.get(path)).status).toBe(200)
    expect(await counters()).toEqual([])
    // An anonymous visitor from the same address is counted as before.
    await t.agent().get('/login')
    await exhaust()
    expect((await agent.get('/')).status).toBe(200)
    expect((await t.agent().get('/login')).status).toBe(429)
  })

  it('counts and refuses what a signed-in member changes', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    await t.db.deleteFrom('rate_limits').execute()
    expect((await submitForm(agent, '/', '/language', { lang: 'en', next: '/' })).status).toBe(303)
    expect((await counters()).length).toBeGreaterThan(0)
    await exhaust()
    expect((await submitForm(agent, '/', '/language', { lang: 'de', next: '/' })).status).toBe(429)
  })

  it('counts the requests of a session past its idle timeout like anonymous ones', async () => {
    const user = await buildUser(t.db)
    const agent = t.agent()
    await login(agent, user.email, user.password)
    await t.db.deleteFrom('rate_limits').execute()
    t.clock.advance(t.config.sessionIdleMs + 60_000)
    await agent.get('/')
    expect((await counters()).length).toBeGreaterThan(0)
  })
})
