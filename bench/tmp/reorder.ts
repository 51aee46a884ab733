import { sql } from 'kysely'
import { connectDatabase } from '../../src/db/connect.ts'
const handle = await connectDatabase({ dataDir: process.argv[2] })
const t = performance.now()
console.log((await sql`select count(*) from trend_dirty`.execute(handle.db)).rows, (await sql`select count(*) from trend_municipality_days`.execute(handle.db)).rows)
await handle.db.transaction().execute(async (trx) => {
  await sql`CREATE TEMP TABLE d AS SELECT municipality_id, day FROM trend_dirty GROUP BY 2,1 ORDER BY 2,1`.execute(trx)
  await sql`DELETE FROM trend_dirty`.execute(trx)
  await sql`INSERT INTO trend_dirty (municipality_id, day) SELECT municipality_id, day FROM d ORDER BY day, municipality_id`.execute(trx)
})
console.log('reordered', Math.round(performance.now() - t), 'ms', (await sql`select count(*) from trend_dirty`.execute(handle.db)).rows)
await handle.close()
