/**
 * @motor-ts/callback: the MongoDB driver through motor-ts with Node-style callbacks, a
 * drop-in for `mongodb-legacy`. Install this one package: it re-exports everything from
 * `mongodb` and replaces the client classes with motor-ts wrappers whose every async
 * method takes an optional trailing callback `(error, result)` and, without one, returns a
 * Promise. The methods come from core's table of the driver's API, so the day the driver
 * adds one it has its callback form (and `pnpm api-diff` fails until the table names it).
 *
 * Callbacks are a calling convention over the Promise framework: futures are the driver's
 * Promises, `toStream()` an async iterable, and `cursor.stream()` the driver's Node stream.
 */
import * as core from '@motor-ts/core'
import { type PromiseTypes, promiseFramework } from '@motor-ts/promise'
import type * as mongodb from 'mongodb'
import type { ChangeStreamDocument, Document } from 'mongodb'
import { addCallbacks, type NodeCallback } from './callbacks.js'
import type * as api from './generated/driver-api.generated.js'

export * from 'mongodb'
export type { MotorSessionCallback, NodeCallback, Uploadable } from './callbacks.js'

/** The callback framework's types: Promises when no callback is given, async iterables for streams. */
export type CallbackTypes = PromiseTypes
type F = CallbackTypes

/** The framework interface, as the Promise framework implements it (callbacks are added at the edge). */
export const callbackFramework: core.Framework<CallbackTypes> = { ...promiseFramework, name: 'callback' }

const motor = core.createMotor(callbackFramework)
addCallbacks(motor)

/** The wrapped `MongoClient` class, with `connect` in Promise and callback forms. */
export interface MongoClientConstructor {
  new (url: string, options?: mongodb.MongoClientOptions): MongoClient
  connect(url: string, options?: mongodb.MongoClientOptions): Promise<MongoClient>
  connect(url: string, callback: NodeCallback<MongoClient>): void
  connect(url: string, options: mongodb.MongoClientOptions | undefined, callback: NodeCallback<MongoClient>): void
  readonly prototype: MongoClient
}

/** The motor-ts `MongoClient` with callbacks. */
export const MongoClient = motor.MongoClient as unknown as MongoClientConstructor
/** The motor-ts `GridFSBucket` with callbacks. */
export const GridFSBucket = motor.GridFSBucket as unknown as {
  new (db: Db | mongodb.Db, options?: mongodb.GridFSBucketOptions): GridFSBucket
  readonly prototype: GridFSBucket
}
/** The motor-ts `ClientEncryption` with callbacks (needs `mongodb-client-encryption`). */
export const ClientEncryption = motor.ClientEncryption as unknown as {
  new (client: MongoClient | mongodb.MongoClient, options: mongodb.ClientEncryptionOptions): ClientEncryption
  readonly prototype: ClientEncryption
}
/** Every wrapper class, and `wrap()` for driver objects obtained elsewhere. */
export const motorCallback = motor

export type MongoClient = api.MotorMongoClient<F>
export type Db = api.MotorDb<F>
export type Admin = api.MotorAdmin<F>
export type Collection<TSchema extends Document = Document> = api.MotorCollection<F, TSchema>
export type FindCursor<TSchema = any> = api.MotorFindCursor<F, TSchema>
export type AggregationCursor<TSchema = any> = api.MotorAggregationCursor<F, TSchema>
export type ChangeStream<TSchema extends Document = Document, TChange extends Document = ChangeStreamDocument<TSchema>> =
  api.MotorChangeStream<F, TSchema, TChange>
export type ClientSession = api.MotorClientSession<F>
export type GridFSBucket = api.MotorGridFSBucket<F>
export type ClientEncryption = api.MotorClientEncryption<F>
