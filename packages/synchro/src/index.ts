/**
 * @motor-ts/synchro: any motor-ts framework client behind the official `mongodb` Promise
 * API (`createSynchro`), and the shared conformance suite (`suite`, `scenarios`) that
 * every framework binding runs against the raw driver.
 */
export { createSynchro, driverObjectOf, type MongodbModule } from './synchro.js'
export { type Scenario, type ScenarioEnv, type ScenarioNeed, scenarios } from './scenarios.js'
export { missingNeeds, runScenario, type ScenarioResult } from './run-scenario.js'
export { suite, type SuiteOptions, type SuiteServer } from './suite.js'
export { type ConformanceTarget, conformanceTargets, knownFrameworks, loadBinding } from './targets.js'
export * from './unified/index.js'
