/**
 * @motor-ts/promise: the MongoDB driver through motor-ts with Promises. Install this one
 * package: it re-exports everything from `mongodb` (ObjectId, errors, types) and replaces
 * the client classes with motor-ts wrappers whose async methods return Promises and whose
 * cursors and change streams are async iterables (`toStream()`, or `for await` directly).
 */
import * as core from '@motor-ts/core'
import type { ChangeStreamDocument, Document } from 'mongodb'
import { type PromiseTypes as F, promiseFramework } from './framework.js'


/** Core's framework-generic types, so code written once for every framework needs only this package. */
export type * from '@motor-ts/core/shared-types'
export * from 'mongodb'
export { type PromiseTypes, promiseFramework } from './framework.js'

const motor = core.createMotor(promiseFramework)

/** The motor-ts `MongoClient` for Promises. */
export const MongoClient = motor.MongoClient
/** The motor-ts `GridFSBucket` for Promises. */
export const GridFSBucket = motor.GridFSBucket
/** The motor-ts `ClientEncryption` for Promises (needs `mongodb-client-encryption`). */
export const ClientEncryption = motor.ClientEncryption
/** Every wrapper class, and `wrap()` for driver objects obtained elsewhere. */
export const motorPromise = motor
/**
 * A schema-checked view of a collection: reads validated and decoded, writes validated before
 * they leave, typed after the schema (any Standard Schema: Zod, Valibot, ArkType, Effect Schema).
 */
export const withSchema = motor.withSchema
export { SchemaValidationError } from '@motor-ts/core'

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
