/**
 * The conformance targets: the raw driver (the baseline) and Synchro over each framework
 * binding. Bindings are loaded by package name from the current project (the user's
 * project installs the framework packages, not Synchro), so Synchro itself depends on no
 * framework.
 */
import { createSynchro, knownFrameworks, loadBinding, type MongodbModule } from '@motor-ts/synchro'
import * as mongodb from 'mongodb'

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
