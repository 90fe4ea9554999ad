/**
 * @motor-ts/effect: the MongoDB driver through motor-ts with Effect 4. Install this one
 * package: it re-exports everything from `mongodb` (ObjectId, driver error classes, types) and
 * replaces the client classes with motor-ts wrappers whose async methods return lazy
 * `Effect`s failing with tagged `MotorError`s, and whose cursors and change streams become
 * `Stream`s (`toStream()`). `MongoClientService` provides a client through a `Layer`.
 */
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
  motorEffect,
} from './client.js'
export {
  AbortedFailure,
  DriverFailure,
  DuplicateKeyFailure,
  InvalidArgumentFailure,
  isMotorError,
  type MotorError,
  type MotorErrorFields,
  MotorFailure,
  NetworkFailure,
  originalError,
  ServerFailure,
  ServerSelectionFailure,
  TimeoutFailure,
  TransactionFailure,
  toMotorError,
  UnknownFailure,
} from './errors.js'
export { type EffectTypes, effectFramework } from './framework.js'
export { MongoClientService } from './services.js'
