/**
 * Starting and stopping the servers tests run against.
 *
 * `startServer(kind)` gives a running server and its probed `ServerInfo`:
 * - 'secantusdb' / 'ferretdb': installs it into the cache if needed, starts it on a free
 *   127.0.0.1 port with fresh temporary data directories, waits until the driver can talk to it,
 *   and on `stop()` kills its whole process group and deletes the data. Children are also killed
 *   when this process exits or gets SIGINT/SIGTERM/SIGHUP, and a tiny watchdog shell kills them if
 *   this process dies without running any handler (SIGKILL, OOM). `halt()` stops the process
 *   but keeps its port and data; `restart({ auth })` starts it again on both (the fault and
 *   secrets scenarios of `pnpm stress` use them).
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
  /**
   * Servers this process started (secantusdb, ferretdb) only: stops the server process but
   * keeps its port and data, as a crash or an operator's stop would (SIGTERM, then SIGKILL
   * after 5 s; or SIGKILL at once). `restart()` brings it back.
   */
  halt?(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
  /**
   * Servers this process started only: starts the server again (halting it first if it is
   * running) on the same port and data directory, so `info.uri` stays valid, and resolves once
   * it answers. `auth: true` makes it require authentication (SecantusDB `--auth`, FerretDB
   * `--test-enable-new-auth`); create users before restarting with it.
   */
  restart?(options?: { auth?: boolean }): Promise<void>
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
}

/** Fresh temporary data directories for one server (kept across `halt()` / `restart()`). */
async function dataDirs(kind: 'secantusdb' | 'ferretdb'): Promise<string[]> {
  if (kind === 'secantusdb') return [await mkdtemp(join(tmpdir(), 'motor-secantusdb-'))]
  return [await mkdtemp(join(tmpdir(), 'motor-ferretdb-data-')), await mkdtemp(join(tmpdir(), 'motor-ferretdb-state-'))]
}

function launchSpec(kind: 'secantusdb' | 'ferretdb', port: number, dirs: string[], auth: boolean): Launch {
  if (kind === 'secantusdb') {
    const paths = secantusPaths()
    return {
      command: paths.daemon,
      args: [
        '--config', paths.config,
        '--host', '127.0.0.1',
        '--port', String(port),
        '--storage-path', dirs[0]!,
        '--enable-test-commands',
        '--cache-size', '256M',
        '--log-level', 'WARNING',
        ...(auth ? ['--auth'] : []),
      ],
      // The data directory is thrown away on stop, so skip the journal and fsyncs (what
      // SecantusDB's own test suite does); it keeps the same on-disk engine otherwise.
      env: quietEnv({ SECANTUS_TEST_FAST_STORAGE: '1' }),
    }
  }
  const paths = ferretPaths()
  return {
    command: paths.binary,
    args: [
      '--handler=sqlite',
      `--sqlite-url=file:${dirs[0]}/`,
      `--state-dir=${dirs[1]}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
      ...(auth ? ['--test-enable-new-auth'] : []),
    ],
    env: quietEnv(),
  }
}

/**
 * Waits until the server answers `hello` (allowed before authentication, so this works with
 * auth on), or throws if the process exits or time runs out.
 */
async function waitReady(uri: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let lastError: unknown
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before accepting connections`)
    }
    const client = new MongoClient(uri, { directConnection: true, serverSelectionTimeoutMS: 1000, connectTimeoutMS: 1000 })
    try {
      await client.db('admin').command({ hello: 1 })
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

/** Whether `exited` settles within `ms`; leaves no timer behind (a pending one would keep the caller's process alive). */
function exitsWithin(exited: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<boolean>((done) => (timer = setTimeout(() => done(false), ms)))
  return Promise.race([exited.then(() => true), limit]).finally(() => clearTimeout(timer))
}

/** One server process on a fixed port and data directories, which can be stopped and started again. */
class ServerProcess {
  readonly entry: Managed
  private output = ''

  constructor(
    private readonly kind: 'secantusdb' | 'ferretdb',
    readonly port: number,
    readonly dirs: string[],
  ) {
    this.entry = { child: undefined as unknown as ChildProcess, dirs }
  }

  get host(): string {
    return `127.0.0.1:${this.port}`
  }

  get lastOutput(): string {
    return this.output
  }

  get running(): boolean {
    const { child } = this.entry
    return Boolean(child) && child.exitCode === null && child.signalCode === null
  }

  /** Spawns the server and waits until it answers. */
  async start(auth: boolean, timeoutMs: number): Promise<void> {
    const spec = launchSpec(this.kind, this.port, this.dirs, auth)
    const child = spawn(spec.command, spec.args, { env: spec.env, cwd: this.dirs[0], detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    this.entry.child = child
    managed.add(this.entry)
    this.output = ''
    const collect = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-20_000)
      if (process.env.MOTOR_SERVER_LOGS) process.stderr.write(`[${this.kind}] ${chunk}`)
    }
    child.stdout!.on('data', collect)
    child.stderr!.on('data', collect)
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject))
    spawnError.catch(() => undefined)
    if (child.pid) this.entry.watchdog = startWatchdog(child.pid, this.dirs)
    await Promise.race([waitReady(`mongodb://${this.host}/`, child, () => this.output, timeoutMs), spawnError])
  }

  /** Stops the process (SIGTERM, then SIGKILL after 5 s; or SIGKILL at once), keeping the data. */
  async halt(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const { child } = this.entry
    if (this.running) {
      const exited = new Promise((done) => child.once('exit', done))
      killGroup(child.pid, signal)
      if (!(await exitsWithin(exited, 5000))) {
        killGroup(child.pid, 'SIGKILL')
        await exitsWithin(exited, 2000)
      }
    }
    killGroup(this.entry.watchdog?.pid, 'SIGKILL')
    this.entry.watchdog = undefined
  }

  /** Stops the process and removes its data. Idempotent. */
  async stop(): Promise<void> {
    if (!managed.has(this.entry)) return
    managed.delete(this.entry)
    await this.halt()
    for (const dir of this.dirs) await rm(dir, { recursive: true, force: true })
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
    const server = new ServerProcess(kind, fixed ?? (await freePort()), await dataDirs(kind))
    const started = Date.now()
    try {
      await server.start(false, timeoutMs)
      const uri = await clientUri(server.host)
      const info = await probeServer(uri, kind)
      log(`${kind} ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${describe(info)}`)
      return {
        kind,
        info,
        stop: () => server.stop(),
        halt: (signal) => server.halt(signal),
        restart: async (restartOptions = {}) => {
          await server.halt()
          await server.start(restartOptions.auth ?? false, timeoutMs)
        },
      }
    } catch (error) {
      await server.stop()
      lastError = error
      const inUse = /address already in use|EADDRINUSE/i.test(server.lastOutput)
      if (!inUse) break
      log(`port ${server.port} was taken before ${kind} could bind it; retrying on another port`)
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
