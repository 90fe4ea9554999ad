/**
 * @motor-ts/rxjs: the MongoDB driver through motor-ts with RxJS. Install this one package
 * (with `rxjs`): it re-exports everything from `mongodb` (ObjectId, errors, types) and
 * replaces the client classes with motor-ts wrappers whose async methods return cold
 * Observables — nothing runs until you subscribe, each subscription runs again, and
 * unsubscribing cancels — and whose cursors and change streams become Observables of
 * documents with `toStream()` (unsubscribing closes the server cursor).
 *
 * Constructors stay synchronous as in the driver: `new MongoClient('notmongo://x')` throws
 * the driver's `MongoParseError` at once, while `MongoClient.connect(url)` is an Observable
 * and reports every failure, a bad URL included, in its error channel.
 */


export { SchemaValidationError } from '@motor-ts/core'
/** Core's framework-generic types, so code written once for every framework needs only this package. */
export type * from '@motor-ts/core/shared-types'
export * from 'mongodb'
export {
  type Admin,
  type AggregationCursor,
  type ChangeStream,
  ClientEncryption,
  type ClientSession,
  type Collection,
  type Db,
  type FindCursor,
  GridFSBucket,
  MongoClient,
  motorRxjs,
  withSchema,
} from './client.js'
export { type RxTypes, rxjsFramework } from './framework.js'
export { connect$, session$, usingClient } from './resources.js'
