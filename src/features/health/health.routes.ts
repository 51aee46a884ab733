import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import type { AppDeps } from '../../app.ts'

export default async function healthRoutes(app: FastifyInstance, { db }: AppDeps) {
  // Liveness: the process answers. Never touches the database, so a database outage does not restart the app.
  app.get('/healthz', { config: { access: 'public' } }, async (_request, reply) => reply.send({ status: 'ok' }))

  // Readiness: the database answers; a load balancer takes the instance out of rotation otherwise.
  app.get('/readyz', { config: { access: 'public' } }, async (_request, reply) => {
    try {
      await sql`select 1`.execute(db)
      return reply.send({ status: 'ok' })
    } catch {
      return reply.code(503).send({ status: 'unavailable' })
    }
  })
}
