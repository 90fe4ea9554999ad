import { motorTsupConfig } from '../../tools/tsup.factory'

export default [
  motorTsupConfig({ entry: ['src/index.ts', 'src/vitest.ts'] }),
  motorTsupConfig({ entry: ['src/masquerade.ts', 'src/register.ts', 'src/hooks.ts', 'src/conformance-cli.ts'], format: ['esm'], clean: false }),
]
