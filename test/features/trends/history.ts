import { importInterchange } from '../../../src/features/interchange/interchange.import.ts'
import type { Role } from '../../../src/features/users/users.table.ts'
import { buildUser } from '../../factories.ts'
import { createTestApp, login, type TestApp } from '../../helpers/app.ts'

// A small forum history in the interchange format for the trend tests: 30 municipalities in 6
// districts talking steadily for 200 days, plus what a test plants.

const DAY = 86_400_000
export const HISTORY_START = Date.UTC(2025, 0, 1)
export const dayAt = (day: number, hour = 10) => new Date(HISTORY_START + day * DAY + hour * 3_600_000)

const TOPICS = [
  ['Unterbringung', 'Wohncontainer', 'Belegung'],
  ['Kita', 'Betreuungsplatz', 'Krippe'],
  ['Dolmetscher', 'Sprachmittler', 'Übersetzung'],
  ['Sprachkurs', 'Volkshochschule', 'Kursplätze'],
  ['Ehrenamt', 'Patenschaft', 'Koordination'],
  ['Schule', 'Sprachlernklasse', 'Schulweg'],
  ['Jobcenter', 'Praktikum', 'Ausbildung'],
  ['Turnhalle', 'Sportverein', 'Trainingszeiten'],
]

export type Planted = { day: number; municipalities: number[]; title: string; body: string; hour?: number }

export function history(planted: Planted[] = [], days = 200): string[] {
  let seed = 11
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296)
  const lines: object[] = []
  for (let m = 1; m <= 30; m++) {
    lines.push({ type: 'municipality', id: `m${m}`, name: `Testort ${m}`, kind: 'Gemeinde', district: `Landkreis ${((m - 1) % 6) + 1}` })
    lines.push({ type: 'user', id: `u${m}`, municipality: `m${m}`, name: `Person ${m}`, email: `person${m}@testort.example` })
  }
  const records: { at: Date; line: object }[] = []
  let t = 0
  let p = 0
  for (let day = 0; day < days; day++) {
    for (let i = 0; i < 5; i++) {
      const topic = TOPICS[Math.floor(random() * TOPICS.length)]!
      const m = 1 + Math.floor(random() * 30)
      const at = dayAt(day, 8 + Math.floor(random() * 9))
      const id = `t${++t}`
      records.push({
        at,
        line: { type: 'thread', id, forum: 'integration', author: `u${m}`, title: `${topic[0]}: Erfahrungen?`, body: `Liebe Kolleginnen und Kollegen, wie läuft es bei Ihnen mit ${topic[1]} und ${topic[2]}? Viele Grüße`, created_at: at.toISOString() },
      })
      const reply = 1 + Math.floor(random() * 30)
      records.push({ at: new Date(at.getTime() + 3_600_000), line: { type: 'post', id: `p${++p}`, thread: id, author: `u${reply}`, body: `Bei uns klappt ${topic[0]} gut.`, created_at: new Date(at.getTime() + 3_600_000).toISOString() } })
    }
  }
  for (const plant of planted) {
    for (const m of plant.municipalities) {
      const at = dayAt(plant.day, plant.hour ?? 9)
      records.push({ at, line: { type: 'thread', id: `t${++t}`, forum: 'aufnahme-unterbringung-versorgung', author: `u${m}`, title: plant.title, body: plant.body, created_at: at.toISOString() } })
    }
  }
  records.sort((a, b) => a.at.getTime() - b.at.getTime())
  return [...lines, ...records.map((r) => r.line)].map((l) => JSON.stringify(l))
}

type Agent = ReturnType<TestApp['agent']>
export type SignedIn = { t: TestApp; agents: Record<Role | 'anonymous', Agent>; users: Record<Role, Awaited<ReturnType<typeof buildUser>>> }

/**
 * A test app on day 197 of a quiet history with one planted trend ("Stromsperre" from ten municipalities
 * the day before), and an agent signed in for every role (plus one anonymous).
 */
export async function dashboardWithPlantedTrend(name: string): Promise<SignedIn> {
  const t = await createTestApp({ DEMO: 'true' })
  const lines = history([
    { day: 196, municipalities: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], title: 'Stromsperre droht', body: 'Mehrere Familien haben eine Stromsperre angekündigt; Stromschulden beim Versorger.' },
  ])
  await importInterchange(t.db, lines, t.clock.now(), () => {})
  t.clock.set(dayAt(197, 12))
  const agents = { anonymous: t.agent() } as SignedIn['agents']
  const users = {} as SignedIn['users']
  for (const role of ['member', 'municipality_admin', 'staff', 'admin'] as const) {
    users[role] = await buildUser(t.db, { role, name: `${role} ${name}` })
    agents[role] = t.agent()
    await login(agents[role], users[role].email, users[role].password)
  }
  return { t, agents, users }
}
