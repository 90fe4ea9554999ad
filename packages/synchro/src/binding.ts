/**
 * Framework bindings by name: which package holds each motor-ts framework and how to load
 * it. Synchro depends on no framework: a binding is resolved the way Node resolves a
 * `require` from the code that asked for it (the file importing `mongodb`, then the current
 * directory), so the user's project supplies the framework package.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import type { MotorConstructors } from '@motor-ts/core'

/** Framework name → package and the export holding its binding. */
export const knownFrameworks: Readonly<Record<string, { pkg: string; binding: string }>> = {
  promise: { pkg: '@motor-ts/promise', binding: 'motorPromise' },
  rxjs: { pkg: '@motor-ts/rxjs', binding: 'motorRxjs' },
  effect: { pkg: '@motor-ts/effect', binding: 'motorEffect' },
  callback: { pkg: '@motor-ts/callback', binding: 'motorCallback' },
}

/** What `MOTOR_FRAMEWORK` may name: a known framework, or `driver` for the raw driver. */
export function checkFramework(name: string): string {
  if (name === 'driver' || Object.hasOwn(knownFrameworks, name)) return name
  throw new TypeError(
    `motor-ts: MOTOR_FRAMEWORK=${JSON.stringify(name)} is not a motor-ts framework: use one of ${Object.keys(knownFrameworks).join(', ')} (or driver for the raw driver)`,
  )
}

/**
 * Load a framework binding by name synchronously, resolving its package from each of `from`
 * in turn (a file path or `file:` URL; a directory is given as a path ending in `/`). The
 * error names every place tried.
 */
export function requireBinding(name: string, from: readonly (string | undefined)[]): MotorConstructors<any> {
  const known = knownFrameworks[checkFramework(name)]
  if (!known) throw new TypeError('motor-ts: the raw driver (driver) has no framework binding')
  const tried: string[] = []
  for (const base of from) {
    if (!base || tried.includes(base)) continue
    tried.push(base)
    let resolved: string
    try {
      resolved = createRequire(base).resolve(known.pkg)
    } catch {
      continue
    }
    const binding = (createRequire(resolved)(resolved) as Record<string, unknown>)[known.binding] as MotorConstructors<any> | undefined
    if (!binding?.framework) throw new TypeError(`motor-ts: ${resolved} (${known.pkg}) does not export the binding ${known.binding}`)
    return binding
  }
  throw new Error(
    `motor-ts: framework "${name}" needs ${known.pkg}, which Node could not resolve from ${tried.join(' nor from ') || 'anywhere'}: install ${known.pkg} beside the code that uses it`,
  )
}

/** Load a framework binding by name (`promise`, `rxjs`, `effect`), resolved from `fromDir`. */
export async function loadBinding(name: string, fromDir = process.cwd()): Promise<MotorConstructors<any>> {
  return requireBinding(name, [join(fromDir, '/')])
}
