/**
 * The shared conformance suite (a TCK): `suite(name, binding, options)` registers vitest
 * tests that run every scenario, and any unified-format spec directories given, on the raw
 * driver and on Synchro over `binding`, and require the framework's verdict to equal the
 * driver's. Each framework package calls it from its own test; a third party's framework
 * binding can call it the same way. Needs `vitest` (an optional peer dependency).
 */

import { readdirSync } from 'node:fs'
import { basename } from 'node:path'
import type { FrameworkTypes, MotorConstructors } from '@motor-ts/core'
import { createSynchro } from '@motor-ts/synchro'
import * as mongodb from 'mongodb'
import { describe, expect, it } from 'vitest'
import { missingNeeds, runScenario } from './run-scenario.js'
import { type ScenarioNeed, scenarios } from './scenarios.js'
import { checkSubclassing } from './subclass-check.js'
import { runUnifiedFile } from './unified/index.js'

export interface SuiteServer {
  uri: string
  /** Shown in skip notes, e.g. `SecantusDB 0.7.0b3`. */
  name: string
  capabilities: Partial<Record<ScenarioNeed, boolean>>
}

export interface SuiteOptions {
  /** The server to run on; called when tests run (so it can read vitest's `inject`). */
  server: () => SuiteServer
  /** Directories of unified-format spec files to run on both targets (default none). */
  specs?: readonly string[]
}

export function suite<F extends FrameworkTypes>(name: string, binding: MotorConstructors<F>, options: SuiteOptions): void {
  const synchro = createSynchro(binding)
  describe(`conformance: ${name} matches the driver`, () => {
    it('subclasses of MongoClient, GridFSBucket and ClientEncryption construct working wrappers', async () => {
      await checkSubclassing(binding, options.server().uri, `subclass_${name}_${process.pid}`)
    })
    for (const scenario of scenarios) {
      it(scenario.name, async (ctx) => {
        const srv = options.server()
        const why = missingNeeds(scenario, srv.name, srv.capabilities)
        if (why) ctx.skip(why)
        const baseline = await runScenario(mongodb, scenario, srv.uri)
        expect(baseline, 'the scenario must hold on the raw driver').toEqual({ verdict: 'passed' })
        expect(await runScenario(synchro, scenario, srv.uri)).toEqual(baseline)
      })
    }
    for (const dir of options.specs ?? []) {
      const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
      for (const file of files) {
        it(`spec ${basename(dir)}/${file}`, async () => {
          const uri = options.server().uri
          const path = `${dir}/${file}`
          const verdicts = async (driver: typeof mongodb) =>
            Object.fromEntries((await runUnifiedFile(path, { driver, uri })).map((r) => [r.description, r.verdict]))
          const baseline = await verdicts(mongodb)
          expect(await verdicts(synchro)).toEqual(baseline)
        })
      }
    }
  })
}
