/**
 * Which code the masquerade routes through a framework: a file's `mongodb` is the
 * masquerade unless the file belongs to motor-ts itself (core, Synchro, the framework
 * packages, conformance, the repo's tools: they need the real driver), or to an installed
 * library (a package under `node_modules`) that was not named in the `libraries` option.
 * A file's package is its nearest `package.json` with a name, as Node and npm see it.
 */
import { readFileSync } from 'node:fs'
import { dirname, isAbsolute, join, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** motor-ts's own packages, whose code always gets the real driver. */
const OWN = new Set([
  '@motor-ts/core',
  '@motor-ts/synchro',
  '@motor-ts/promise',
  '@motor-ts/rxjs',
  '@motor-ts/effect',
  '@motor-ts/conformance',
  '@motor-ts/tools',
])

/** Installed libraries to route too: package names, or `*` for every one. */
export type Libraries = readonly string[] | '*'

/** The `libraries` option from `MOTOR_MASQUERADE_LIBRARIES` (`*`, or names separated by commas). */
export function librariesFromEnv(value = process.env.MOTOR_MASQUERADE_LIBRARIES): Libraries {
  if (value?.trim() === '*') return '*'
  return (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
}

export interface PackageOf {
  /** The package's name, if it has one. */
  name?: string
  /** True when the package is installed (it lives in a `node_modules` folder). */
  installed: boolean
}

const byDir = new Map<string, PackageOf>()

/** The package a file belongs to: its nearest `package.json` that has a name. */
export function packageOf(file: string): PackageOf {
  const start = dirname(file)
  const seen: string[] = []
  let found: PackageOf = { installed: false }
  for (let dir = start; ; dir = dirname(dir)) {
    const cached = byDir.get(dir)
    if (cached) {
      found = cached
      break
    }
    seen.push(dir)
    const name = nameAt(dir)
    if (name !== undefined) {
      found = { name, installed: dir.split(sep).includes('node_modules') }
      break
    }
    if (dirname(dir) === dir) break
  }
  for (const dir of seen) byDir.set(dir, found)
  return found
}

function nameAt(dir: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown }).name
    return typeof name === 'string' && name ? name : undefined
  } catch {
    return undefined
  }
}

/** The file path of an importer given as a path or `file:` URL; undefined for anything else (eval, REPL). */
function fileOf(importer: string | undefined): string | undefined {
  if (!importer) return undefined
  if (importer.startsWith('file:')) return fileURLToPath(importer.split('?')[0]!)
  return isAbsolute(importer) ? importer.split('?')[0] : undefined
}

/** Why `importer`'s `mongodb` stays the real driver (`own`: it is motor-ts's code), or undefined when the masquerade routes it. */
export function keepsDriver(importer: string | undefined, libraries: Libraries): { own: boolean; why: string } | undefined {
  const file = fileOf(importer)
  if (!file) return undefined
  const pkg = packageOf(file)
  if (pkg.name && OWN.has(pkg.name)) return { own: true, why: `${pkg.name} is part of motor-ts` }
  if (pkg.installed && libraries !== '*' && !(pkg.name && libraries.includes(pkg.name)))
    return { own: false, why: `${pkg.name ?? file} is an installed library (route it with MOTOR_MASQUERADE_LIBRARIES=${pkg.name ?? '*'})` }
  return undefined
}
