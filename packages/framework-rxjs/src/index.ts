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
import * as core from '@motor-ts/core'
import type { ChangeStreamDocument, Document } from 'mongodb'
import { type RxTypes as F, rxjsFramework } from './framework.js'

export * from 'mongodb'

/** Core's framework-generic types, so code written once for every framework needs only this package. */
export type {
  FrameworkTypes,
  Future,
  MotorAbstractCursor,
  MotorAdmin,
  MotorAggregationCursor,
  MotorChangeStream,
  MotorClientEncryption,
  MotorClientSession,
  MotorCollection,
  MotorDb,
  MotorFindCursor,
  MotorGridFSBucket,
  MotorListCollectionsCursor,
  MotorListIndexesCursor,
  MotorMongoClient,
  MotorOptions,
  MotorOrderedBulkOperation,
  MotorUnorderedBulkOperation,
  Stream as MotorStream,
} from '@motor-ts/core'
export { type RxTypes, rxjsFramework } from './framework.js'

const motor = core.createMotor(rxjsFramework)

/** The motor-ts `MongoClient` for RxJS. */
export const MongoClient = motor.MongoClient
/** The motor-ts `GridFSBucket` for RxJS. */
export const GridFSBucket = motor.GridFSBucket
/** The motor-ts `ClientEncryption` for RxJS (needs `mongodb-client-encryption`). */
export const ClientEncryption = motor.ClientEncryption
/** Every wrapper class, and `wrap()` for driver objects obtained elsewhere. */
export const motorRxjs = motor

export type MongoClient = core.MotorMongoClient<F>
export type Db = core.MotorDb<F>
export type Admin = core.MotorAdmin<F>
export type Collection<TSchema extends Document = Document> = core.MotorCollection<F, TSchema>
export type FindCursor<TSchema = any> = core.MotorFindCursor<F, TSchema>
export type AggregationCursor<TSchema = any> = core.MotorAggregationCursor<F, TSchema>
export type ChangeStream<TSchema extends Document = Document, TChange extends Document = ChangeStreamDocument<TSchema>> =
  core.MotorChangeStream<F, TSchema, TChange>
export type ClientSession = core.MotorClientSession<F>
export type GridFSBucket = core.MotorGridFSBucket<F>
