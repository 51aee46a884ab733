import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../../app.ts'

export default async function acceptInvitationRoutes(_app: FastifyInstance, _deps: AppDeps) {}
