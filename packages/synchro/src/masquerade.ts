/**
 * `@motor-ts/synchro/masquerade`: a module with every export of `mongodb`, whose client
 * classes are Synchro classes over the framework named by `MOTOR_FRAMEWORK` (`promise`,
 * `rxjs`, `effect`, `callback`; `driver` gives the raw driver; unset means `promise`). Point an
 * existing suite's `import ... from 'mongodb'` here with the vitest plugin
 * (`@motor-ts/synchro/vitest`) or the Node hook (`node --import @motor-ts/synchro/register`),
 * which also redirects `require('mongodb')` (to the CommonJS twin of this module).
 */
import { masqueradeModule } from './masquerade-module.js'

// The hooks pass the importing file as `?from=`, to resolve the framework package from it.
const synchro = masqueradeModule(new URL(import.meta.url).searchParams.get('from') ?? undefined)

export * from 'mongodb'
/** Which framework this module runs on. */
export const motorFramework = synchro.motorFramework
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
