/**
 * Helpers for tests in any workspace package:
 * - `server()`: the `ServerInfo` of the server the global setup started (URI, name, capabilities).
 * - `requires(ctx, ...caps)`: skips the current test, with a note saying why, when the server
 *   lacks a capability: `FerretDB 1.24.2 lacks change streams (NotImplemented (238): ...)`.
 *   Never skips silently: the note shows in vitest's output and JSON report.
 * - `uniqueName(prefix)`: a database/collection name no other test file or run uses, since all
 *   test files share one server.
 */
import { inject, type TestContext } from 'vitest'
import { CAPABILITY_NAMES, type Capability, type ServerInfo } from './capabilities.ts'
import type {} from './vitest-context.ts'

export function server(): ServerInfo {
  const info = inject('motorServer')
  if (!info) {
    throw new Error("no test server was provided: run the tests through the repo's vitest config (its globalSetup is tools/src/vitest-global-setup.ts)")
  }
  return info
}

/** Why `info` cannot run a test needing `caps`, or undefined when it can. */
export function missing(info: ServerInfo, caps: Capability[]): string | undefined {
  const absent = caps.filter((cap) => !info.capabilities[cap])
  if (absent.length === 0) return undefined
  const names = absent.map((cap) => CAPABILITY_NAMES[cap]).join(' and ')
  const because = absent.map((cap) => info.notes[cap]).filter(Boolean)
  return `${info.name} ${info.version} lacks ${names}${because.length ? ` (${because.join('; ')})` : ''}`
}

/**
 * Skips the test (with a note) unless the server has every capability in `caps`. The note is
 * also stored in the test's meta (`motorSkip`), so JSON reports (and `pnpm test:matrix`) show it.
 */
export function requires(ctx: Pick<TestContext, 'skip'> & { task?: Pick<TestContext['task'], 'meta'> }, ...caps: Capability[]): void {
  const why = missing(server(), caps)
  if (!why) return
  if (ctx.task) ctx.task.meta.motorSkip = why
  ctx.skip(why)
}

let counter = 0
/** A name unique to this test worker and call, short enough for MongoDB's namespace limits. */
export function uniqueName(prefix = 'motor'): string {
  counter++
  return `${prefix}_${process.pid.toString(36)}_${Date.now().toString(36)}_${counter}`
}

/** The test server in the shape `suite()` of `@motor-ts/conformance/vitest` takes. */
export function suiteServer(): { uri: string; name: string; capabilities: ServerInfo['capabilities'] } {
  const info = server()
  return { uri: info.uri, name: `${info.name} ${info.version}`, capabilities: info.capabilities }
}
