import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    // PGlite under load is slow to start; argon2 at OWASP parameters costs ~35 ms a hash.
    hookTimeout: 120_000,
    testTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
})
