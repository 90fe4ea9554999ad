/**
 * Idempotent installers for the two servers the repo provisions itself, pinned exactly:
 *
 * - SecantusDB 0.7.0b3 (a pre-release on PyPI): a Python venv under the cache with
 *   `pip install secantusdb==0.7.0b3`; the daemon is `<venv>/bin/secantusd-py`.
 * - FerretDB 1.24.2 with its SQLite backend: its module source from the Go module proxy,
 *   built with the local Go toolchain into `<cache>/ferretdb-1.24.2/bin/ferretdb`.
 *
 * `provision(kind)` installs what `kind` needs (nothing for 'uri' and 'memory') under a cache
 * lock and returns the paths; a correct earlier install (its stamp matches) is reused as is.
 * Failures throw `ProvisionError`, whose `hints` say what to install or set to fix them.
 */
import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CommandError, cacheDir, exists, log, quietEnv, readStamp, run, type Stamp, withLock, writeStamp } from './cache.ts'

export const SECANTUSDB_VERSION = '0.7.0b3'
export const FERRETDB_VERSION = '1.24.2'

/** The servers `startServer` knows how to bring up. */
export type ServerKind = 'secantusdb' | 'ferretdb' | 'uri' | 'memory'
export const SERVER_KINDS: readonly ServerKind[] = ['secantusdb', 'ferretdb', 'uri', 'memory']

/** An install or start that failed, with what was attempted and how a person can fix it. */
export class ProvisionError extends Error {
  constructor(
    message: string,
    readonly hints: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'ProvisionError'
  }
}

export interface SecantusInstall {
  kind: 'secantusdb'
  version: string
  dir: string
  /** The daemon's launcher script inside the venv. */
  daemon: string
  /** An empty config file passed with --config, so no secantusd.toml elsewhere is picked up. */
  config: string
}

export interface FerretInstall {
  kind: 'ferretdb'
  version: string
  dir: string
  binary: string
}

export type Installed = SecantusInstall | FerretInstall

export function secantusPaths(): SecantusInstall {
  const dir = join(cacheDir(), `secantusdb-${SECANTUSDB_VERSION}`)
  return {
    kind: 'secantusdb',
    version: SECANTUSDB_VERSION,
    dir,
    daemon: join(dir, 'venv', 'bin', 'secantusd-py'),
    config: join(dir, 'secantusd.toml'),
  }
}

export function ferretPaths(): FerretInstall {
  const dir = join(cacheDir(), `ferretdb-${FERRETDB_VERSION}`)
  return { kind: 'ferretdb', version: FERRETDB_VERSION, dir, binary: join(dir, 'bin', 'ferretdb') }
}

async function isCurrent(dir: string, component: string, version: string, files: string[]): Promise<boolean> {
  const stamp = await readStamp(dir)
  if (stamp?.component !== component || stamp.version !== version) return false
  for (const file of files) if (!(await exists(file))) return false
  return true
}

/** Whether `kind` is installed at its pinned version (always true for kinds with nothing to install). */
export async function isProvisioned(kind: ServerKind): Promise<boolean> {
  if (kind === 'secantusdb') {
    const p = secantusPaths()
    return isCurrent(p.dir, 'secantusdb', p.version, [p.daemon, p.config])
  }
  if (kind === 'ferretdb') {
    const p = ferretPaths()
    return isCurrent(p.dir, 'ferretdb', p.version, [p.binary])
  }
  return true
}

/**
 * Installs the server `kind` needs, unless the cache already has it. Safe to call from several
 * processes at once: the second waits for the first and then reuses its install.
 */
export async function provision(kind: 'secantusdb'): Promise<SecantusInstall>
export async function provision(kind: 'ferretdb'): Promise<FerretInstall>
export async function provision(kind: ServerKind): Promise<Installed | undefined>
export async function provision(kind: ServerKind): Promise<Installed | undefined> {
  if (kind === 'secantusdb') return installSecantus()
  if (kind === 'ferretdb') return installFerret()
  return undefined
}

