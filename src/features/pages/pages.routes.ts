import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'

export default async function pagesRoutes(_app: FastifyInstance, _deps: AppDeps) {}
