import { motorTsupConfig } from '../../tools/tsup.factory'
// Two configs: the CommonJS-compatible main entry, and the ESM-only vitest suite and CLI. The build script empties dist first.

export default [
  motorTsupConfig({ entry: ['src/index.ts'], clean: false }),
  motorTsupConfig({ entry: ['src/suite.ts', 'src/conformance-cli.ts'], format: ['esm'], clean: false }),
]
