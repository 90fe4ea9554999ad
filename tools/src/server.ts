/**
 * Starting and stopping the servers tests run against.
 *
 * `startServer(kind)` gives a running server and its probed `ServerInfo`:
 * - 'secantusdb' / 'ferretdb': installs it into the cache if needed, starts it on a free
 *   127.0.0.1 port with fresh temporary data directories, waits until the driver can talk to it,
 *   and on `stop()` kills its whole process group and deletes the data. Children are also killed
 *   when this process exits or gets SIGINT/SIGTERM/SIGHUP, and a tiny watchdog shell kills them if
 *   this process dies without running any handler (SIGKILL, OOM).
 * - 'uri': the server at `$MONGODB_URI`, which the caller owns (stop only disconnects).
 * - 'memory': mongodb-memory-server, if that optional package is installed (it downloads a real
 *   mongod on first use, so it needs internet access); it is not a dependency of this repo.
 * `selectServerKind()` applies the precedence MONGODB_URI > MOTOR_TEST_SERVER > 'secantusdb'.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MongoClient } from 'mongodb'
import { log, quietEnv, sleep, tail } from './cache.ts'
import { describe, probeServer, type ServerInfo } from './capabilities.ts'
import { ferretPaths, ProvisionError, provision, SERVER_KINDS, type ServerKind, secantusPaths } from './install.ts'

export interface RunningServer {
  readonly kind: ServerKind
  readonly info: ServerInfo
  /** Stops the server (if this process started it) and removes its data. Idempotent. */
  stop(): Promise<void>
}

export interface StartOptions {
  /** Install the server into the cache first if missing (default true). */
  install?: boolean
  /** How long to wait for the server to answer (default 90 s). */
  readyTimeoutMs?: number
  /** A fixed 127.0.0.1 port (e.g. 27017, for suites that expect it); default a free one. */
  port?: number
}

/** The server tests should use: MONGODB_URI wins, then MOTOR_TEST_SERVER, then SecantusDB. */
export function selectServerKind(env: NodeJS.ProcessEnv = process.env): ServerKind {
  if (env.MONGODB_URI) return 'uri'
  const wanted = (env.MOTOR_TEST_SERVER || 'secantusdb').trim().toLowerCase()
  if (!(SERVER_KINDS as readonly string[]).includes(wanted)) {
    throw new ProvisionError(`MOTOR_TEST_SERVER=${env.MOTOR_TEST_SERVER} is not a server this repo knows`, [
      `use one of: ${SERVER_KINDS.join(', ')} (or set MONGODB_URI to use your own server)`,
    ])
  }
  return wanted as ServerKind
}

export async function startServer(kind: ServerKind, options: StartOptions = {}): Promise<RunningServer> {
  if (options.port !== undefined && kind !== 'secantusdb' && kind !== 'ferretdb')
    throw new ProvisionError(`a fixed port applies to the servers this repo starts (secantusdb, ferretdb), not ${kind}`, [
      kind === 'uri' ? 'MONGODB_URI already names its port' : 'choose secantusdb or ferretdb',
    ])
  switch (kind) {
    case 'secantusdb':
    case 'ferretdb':
      return startManaged(kind, options)
    case 'uri':
      return useUri()
    case 'memory':
      return startMemory()
    default:
      throw new ProvisionError(`unknown server kind ${String(kind)}`, [`use one of: ${SERVER_KINDS.join(', ')}`])
  }
}

// ---------------------------------------------------------------------------------------------
// Child process bookkeeping: everything we started, so exit and signal handlers can clean up.

interface Managed {
  child: ChildProcess
  dirs: string[]
  watchdog?: ChildProcess
}

const managed = new Set<Managed>()
let hooksInstalled = false

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

function cleanupSync(): void {
  for (const m of managed) {
    killGroup(m.child.pid, 'SIGKILL')
    killGroup(m.watchdog?.pid, 'SIGKILL')
    for (const dir of m.dirs) rmSync(dir, { recursive: true, force: true })
  }
  managed.clear()
}

function installExitHooks(): void {
  if (hooksInstalled) return
  hooksInstalled = true
  process.on('exit', cleanupSync)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      cleanupSync()
      // If nobody else handles this signal, do what Node would have done without us: die by it.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal)
        process.kill(process.pid, signal)
      }
    }
    process.on(signal, onSignal)
  }
}

