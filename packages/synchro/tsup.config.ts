import { motorTsupConfig } from '../../tools/tsup.factory'

export default [
  motorTsupConfig({ entry: ['src/index.ts'] }),
  motorTsupConfig({ entry: ['src/masquerade.ts', 'src/register.ts', 'src/hooks.ts', 'src/vitest.ts', 'src/conformance-cli.ts'], format: ['esm'], clean: false }),
]
