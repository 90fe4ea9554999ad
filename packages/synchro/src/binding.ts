/**
 * Framework bindings by name: which package holds each motor-ts framework and how to load
 * it. Bindings are loaded by package name from the current project (the user's project
 * installs the framework packages, not Synchro), so Synchro itself depends on no framework.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MotorConstructors } from '@motor-ts/core'

/** Framework name → package and the export holding its binding. */
export const knownFrameworks: Readonly<Record<string, { pkg: string; binding: string }>> = {
  promise: { pkg: '@motor-ts/promise', binding: 'motorPromise' },
  rxjs: { pkg: '@motor-ts/rxjs', binding: 'motorRxjs' },
  effect: { pkg: '@motor-ts/effect', binding: 'motorEffect' },
}

/** Load a framework binding by name (`promise`, `rxjs`, `effect`), resolved from `fromDir`. */
export async function loadBinding(name: string, fromDir = process.cwd()): Promise<MotorConstructors<any>> {
  const known = knownFrameworks[name]
  if (!known) throw new Error(`unknown motor-ts framework "${name}": expected one of ${Object.keys(knownFrameworks).join(', ')}`)
  let resolved: string
  try {
    resolved = createRequire(join(fromDir, 'package.json')).resolve(known.pkg)
  } catch {
    throw new Error(`motor-ts framework "${name}" needs ${known.pkg}: install it in ${fromDir}`)
  }
  const mod = (await import(pathToFileURL(resolved.replace(/index\.cjs$/, 'index.js')).href)) as Record<string, unknown>
  const binding = mod[known.binding] as MotorConstructors<any> | undefined
  if (!binding?.framework) throw new Error(`${known.pkg} does not export the binding ${known.binding}`)
  return binding
}

