/**
 * `motorMasquerade()`: a vitest (vite) plugin that resolves `import ... from 'mongodb'`
 * in your tests to `@motor-ts/synchro/masquerade` when `MOTOR_FRAMEWORK` is set, so a
 * suite written for the driver runs through a motor-ts framework unchanged:
 *
 *   // vitest.config.ts
 *   import { motorMasquerade } from '@motor-ts/synchro/vitest'
 *   export default defineConfig({ plugins: [motorMasquerade()] })
 *   // MOTOR_FRAMEWORK=rxjs vitest run
 *
 * `motorMasquerade({ framework: 'rxjs' })` redirects regardless of the environment (the
 * masquerade module still reads `MOTOR_FRAMEWORK` in the test workers: set it with
 * vitest's `test.env`). A bad framework name is an error. Imports from motor-ts's own
 * packages keep the real driver, and so do installed libraries unless named in `libraries`
 * (or `MOTOR_MASQUERADE_LIBRARIES`). The plugin reaches only what vite transforms (the
 * tests' imports, not `require` calls or most of `node_modules`); for CommonJS code and
 * installed libraries use the Node hook (`@motor-ts/synchro/register`).
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { checkFramework } from './binding.js'
import { keepsDriver, type Libraries, librariesFromEnv } from './route.js'

/** The slice of vite's plugin shape this uses (so Synchro needs no dependency on vite). */
export interface MasqueradePlugin {
  name: string
  enforce: 'pre'
  resolveId(id: string, importer?: string): Promise<string | null>
}

export interface MasqueradeOptions {
  /** The framework to route to, whatever `MOTOR_FRAMEWORK` says in this process. */
  framework?: string
  /** Installed libraries to route too (package names, or `'*'`); default `MOTOR_MASQUERADE_LIBRARIES`. */
  libraries?: Libraries
}

/** The masquerade module beside this file (`.js` when built, `.ts` when run from source). */
const MASQUERADE = ['masquerade.js', 'masquerade.ts']
  .map((file) => fileURLToPath(new URL(`./${file}`, import.meta.url)))
  .find((path) => existsSync(path))

export function motorMasquerade(options: MasqueradeOptions = {}): MasqueradePlugin {
  if (options.framework !== undefined) checkFramework(options.framework)
  const libraries = options.libraries ?? librariesFromEnv()
  return {
    name: 'motor-ts-masquerade',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (id !== 'mongodb' || !MASQUERADE) return null
      const framework = options.framework ?? process.env.MOTOR_FRAMEWORK
      if (!framework || checkFramework(framework) === 'driver') return null
      return keepsDriver(importer, libraries) === undefined ? MASQUERADE : null
    },
  }
}
