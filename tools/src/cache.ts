/**
 * The cache of provisioned servers and the small process utilities the installers share.
 *
 * Everything the tools install lives under one directory: `<repo>/.cache/servers` (gitignored),
 * or `$MOTOR_CACHE_DIR` when set. Installs are idempotent: each component gets its own folder
 * with a `stamp.json` written last, so a folder without a matching stamp is an interrupted install
 * and is redone. A directory lock (`mkdir` is atomic) keeps parallel test runs from installing the
 * same component twice; a lock whose owner process is gone is taken over. Progress goes to stderr.
 */

import { type SpawnOptions, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is `<root>/tools/src/cache.ts`). */
export function repoRoot(): string {
  // Found by walking up to pnpm-workspace.yaml: this file may also run bundled elsewhere
  // (e.g. inside packages/conformance/dist/conformance-cli.js).
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
    const up = dirname(dir)
    if (up === dir) return process.cwd()
    dir = up
  }
}

/** Where provisioned servers live: `$MOTOR_CACHE_DIR`, else `<repo>/.cache/servers`. */
export function cacheDir(): string {
  const fromEnv = process.env.MOTOR_CACHE_DIR
  return fromEnv ? resolve(fromEnv) : join(repoRoot(), '.cache', 'servers')
}

/** One line of progress on stderr, prefixed so it stands out in test output. */
export function log(message: string): void {
  process.stderr.write(`[motor-ts tools] ${message}\n`)
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms))

/** Environment every child we start gets: the caller's, with every telemetry switch we know off. */
export function quietEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DO_NOT_TRACK: '1',
    FERRETDB_TELEMETRY: 'disable',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
    ...extra,
  }
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key]
  return env
}

/** A command that exited non-zero, with the tail of what it printed. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`\`${command}\` ${exitCode === null ? 'could not run' : `exited with code ${exitCode}`}${output ? `:\n${tail(output, 25)}` : ''}`)
    this.name = 'CommandError'
  }
}

/** The last `lines` lines of a text, indented for nesting inside an error message. */
export function tail(text: string, lines: number): string {
  return text
    .trimEnd()
    .split('\n')
    .slice(-lines)
    .map((line) => `    ${line}`)
    .join('\n')
}

/**
 * Runs a command to completion and returns its stdout. Output is collected (not streamed) and
 * included in the error when it fails; `ENOENT` (program missing) is reported as such.
 */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<string> {
  const shown = [command, ...args].join(' ')
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let all = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk
      all += chunk
    })
    child.stderr!.on('data', (chunk: Buffer) => {
      all += chunk
    })
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(new CommandError(shown, null, error.code === 'ENOENT' ? `${command}: not found on PATH` : error.message))
    })
    child.on('close', (code) => {
      if (code === 0) resolvePromise(stdout)
      else reject(new CommandError(shown, code, all))
    })
  })
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch {
    return false
  }
}

/** What an install records when it finished: read back to decide whether to reuse it. */
export interface Stamp {
  component: string
  version: string
  installedAt: string
  seconds: number
  [detail: string]: unknown
}

export async function readStamp(dir: string): Promise<Stamp | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'stamp.json'), 'utf8')) as Stamp
  } catch {
    return undefined
  }
}

export async function writeStamp(dir: string, stamp: Stamp): Promise<void> {
  await writeFile(join(dir, 'stamp.json'), `${JSON.stringify(stamp, null, 2)}\n`)
}

interface LockOwner {
  pid: number
  host: string
  since: number
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Runs `fn` while holding the cache lock `name`. Waits (up to `waitMs`) while another live
 * process holds it; takes over a lock whose owner died or that is older than `staleMs`.
 */
export async function withLock<T>(name: string, fn: () => Promise<T>, waitMs = 20 * 60_000, staleMs = 30 * 60_000): Promise<T> {
  const locks = join(cacheDir(), 'locks')
  await mkdir(locks, { recursive: true })
  const lockDir = join(locks, `${name}.lock`)
  const ownerFile = join(lockDir, 'owner.json')
  const deadline = Date.now() + waitMs
  let announced = false
  for (;;) {
    try {
      await mkdir(lockDir)
      const owner: LockOwner = { pid: process.pid, host: hostname(), since: Date.now() }
      await writeFile(ownerFile, JSON.stringify(owner))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let owner: LockOwner | undefined
    try {
      owner = JSON.parse(await readFile(ownerFile, 'utf8')) as LockOwner
    } catch {
      // The owner is between mkdir and writing owner.json, or died right there.
    }
    const age = owner ? Date.now() - owner.since : Date.now() - (await stat(lockDir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs
    const dead = owner ? owner.host === hostname() && !isAlive(owner.pid) : age > 10_000
    if (dead || age > staleMs) {
      log(`taking over stale lock ${lockDir}${owner ? ` (owner pid ${owner.pid} ${dead ? 'is gone' : 'is too old'})` : ''}`)
      await rm(lockDir, { recursive: true, force: true })
      continue
    }
    if (!announced) {
      log(`waiting for ${name}: process ${owner?.pid ?? '?'} is installing it (lock ${lockDir})`)
      announced = true
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${waitMs / 1000}s waiting for the lock ${lockDir}; if no install is running, delete it`)
    await sleep(500)
  }
  try {
    return await fn()
  } finally {
    await rm(lockDir, { recursive: true, force: true })
  }
}
