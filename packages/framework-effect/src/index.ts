/**
 * @motor-ts/effect: the MongoDB driver through motor-ts with Effect 4. Install this one
 * package: it re-exports everything from `mongodb` (ObjectId, driver error classes, types) and
 * replaces the client classes with motor-ts wrappers whose async methods return lazy
 * `Effect`s (each in a tracing span) failing with a tagged `MotorError` whose `reason` says
 * why, and whose cursors and change streams become `Stream`s (`toStream()`). The `Mongo`
 * module provides the client as a service (`Mongo.MongoClient`) through `Mongo.layer` /
 * `Mongo.layerConfig`; `withSchema` checks a collection's documents against a Standard Schema.
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
  motorEffect,
  withSchema,
} from './client.js'
export {
  AbortedFailure,
  DriverFailure,
  DuplicateKeyFailure,
  InvalidArgumentFailure,
  isMotorError,
  MotorError,
  type MotorErrorFields,
  type MotorErrorReason,
  MotorFailure,
  NetworkFailure,
  originalError,
  ServerFailure,
  ServerSelectionFailure,
  TimeoutFailure,
  TransactionFailure,
  toMotorError,
  UnknownFailure,
  ValidationFailure,
} from './errors.js'
export { type EffectTypes, effectFramework } from './framework.js'
export * as Mongo from './Mongo.js'
/** @deprecated Renamed `Mongo.MongoClient` (the service), with `Mongo.layer` / `Mongo.layerConfig` / `Mongo.session`. */
export { MongoClient as MongoClientService } from './Mongo.js'
