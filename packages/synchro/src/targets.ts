/**
 * The conformance targets: the raw driver (the baseline) and Synchro over each framework
 * binding. Bindings are loaded by package name from the current project (the user's
 * project installs the framework packages, not Synchro), so Synchro itself depends on no
 * framework.
 */
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { MotorConstructors } from '@motor-ts/core'
import * as mongodb from 'mongodb'
import { createSynchro, type MongodbModule } from './synchro.js'

/** Framework name → package and the export holding its binding. */
export const knownFrameworks: Readonly<Record<string, { pkg: string; binding: string }>> = {
  promise: { pkg: '@motor-ts/promise', binding: 'motorPromise' },
  rxjs: { pkg: '@motor-ts/rxjs', binding: 'motorRxjs' },
  effect: { pkg: '@motor-ts/effect', binding: 'motorEffect' },
  callback: { pkg: '@motor-ts/callback', binding: 'motorCallback' },
}

/** Load a framework binding by name (`promise`, `rxjs`, `effect`, `callback`), resolved from `fromDir`. */
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

export interface ConformanceTarget {
  name: string
  driver: MongodbModule
}

/** The raw driver, then Synchro over each named framework. */
export async function conformanceTargets(frameworks: readonly string[] = Object.keys(knownFrameworks)): Promise<ConformanceTarget[]> {
  const targets: ConformanceTarget[] = [{ name: 'driver', driver: mongodb }]
  for (const name of frameworks) targets.push({ name, driver: createSynchro(await loadBinding(name)) })
  return targets
}
