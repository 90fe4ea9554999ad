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
 * Imports from motor-ts's own packages and from node_modules keep the real driver.
 */

/** The slice of vite's plugin shape this uses (so Synchro needs no dependency on vite). */
export interface MasqueradePlugin {
  name: string
  enforce: 'pre'
  config(): void
  resolveId(
    this: { resolve(id: string, importer?: string, options?: { skipSelf?: boolean }): Promise<unknown> },
    id: string,
    importer?: string,
  ): Promise<unknown>
}

const INTERNAL = /[\\/]node_modules[\\/]|[\\/]packages[\\/](core|synchro|framework-[\w-]+)[\\/](src|dist)[\\/]/

export function motorMasquerade(options: { framework?: string } = {}): MasqueradePlugin {
  return {
    name: 'motor-ts-masquerade',
    enforce: 'pre',
    config() {
      if (options.framework) process.env.MOTOR_FRAMEWORK = options.framework
    },
    async resolveId(id, importer) {
      if (id !== 'mongodb' || !process.env.MOTOR_FRAMEWORK) return null
      if (importer && INTERNAL.test(importer)) return null
      return this.resolve('@motor-ts/synchro/masquerade', importer, { skipSelf: true })
    },
  }
}
