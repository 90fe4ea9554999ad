/**
 * The one masquerade module of a process: every export of `mongodb`, with the client
 * classes replaced by Synchro classes over the framework named by `MOTOR_FRAMEWORK`
 * (`promise` when unset; `driver` gives the raw driver). The ESM entry (`masquerade.js`) and
 * the CommonJS one (`masquerade-require.cjs`) both hand out this same object, built on first
 * use, so `instanceof` holds across `import` and `require`. The framework package is
 * resolved from the file that first imported `mongodb`, then from the current directory.
 */
import * as mongodb from 'mongodb'
import { checkFramework, requireBinding } from './binding.js'
import { createSynchro, type MongodbModule } from './synchro.js'

export type Masquerade = MongodbModule & { readonly motorFramework: string }

/** Process-wide state, shared by every copy of this code (ESM and CommonJS builds, hooks). */
export interface MasqueradeState {
  module?: Masquerade
  /** Set by the `require` hook: the file whose `require('mongodb')` is being redirected. */
  importer?: string
  /** `mongodb` imports the hooks left on the real driver, and why. */
  kept: string[]
}

const KEY = Symbol.for('motor-ts.synchro.masquerade')

export function masqueradeState(): MasqueradeState {
  const g = globalThis as { [KEY]?: MasqueradeState }
  g[KEY] ??= { kept: [] }
  return g[KEY]
}

/** The masquerade module, built on first call (`importer`: the file asking, for resolving the framework). */
export function masqueradeModule(importer?: string): Masquerade {
  const state = masqueradeState()
  if (state.module) return state.module
  const framework = checkFramework(process.env.MOTOR_FRAMEWORK || 'promise')
  const base: MongodbModule =
    framework === 'driver' ? mongodb : createSynchro(requireBinding(framework, [importer, `${process.cwd()}/`]))
  // Not frozen: like the driver's exports, instrumentation may patch it.
  state.module = { ...base, motorFramework: framework } as Masquerade
  return state.module
}
