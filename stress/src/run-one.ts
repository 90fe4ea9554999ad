/**
 * One scenario for one framework, in a process of its own (started by `cli.ts`): runs it,
 * closes everything it opened, prints its result as one marked JSON line, and then simply
 * returns. The runner checks that the process exits on its own (nothing left open) and that
 * it never warned about accumulating listeners.
 */
import { ProcessWatch } from './probes.ts'
import { type ChildSettings, RESULT_MARK, type ScenarioName, type ScenarioResult } from './report.ts'
import { cancelStorm } from './scenarios/cancel-storm.ts'
import { fuzz } from './scenarios/fuzz.ts'
import { secrets } from './scenarios/secrets.ts'
import { serverFaults } from './scenarios/server-faults.ts'
import { webLoad } from './scenarios/web-load.ts'

export type Scenario = (settings: ChildSettings, watch: ProcessWatch) => Promise<ScenarioResult>

const scenarios: Record<ScenarioName, Scenario> = {
  'web-load': webLoad,
  'cancel-storm': cancelStorm,
  'server-faults': serverFaults,
  fuzz,
  secrets,
}

const settings = JSON.parse(process.env.MOTOR_STRESS_SETTINGS ?? '{}') as ChildSettings
const watch = new ProcessWatch()
let result: ScenarioResult
try {
  result = await scenarios[settings.scenario](settings, watch)
} catch (error) {
  result = { figures: [], failures: [`the scenario threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`] }
}
if (watch.unhandled) result.failures.push(`${watch.unhandled} unhandled rejection(s)`)
if (watch.uncaught) result.failures.push(`${watch.uncaught} uncaught exception(s)`)
if (watch.maxListenerWarnings) result.failures.push(`${watch.maxListenerWarnings} MaxListenersExceededWarning`)
if (watch.samples.length) result.failures.push(...watch.samples)
result.activeResources = process.getActiveResourcesInfo()
process.stdout.write(`${RESULT_MARK}${JSON.stringify(result)}\n`)
