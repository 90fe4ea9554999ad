import { motorTsupConfig } from '../../tools/tsup.factory'
// Three configs: the CommonJS-compatible main entry, ESM-only entries (import.meta), and the CommonJS masquerade `require('mongodb')` gets. The build script empties dist first.

export default [
  motorTsupConfig({ entry: ['src/index.ts'], clean: false }),
  motorTsupConfig({ entry: ['src/masquerade.ts', 'src/register.ts', 'src/hooks.ts', 'src/vitest.ts'], format: ['esm'], clean: false }),
  motorTsupConfig({ entry: ['src/masquerade-require.cts'], format: ['cjs'], dts: false, clean: false }),
]
