/**
 * The one tsup configuration every published package uses: ESM + CJS + .d.ts from
 * `src/index.ts` (plus any extra entries a package names), Node 20 target, sourcemaps.
 */
import { defineConfig, type Options } from 'tsup'

export function motorTsupConfig(extra: Partial<Options> = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    treeshake: true,
    ...extra,
  })
}
