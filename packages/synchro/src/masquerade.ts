/**
 * `@motor-ts/synchro/masquerade`: a module with every export of `mongodb`, whose client
 * classes are Synchro classes over the framework named by `MOTOR_FRAMEWORK`
 * (`promise`, `rxjs`, `effect`; `driver` or unset-and-not-forced gives the raw driver).
 * Point an existing suite's `import ... from 'mongodb'` here with the vitest plugin
 * (`@motor-ts/synchro/vitest`) or the Node hook (`node --import @motor-ts/synchro/register`).
 * ESM only (it loads the framework with top-level await).
 */
import * as mongodb from 'mongodb'
import { createSynchro, type MongodbModule } from './synchro.js'
import { loadBinding } from './binding.js'

const framework = process.env.MOTOR_FRAMEWORK ?? 'promise'
const synchro: MongodbModule = framework === 'driver' ? mongodb : createSynchro(await loadBinding(framework))

export * from 'mongodb'
/** Which framework this module runs on. */
export const motorFramework = framework
export const {
  MongoClient,
  Db,
  Admin,
  Collection,
  AbstractCursor,
  ExplainableCursor,
  FindCursor,
  AggregationCursor,
  ListCollectionsCursor,
  ListIndexesCursor,
  ChangeStream,
  ClientSession,
  GridFSBucket,
  GridFSBucketReadStream,
  GridFSBucketWriteStream,
  OrderedBulkOperation,
  UnorderedBulkOperation,
  ClientEncryption,
} = synchro
export default synchro
