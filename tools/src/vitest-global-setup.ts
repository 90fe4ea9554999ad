/**
 * Vitest global setup (named in the root vitest.config.ts): provisions and starts the test server
 * and publishes its `ServerInfo` to every test as `inject('motorServer')`.
 *
 * Which server: MONGODB_URI when set, else MOTOR_TEST_SERVER ('secantusdb' by default, or
 * 'ferretdb', 'memory'). A bundled server that is not installed yet is installed first (under a
 * lock, so parallel runs install once). Vitest calls this once for the root project and once per
 * test project that inherits it; they all share one server, stopped after the last teardown.
 * If the server cannot be started, the run fails with what was tried and how to fix it.
 */
import type { TestProject } from 'vitest/node'
import { cacheDir } from './cache.ts'
import { ProvisionError, type ServerKind } from './install.ts'
import { type RunningServer, redact, selectServerKind, startServer } from './server.ts'
import type {} from './vitest-context.ts'

interface Shared {
  server: Promise<RunningServer>
  users: number
}

// Global setups of different projects may load this module separately; the process is shared.
const KEY = Symbol.for('@motor-ts/tools:test-server')
const registry = globalThis as typeof globalThis & { [KEY]?: Shared }

function explain(kind: ServerKind | undefined, error: unknown): Error {
  const env = process.env
  const why =
    kind === undefined
      ? 'MOTOR_TEST_SERVER is invalid'
      : env.MONGODB_URI
        ? `MONGODB_URI is set (${redact(env.MONGODB_URI)})`
        : env.MOTOR_TEST_SERVER
          ? `MOTOR_TEST_SERVER=${env.MOTOR_TEST_SERVER}`
          : 'the default, as neither MONGODB_URI nor MOTOR_TEST_SERVER is set'
  const tried: Record<ServerKind, string> = {
    secantusdb: `install SecantusDB into ${cacheDir()} if missing (python3 -m venv + pip), then start it on 127.0.0.1`,
    ferretdb: `install FerretDB into ${cacheDir()} if missing (go mod download + go build), then start it on 127.0.0.1`,
    uri: 'connect to MONGODB_URI and probe it',
    memory: 'start mongodb-memory-server (optional package)',
  }
  const hints = error instanceof ProvisionError ? error.hints : []
  const lines = [
    'motor-ts: could not start a MongoDB-compatible server for the tests.',
    `  server: ${kind ?? '(none)'} (${why})`,
    ...(kind ? [`  tried:  ${tried[kind]}`] : []),
    `  error:  ${(error as Error)?.message ?? String(error)}`,
    '  to fix:',
    ...hints.map((hint) => `    - ${hint}`),
    ...(kind !== 'uri' ? ['    - or use a server you run yourself: MONGODB_URI=mongodb://127.0.0.1:27017/ pnpm test'] : []),
    ...(kind !== 'secantusdb' ? ['    - or use the default bundled server: unset MONGODB_URI and MOTOR_TEST_SERVER'] : []),
    ...(kind !== 'ferretdb' ? ['    - or the other bundled server: MOTOR_TEST_SERVER=ferretdb pnpm test (built with Go)'] : []),
    '    - the cache can be moved with MOTOR_CACHE_DIR; `pnpm provision` installs the servers ahead of time',
  ]
  return new Error(lines.join('\n'), { cause: error })
}

async function start(): Promise<RunningServer> {
  let kind: ServerKind | undefined
  try {
    kind = selectServerKind()
    return await startServer(kind)
  } catch (error) {
    throw explain(kind, error)
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let shared = registry[KEY]
  if (!shared) {
    shared = { server: start(), users: 0 }
    registry[KEY] = shared
  }
  shared.users++
  const current = shared
  let server: RunningServer
  try {
    server = await current.server
  } catch (error) {
    current.users--
    throw error
  }
  project.provide('motorServer', server.info)
  return async () => {
    current.users--
    if (current.users > 0) return
    if (registry[KEY] === current) delete registry[KEY]
    await server.stop()
  }
}
