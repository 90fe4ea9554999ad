/**
 * Core's framework-generic types, re-exported whole by every framework package
 * (`export type * from '@motor-ts/core/shared-types'`), so code written once for every
 * framework needs only the framework package. Types only: this entry has no runtime code.
 */
export type { MotorOptions } from './extras.js'
export type { FrameworkTypes, Future, Stream as MotorStream } from './framework.js'
export type {
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
  MotorOrderedBulkOperation,
  MotorUnorderedBulkOperation,
} from './generated/driver-api.generated.js'
export type { DocumentSchema } from './schema.js'
