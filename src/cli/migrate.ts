import { loadConfig } from '../config.ts'
import { connectDatabase } from '../db/connect.ts'
import { migrateToLatest } from '../db/migrate.ts'

const config = loadConfig()
const handle = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
try {
  const applied = await migrateToLatest(handle.db)
  console.log(applied.length ? `Migrationen ausgeführt: ${applied.join(', ')}` : 'Datenbank ist aktuell.')
} finally {
  await handle.close()
}
