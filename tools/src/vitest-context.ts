/**
 * Types what the global setup hands to tests (`inject('motorServer')` is a `ServerInfo`) and the
 * test meta `requires()` writes (`task.meta.motorSkip`, the reason a test was skipped).
 * Imported (for its types only) by the global setup and the test helpers, so any package whose
 * tests import `@motor-ts/tools` sees the augmentation.
 */
import type { ServerInfo } from './capabilities.ts'

declare module 'vitest' {
  interface ProvidedContext {
    motorServer: ServerInfo
  }
  interface TaskMeta {
    /** Set by `requires()` on a test it skipped: why (e.g. `FerretDB 1.24.2 lacks transactions`). */
    motorSkip?: string
  }
}

export type { ServerInfo }
