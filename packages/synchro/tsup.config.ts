import { motorTsupConfig } from '../../tools/tsup.factory'
// Two configs: the CommonJS-compatible main entry, and ESM-only entries (top-level await, import.meta). The build script empties dist first.

export default [
  motorTsupConfig({ entry: ['src/index.ts'], clean: false }),
  motorTsupConfig({ entry: ['src/masquerade.ts', 'src/register.ts', 'src/hooks.ts', 'src/vitest.ts'], format: ['esm'], clean: false }),
]
