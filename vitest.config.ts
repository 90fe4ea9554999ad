/**
 * Root test config: one vitest run for every package, against one provisioned server.
 * The global setup (tools/src/vitest-global-setup.ts) starts the server chosen by
 * MOTOR_TEST_SERVER / MONGODB_URI and publishes its URI and capabilities to the tests.
 */
import { defineConfig } from 'vitest/config'

const packages = ['core', 'framework-promise', 'framework-rxjs', 'framework-effect', 'synchro']

export default defineConfig({
  test: {
    globalSetup: ['./tools/src/vitest-global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: packages.map((dir) => ({
      extends: true,
      test: {
        name: dir,
        root: `./packages/${dir}`,
        include: ['test/**/*.test.ts'],
        typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
      },
    })),
  },
})