/** Kills the server's process group and removes its data if this process dies without cleaning up. */
function startWatchdog(serverPid: number, dirs: string[]): ChildProcess {
  const script = [
    'parent=$1; group=$2; shift 2',
    'while kill -0 "$parent" 2>/dev/null; do sleep 2; done',
    'kill -TERM -"$group" 2>/dev/null; sleep 3; kill -KILL -"$group" 2>/dev/null',
    'rm -rf "$@"',
  ].join('\n')
  const watchdog = spawn('sh', ['-c', script, 'motor-ts-watchdog', String(process.pid), String(serverPid), ...dirs], {
    detached: true,
    stdio: 'ignore',
  })
  watchdog.unref()
  return watchdog
}

/** Whether `port` on 127.0.0.1 can be bound right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const probe = createServer()
    probe.unref()
    probe.once('error', () => resolveFree(false))
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolveFree(true)))
  })
}

/** A free TCP port on 127.0.0.1 (the OS picks it; the server binds it right after). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer()
    probe.unref()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))))
    })
  })
}

// ---------------------------------------------------------------------------------------------
// SecantusDB and FerretDB: our own child processes.

interface Launch {
  command: string
  args: string[]
  env: NodeJS.ProcessEnv
  dirs: string[]
}

async function launchSpec(kind: 'secantusdb' | 'ferretdb', port: number): Promise<Launch> {
  if (kind === 'secantusdb') {
    const paths = secantusPaths()
    const data = await mkdtemp(join(tmpdir(), 'motor-secantusdb-'))
    return {
      command: paths.daemon,
      args: [
        '--config', paths.config,
        '--host', '127.0.0.1',
        '--port', String(port),
        '--storage-path', data,
        '--enable-test-commands',
        '--cache-size', '256M',
        '--log-level', 'WARNING',
      ],
      // The data directory is thrown away on stop, so skip the journal and fsyncs (what
      // SecantusDB's own test suite does); it keeps the same on-disk engine otherwise.
      env: quietEnv({ SECANTUS_TEST_FAST_STORAGE: '1' }),
      dirs: [data],
    }
  }
  const paths = ferretPaths()
  const data = await mkdtemp(join(tmpdir(), 'motor-ferretdb-data-'))
  const state = await mkdtemp(join(tmpdir(), 'motor-ferretdb-state-'))
  return {
    command: paths.binary,
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${data}/`,
      `--state-dir=${state}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    env: quietEnv(),
    dirs: [data, state],
  }
}

/** Waits until a driver `ping` succeeds, or throws if the process exits or time runs out. */
async function waitReady(uri: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before accepting connections`)
    }
    const client = new MongoClient(uri, { directConnection: true, serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 })
    try {
      await client.db('admin').command({ ping: 1 })
      return
    } catch (error) {
      lastError = error
    } finally {
      await client.close().catch(() => undefined)
    }
    await sleep(250)
  }
  throw new Error(`did not answer within ${timeoutMs / 1000}s (last error: ${(lastError as Error)?.message}); output:\n${tail(output(), 20)}`)
}

/**
 * The URI tests use. SecantusDB advertises itself as the primary of a one-node replica set; when
 * its hello names exactly the address we started it on, we connect as to a replica set (what real
 * deployments look like to the driver); otherwise directly.
 */
async function clientUri(host: string): Promise<string> {
  const client = new MongoClient(`mongodb://${host}/?directConnection=true`, { serverSelectionTimeoutMS: 5000 })
  try {
    const hello = await client.db('admin').command({ hello: 1 })
    const hosts: unknown = hello.hosts
    if (hello.setName && hello.me === host && Array.isArray(hosts) && hosts.length === 1 && hosts[0] === host) {
      return `mongodb://${host}/?replicaSet=${encodeURIComponent(String(hello.setName))}`
    }
    return `mongodb://${host}/?directConnection=true`
  } finally {
    await client.close()
  }
}