async function installSecantus(): Promise<SecantusInstall> {
  const paths = secantusPaths()
  if (await isProvisioned('secantusdb')) return paths
  return withLock(`secantusdb-${SECANTUSDB_VERSION}`, async () => {
    if (await isProvisioned('secantusdb')) return paths
    const started = Date.now()
    const python = process.env.MOTOR_PYTHON || 'python3'
    log(`installing SecantusDB ${SECANTUSDB_VERSION} into ${paths.dir} (${python} -m venv, then pip install secantusdb==${SECANTUSDB_VERSION})`)
    await rm(paths.dir, { recursive: true, force: true })
    await mkdir(paths.dir, { recursive: true })
    const env = quietEnv({ PIP_CACHE_DIR: join(cacheDir(), 'pip') })

    let pythonVersion: string
    try {
      pythonVersion = (await run(python, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { env })).trim()
    } catch (error) {
      throw new ProvisionError(`SecantusDB needs Python 3.10 or newer, and ${python} did not run: ${(error as Error).message}`, [
        'install Python 3.10+ (Debian/Ubuntu: apt-get install python3 python3-venv), or set MOTOR_PYTHON to a python3 executable',
      ])
    }
    const [major = 0, minor = 0] = pythonVersion.split('.').map(Number)
    if (major < 3 || (major === 3 && minor < 10)) {
      throw new ProvisionError(`SecantusDB needs Python 3.10 or newer; ${python} is ${pythonVersion}`, ['set MOTOR_PYTHON to a Python 3.10+ executable'])
    }
    const venv = join(paths.dir, 'venv')
    try {
      await run(python, ['-m', 'venv', venv], { env })
    } catch (error) {
      throw new ProvisionError(`could not create a Python venv: ${(error as Error).message}`, [
        'install the venv module (Debian/Ubuntu: apt-get install python3-venv)',
      ])
    }
    const venvPython = join(venv, 'bin', 'python')
    log(`pip install secantusdb==${SECANTUSDB_VERSION} (with its dependencies: pymongo, shapely, ...)`)
    try {
      await run(venvPython, ['-m', 'pip', 'install', '--quiet', '--no-input', '--disable-pip-version-check', `secantusdb==${SECANTUSDB_VERSION}`], {
        env,
      })
    } catch (error) {
      throw new ProvisionError(`pip could not install secantusdb==${SECANTUSDB_VERSION}: ${(error as Error).message}`, [
        'pip needs to reach the PyPI registry (check proxy settings: PIP_INDEX_URL, HTTPS_PROXY)',
      ])
    }
    const installed = (
      await run(venvPython, ['-c', 'import importlib.metadata as m, secantus; print(m.version("secantusdb"))'], { env })
    ).trim()
    if (installed !== SECANTUSDB_VERSION) {
      throw new ProvisionError(`pip installed secantusdb ${installed}, expected ${SECANTUSDB_VERSION}`)
    }
    if (!(await exists(paths.daemon))) throw new ProvisionError(`secantusdb ${installed} installed but ${paths.daemon} is missing`)
    // Empty on purpose: with --config pointing here the daemon skips its auto-discovery of
    // ./secantusd.toml, ~/.secantus/ and /etc/secantus/, so a stray file can't change the tests.
    await writeFile(paths.config, '# motor-ts: every setting comes from command-line flags (see tools/src/server.ts)\n')
    const seconds = (Date.now() - started) / 1000
    const stamp: Stamp = { component: 'secantusdb', version: installed, installedAt: new Date().toISOString(), seconds, python: pythonVersion }
    await writeStamp(paths.dir, stamp)
    log(`SecantusDB ${installed} installed in ${seconds.toFixed(1)}s`)
    return paths
  })
}

