/**
 * @motor-ts/synchro: any motor-ts framework client behind the official `mongodb` Promise
 * API (`createSynchro`). The masquerade (`/masquerade`, `/register`, `/vitest`) runs code
 * written for the driver through a framework unchanged. The conformance suite that checks
 * every framework against the driver is `@motor-ts/conformance`.
 */

export { knownFrameworks, loadBinding } from './binding.js'
export { createSynchro, driverObjectOf, type MongodbModule } from './synchro.js'
