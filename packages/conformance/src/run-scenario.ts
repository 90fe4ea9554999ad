/**
 * Runs one scenario on one target (`mongodb` or a Synchro module) in a database of its
 * own, dropped afterwards through a plain driver client, and reports its verdict.
 */

import type { MongodbModule } from '@motor-ts/synchro'
import * as mongodb from 'mongodb'
import type { Scenario, ScenarioNeed } from './scenarios.js'

export interface ScenarioResult {
  verdict: 'passed' | 'failed' | 'skipped'
  reason?: string
}

let counter = 0

/** Why a server with `capabilities` cannot run `scenario`, or undefined. */
export function missingNeeds(scenario: Scenario, serverName: string, capabilities: Partial<Record<ScenarioNeed, boolean>>): string | undefined {
  const missing = (scenario.needs ?? []).filter((need) => !capabilities[need])
  return missing.length ? `${serverName} lacks ${missing.join(' and ')}` : undefined
}

export async function runScenario(target: MongodbModule, scenario: Scenario, uri: string): Promise<ScenarioResult> {
  const dbName = `conf_${process.pid.toString(36)}_${Date.now().toString(36)}_${++counter}`
  try {
    await scenario.run(target, { uri, dbName })
    return { verdict: 'passed' }
  } catch (error) {
    return { verdict: 'failed', reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }
  } finally {
    const cleaner = new mongodb.MongoClient(uri, { serverSelectionTimeoutMS: 5000 })
    await cleaner
      .db(dbName)
      .dropDatabase()
      .catch(() => undefined)
    await cleaner.close()
  }
}
