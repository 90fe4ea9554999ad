/**
 * The workspace packages we publish, and their tarballs as a user would download them.
 *
 * A package is published when its `package.json` under `packages/` is not `private`; new
 * packages join every packaging check without a list to update. `packTarballs()` runs
 * `pnpm pack` (the only way we publish, so `workspace:*` ranges are rewritten exactly as on
 * the registry) into one folder and returns each tarball's path.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { repoRoot, run } from './cache.ts'

export interface Manifest {
  name: string
  version: string
  private?: boolean
  exports?: Record<string, unknown>
  dependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
  [field: string]: unknown
}

export interface PublishedPackage {
  /** Folder inside the repo, e.g. `packages/framework-rxjs`. */
  dir: string
  manifest: Manifest
}

export interface Tarball extends PublishedPackage {
  /** Absolute path of the `.tgz`. */
  file: string
}

/** The packages in the folders directly under `parent` (e.g. `packages`), sorted by folder. */
function packagesUnder(root: string, parent: string): PublishedPackage[] {
  if (!existsSync(join(root, parent))) return []
  return readdirSync(join(root, parent), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(parent, entry.name)
      return { dir, manifest: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest }
    })
    .sort((a, b) => a.dir.localeCompare(b.dir))
}

/** Every non-private package under `packages/`. */
export function publishedPackages(root = repoRoot()): PublishedPackage[] {
  return packagesUnder(root, 'packages').filter((pkg) => !pkg.manifest.private)
}

/** The names of the workspace's private packages (tools, examples): never in a published manifest. */
export function privatePackageNames(root = repoRoot()): string[] {
  const tools = JSON.parse(readFileSync(join(root, 'tools', 'package.json'), 'utf8')) as Manifest
  return [tools, ...['packages', 'examples'].flatMap((parent) => packagesUnder(root, parent).map((pkg) => pkg.manifest))]
    .filter((manifest) => manifest.private)
    .map((manifest) => manifest.name)
}

/** `pnpm pack` every published package into `dest` (packages must be built first). */
export async function packTarballs(dest: string, root = repoRoot()): Promise<Tarball[]> {
  const packed: Tarball[] = []
  for (const pkg of publishedPackages(root)) {
    const out = await run('pnpm', ['pack', '--pack-destination', dest], { cwd: join(root, pkg.dir) })
    const file = out
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .findLast((line) => line.endsWith('.tgz'))
    if (!file) throw new Error(`pnpm pack in ${pkg.dir} printed no tarball path:\n${out}`)
    packed.push({ ...pkg, file })
  }
  return packed
}

/** Which export entries (`.`, `./masquerade`...) offer a CommonJS (`require`) condition. */
export function entrypoints(manifest: Manifest): { cjs: string[]; esmOnly: string[] } {
  const cjs: string[] = []
  const esmOnly: string[] = []
  for (const [key, target] of Object.entries(manifest.exports ?? { '.': manifest.main })) {
    if (key === './package.json') continue
    const text = JSON.stringify(target)
    const requires = text.includes('"require"') || (typeof target === 'string' ? target.endsWith('.cjs') : false)
    ;(requires ? cjs : esmOnly).push(key)
  }
  return { cjs, esmOnly }
}
