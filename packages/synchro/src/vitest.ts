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
 * vitest's `test.env`). Imports from motor-ts's own packages and from node_modules keep
 * the real driver.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The slice of vite's plugin shape this uses (so Synchro needs no dependency on vite). */
export interface MasqueradePlugin {
  name: string
  enforce: 'pre'
  resolveId(id: string, importer?: string): Promise<string | null>
}

/** The masquerade module beside this file (`.js` when built, `.ts` when run from source). */
const MASQUERADE = ['masquerade.js', 'masquerade.ts']
  .map((file) => fileURLToPath(new URL(`./${file}`, import.meta.url)))
  .find((path) => existsSync(path))

const INTERNAL = /[\\/]node_modules[\\/]|[\\/]packages[\\/](core|synchro|framework-[\w-]+)[\\/](src|dist)[\\/]/

export function motorMasquerade(options: { framework?: string } = {}): MasqueradePlugin {
  return {
    name: 'motor-ts-masquerade',
    enforce: 'pre',
    async resolveId(id, importer) {
      if (id !== 'mongodb' || !(options.framework ?? process.env.MOTOR_FRAMEWORK) || !MASQUERADE) return null
      if (importer && INTERNAL.test(importer)) return null
      return MASQUERADE
    },
  }
}
