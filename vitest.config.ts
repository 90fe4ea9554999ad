/**
 * Root test config: one vitest run for every package, against one provisioned server.
 * The global setup (tools/src/vitest-global-setup.ts) starts the server chosen by
 * MOTOR_TEST_SERVER / MONGODB_URI and publishes its URI and capabilities to the tests.
 */
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'
import { motorMasquerade } from './packages/synchro/src/vitest.ts'

const packages = ['core', 'framework-promise', 'framework-rxjs', 'framework-effect', 'framework-callback', 'synchro', 'conformance']

const project = (name: string, root: string) => ({
  extends: true as const,
  test: {
    name,
    root,
    include: ['test/**/*.test.ts'],
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.json' },
  },
})

export default defineConfig({
  test: {
    // Absolute: projects inherit this and would resolve a relative path against their own root.
    globalSetup: [fileURLToPath(new URL('./tools/src/vitest-global-setup.ts', import.meta.url))],
    setupFiles: [fileURLToPath(new URL('./tools/src/vitest-no-unhandled.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A package whose tests have not been written yet must not fail the run.
    passWithNoTests: true,
    projects: [
      ...packages.map((dir) => project(dir, `./packages/${dir}`)),
      project('tools', './tools'),
      ...['rxjs-http', 'effect-app', 'swap'].map((dir) => project(`example-${dir}`, `./examples/${dir}`)),
      // A suite written for the plain driver (`import ... from 'mongodb'`), run through each
      // framework by Synchro's masquerade: the documented way to reuse driver test suites.
      ...['promise', 'rxjs', 'effect', 'callback'].map((framework) => ({
        extends: true as const,
        plugins: [motorMasquerade({ framework })],
        test: {
          name: `masquerade-${framework}`,
          root: './packages/synchro',
          include: ['test-masquerade/**/*.test.ts'],
          env: { MOTOR_FRAMEWORK: framework },
        },
      })),
    ],
  },
})
