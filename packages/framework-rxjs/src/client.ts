/**
 * The wrapper classes for RxJS, built once by core's `createMotor` from its declarative
 * table: no per-method code lives in this package. Also the type aliases users name
 * (`Collection<T>`, `FindCursor<T>`...), which are core's generic wrappers applied to RxJS.
 */
import * as core from '@motor-ts/core'
import type { ChangeStreamDocument, Document } from 'mongodb'
import { type RxTypes as F, rxjsFramework } from './framework.js'

const motor = core.createMotor(rxjsFramework)

/** The motor-ts `MongoClient` for RxJS. */
export const MongoClient = motor.MongoClient
/** The motor-ts `GridFSBucket` for RxJS. */
export const GridFSBucket = motor.GridFSBucket
/** The motor-ts `ClientEncryption` for RxJS (needs `mongodb-client-encryption`). */
export const ClientEncryption = motor.ClientEncryption
/** Every wrapper class, and `wrap()` for driver objects obtained elsewhere. */
export const motorRxjs = motor
/**
 * A schema-checked view of a collection: reads validated and decoded, writes validated before
 * they leave, typed after the schema (any Standard Schema: Zod, Valibot, ArkType, Effect Schema).
 */
export const withSchema = motor.withSchema

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