async function installFerret(): Promise<FerretInstall> {
  const paths = ferretPaths()
  if (await isProvisioned('ferretdb')) return paths
  return withLock(`ferretdb-${FERRETDB_VERSION}`, async () => {
    if (await isProvisioned('ferretdb')) return paths
    const started = Date.now()
    const go = process.env.MOTOR_GO || 'go'
    const goRoot = join(cacheDir(), 'go')
    const env = quietEnv({
      GOPATH: goRoot,
      GOMODCACHE: join(goRoot, 'mod'),
      GOCACHE: join(paths.dir, 'gocache'),
      // -buildvcs=false: the build directory may sit inside this repo's git checkout, whose
      // commit FerretDB would otherwise compare with its own and refuse to start.
      GOFLAGS: [process.env.GOFLAGS, '-modcacherw', '-buildvcs=false'].filter(Boolean).join(' '),
    })
    let goVersion: string
    try {
      goVersion = (await run(go, ['env', 'GOVERSION'], { env })).trim()
    } catch (error) {
      throw new ProvisionError(`FerretDB is built from source and needs Go: ${(error as Error).message}`, [
        'install Go 1.24 or newer (https://go.dev/doc/install, or Debian: apt-get install golang-go), or set MOTOR_GO to the go binary',
      ])
    }
    log(`installing FerretDB ${FERRETDB_VERSION} into ${paths.dir} (${goVersion}: go mod download, then go build ./cmd/ferretdb; about a minute)`)
    await rm(paths.dir, { recursive: true, force: true })
    await mkdir(paths.dir, { recursive: true })

    const module = `github.com/FerretDB/FerretDB@v${FERRETDB_VERSION}`
    let info: { Dir?: string; Error?: string; Origin?: { Hash?: string } }
    try {
      info = JSON.parse(await run(go, ['mod', 'download', '-json', module], { env, cwd: paths.dir }))
    } catch (error) {
      const detail = error instanceof CommandError ? error.output : (error as Error).message
      throw new ProvisionError(`go mod download ${module} failed: ${detail.trim()}`, [
        'Go needs to reach the Go module proxy (check GOPROXY / HTTPS_PROXY)',
      ])
    }
    if (!info.Dir) throw new ProvisionError(`go mod download ${module} gave no source directory: ${info.Error ?? 'no error reported'}`)

    // The module cache is read-only by design; build from a writable copy so the version
    // files FerretDB embeds (build/version/*.txt) can be written.
    const src = join(paths.dir, 'src')
    await cp(info.Dir, src, { recursive: true })
    await writeFile(join(src, 'build', 'version', 'version.txt'), `v${FERRETDB_VERSION}\n`)
    if (info.Origin?.Hash) await writeFile(join(src, 'build', 'version', 'commit.txt'), `${info.Origin.Hash}\n`)
    log(`go build FerretDB ${FERRETDB_VERSION} (downloads its Go dependencies on first run)`)
    try {
      await run(go, ['build', '-trimpath', '-o', paths.binary, './cmd/ferretdb'], { env, cwd: src })
    } catch (error) {
      throw new ProvisionError(`building FerretDB failed: ${(error as Error).message}`, [
        'FerretDB 1.24 needs Go 1.24 or newer; with an older Go set GOTOOLCHAIN=auto so Go fetches a newer toolchain through the module proxy',
      ])
    }
    let reported: string
    try {
      reported = await run(paths.binary, ['--version'], { env })
    } catch (error) {
      throw new ProvisionError(`the FerretDB binary we built does not run: ${(error as Error).message}`, [
        `delete ${paths.dir} and try again; if it persists, build it by hand to see why (see tools/src/install.ts)`,
      ])
    }
    if (!reported.includes(`v${FERRETDB_VERSION}`)) {
      throw new ProvisionError(`built FerretDB reports an unexpected version:\n${reported}`)
    }
    // The binary is all we keep; the copy of the source and the build cache are large.
    await rm(src, { recursive: true, force: true })
    await rm(join(paths.dir, 'gocache'), { recursive: true, force: true })
    const seconds = (Date.now() - started) / 1000
    const stamp: Stamp = { component: 'ferretdb', version: FERRETDB_VERSION, installedAt: new Date().toISOString(), seconds, go: goVersion }
    await writeStamp(paths.dir, stamp)
    log(`FerretDB ${FERRETDB_VERSION} built in ${seconds.toFixed(1)}s`)
    return paths
  })
}
