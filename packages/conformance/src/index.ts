/**
 * @motor-ts/conformance: the conformance machinery that checks a motor-ts framework against
 * the raw `mongodb` driver: the scenarios (plain driver-API code over every wrapped class),
 * the unified-format spec runner, and the targets (the driver, then Synchro over each
 * framework). The vitest-bound suite `suite()` is `@motor-ts/conformance/vitest`; the CLI is
 * `motor-conformance`.
 */

export { missingNeeds, runScenario, type ScenarioResult } from './run-scenario.js'
export { type Scenario, type ScenarioEnv, type ScenarioNeed, scenarios } from './scenarios.js'
export { checkSubclassing } from './subclass-check.js'
export { type ConformanceTarget, conformanceTargets } from './targets.js'
export * from './unified/index.js'
