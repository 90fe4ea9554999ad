/**
 * Generates `src/generated/driver-api.generated.ts` with core's generator: the driver's
 * declarations for every wrapped class, each async overload followed by its Node-style
 * callback overloads, and which async members take function arguments of their own (so the
 * runtime can tell a trailing callback from `forEach`'s iterator). `--check` exits 1 when
 * the committed file is stale; the build runs the check.
 */
import { fileURLToPath } from 'node:url'
import { readDriverApi } from '../../core/scripts/driver-api.ts'
import { coreFlavour, type Flavour, generate, writeOrCheck } from '../../core/scripts/generate-api.ts'

const OUT = fileURLToPath(new URL('../src/generated/driver-api.generated.ts', import.meta.url))

const callbackFlavour: Flavour = {
  regenerate: 'pnpm --filter @motor-ts/callback generate',
  header: ({ driverLacks }) => [
    `import type { ${driverLacks ? 'DriverLacks, ' : ''}FrameworkTypes, Future, MotorOptions, Streamable } from '@motor-ts/core'`,
    "import type { MotorSessionCallback, NodeCallback, Uploadable } from '../callbacks.js'",
  ],
  extras: coreFlavour.extras,
  meta: false,
  callbacks: true,
}

writeOrCheck(OUT, generate(readDriverApi(), callbackFlavour), callbackFlavour.regenerate)
