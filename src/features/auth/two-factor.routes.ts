import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'

export default async function twoFactorRoutes(_app: FastifyInstance, _deps: AppDeps) {}