async function startManaged(kind: 'secantusdb' | 'ferretdb', options: StartOptions): Promise<RunningServer> {
  if (options.install !== false) await provision(kind)
  installExitHooks()
  const timeoutMs = options.readyTimeoutMs ?? 90_000
  const fixed = options.port
  if (fixed !== undefined) {
    if (!Number.isInteger(fixed) || fixed < 1 || fixed > 65_535)
      throw new ProvisionError(`port ${fixed} is not a TCP port`, ['give a whole number from 1 to 65535'])
    if (!(await portIsFree(fixed)))
      throw new ProvisionError(`port ${fixed} on 127.0.0.1 is in use`, [`stop what listens there (e.g. a mongod), or choose another port`])
  }
  let lastError: unknown
  // A port can be taken between freePort() and the server's bind; try a fresh one then.
  for (let attempt = 1; attempt <= (fixed === undefined ? 3 : 1); attempt++) {
    const port = fixed ?? (await freePort())
    const host = `127.0.0.1:${port}`
    const spec = await launchSpec(kind, port)
    const started = Date.now()
    const child = spawn(spec.command, spec.args, { env: spec.env, cwd: spec.dirs[0], detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const entry: Managed = { child, dirs: spec.dirs }
    managed.add(entry)
    let output = ''
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000)
      if (process.env.MOTOR_SERVER_LOGS) process.stderr.write(`[${kind}] ${chunk}`)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject))
    spawnError.catch(() => undefined)
    if (child.pid) entry.watchdog = startWatchdog(child.pid, spec.dirs)

    const stop = async () => {
      if (!managed.has(entry)) return
      managed.delete(entry)
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((done) => child.once('exit', done))
        killGroup(child.pid, 'SIGTERM')
        const graceful = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)])
        if (!graceful) {
          killGroup(child.pid, 'SIGKILL')
          await Promise.race([exited, sleep(2000)])
        }
      }
      killGroup(entry.watchdog?.pid, 'SIGKILL')
      for (const dir of spec.dirs) await rm(dir, { recursive: true, force: true })
    }

    try {
      await Promise.race([waitReady(`mongodb://${host}/`, child, () => output, timeoutMs), spawnError])
      const uri = await clientUri(host)
      const info = await probeServer(uri, kind)
      log(`${kind} ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${describe(info)}`)
      return { kind, info, stop }
    } catch (error) {
      await stop()
      lastError = error
      const inUse = /address already in use|EADDRINUSE/i.test(output)
      if (!inUse) break
      log(`port ${port} was taken before ${kind} could bind it; retrying on another port`)
    }
  }
  const command = kind === 'secantusdb' ? secantusPaths().daemon : ferretPaths().binary
  throw new ProvisionError(`${kind} did not start: ${(lastError as Error)?.message ?? String(lastError)}`, [
    `run it by hand to see why: ${command} --help`,
    'set MOTOR_SERVER_LOGS=1 to stream its output',
    `reinstall it by deleting ${kind === 'secantusdb' ? secantusPaths().dir : ferretPaths().dir}`,
  ])
}

// ---------------------------------------------------------------------------------------------
// A server someone else runs.

async function useUri(): Promise<RunningServer> {
  const uri = process.env.MONGODB_URI
  if (!uri) throw new ProvisionError('server kind "uri" needs MONGODB_URI to be set', ['set MONGODB_URI=mongodb://host:port/'])
  let info: ServerInfo
  try {
    info = await probeServer(uri, 'uri')
  } catch (error) {
    throw new ProvisionError(`could not reach MONGODB_URI (${redact(uri)}): ${(error as Error).message}`, [
      'check that the server is running and the URI is right, or unset MONGODB_URI to use a bundled server',
    ])
  }
  log(`using MONGODB_URI: ${describe({ ...info, uri: redact(uri) })}`)
  return { kind: 'uri', info, stop: async () => undefined }
}

/** The URI without its password, for logs. */
export function redact(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@')
}

// ---------------------------------------------------------------------------------------------
// mongodb-memory-server: optional, never installed by this repo.

interface MemoryReplSet {
  getUri(): string
  stop(options?: { doCleanup?: boolean; force?: boolean }): Promise<boolean>
}
interface MemoryServerModule {
  MongoMemoryReplSet: { create(options: Record<string, unknown>): Promise<MemoryReplSet> }
}

async function startMemory(): Promise<RunningServer> {
  const name = 'mongodb-memory-server'
  let mod: MemoryServerModule
  try {
    mod = (await import(/* @vite-ignore */ name)) as MemoryServerModule
  } catch (error) {
    throw new ProvisionError(`MOTOR_TEST_SERVER=memory needs the optional package mongodb-memory-server, which is not installed (${(error as Error).message})`, [
      'install it on a machine with internet access: pnpm add -D -w mongodb-memory-server (on first start it downloads a real mongod from MongoDB)',
    ])
  }
  const replSet = await mod.MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' }, instanceOpts: [{ ip: '127.0.0.1' }] })
  const stop = async () => {
    await replSet.stop({ doCleanup: true, force: true })
  }
  try {
    const info = await probeServer(replSet.getUri(), 'memory')
    log(`memory ready: ${describe(info)}`)
    return { kind: 'memory', info, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
