import type { FastifyInstance } from 'fastify'
import type { AppDeps } from '../app.ts'
import authRoutes from './auth/auth.routes.ts'
import forumsRoutes from './forums/forums.routes.ts'
import healthRoutes from './health/health.routes.ts'

/** Every feature's routes, registered in this order. */
export const features: ((app: FastifyInstance, deps: AppDeps) => Promise<void>)[] = [
  healthRoutes,
  authRoutes,
  forumsRoutes,
]
