/**
 * Tests the runner deliberately does not run, with a specific reason each. Only tests that
 * the official Node driver's own unified runner also skips belong here; a server that cannot
 * do something is a baseline failure, not an exclusion. Every entry must match a test of a
 * file in the run, otherwise the run reports a failure (stale entries are not tolerated).
 */
import type { UnifiedExclusion } from './types.js'

const WITH_TRANSACTION_WTIMEOUT =
  'mongodb 7.x commitTransaction merges {w: "majority", wtimeoutMS: 10000} under an explicit or inherited ' +
  'write concern, so commitTransaction carries writeConcern {w: 1, wtimeout: 10000} where the test expects ' +
  'exactly {w: 1}; the Node driver\'s own unified runner skips this test (NODE-5962)'

const NULL_ID =
  'mongodb 7.x treats `_id: null` as missing and generates an ObjectId on insert (insertOne, insertMany, ' +
  'bulkWrite, client bulkWrite), so no document with a null _id exists; skipped by the Node driver (NODE-6468)'
const PARTIAL_RESULT =
  'mongodb 7.x sets MongoClientBulkWriteError.partialResult (all counts 0) even when no write succeeded, ' +
  'where the test expects it unset; skipped by the Node driver (NODE-6384)'
const BYPASS_FALSE =
  'mongodb 7.x only sends bypassDocumentValidation when it is true for this command (aggregate, ' +
  'findAndModify, bulk inserts/updates), so `bypassDocumentValidation: false` is not in the command; ' +
  'skipped by the Node driver (NODE-6484)'

const crud = (file: string, test: string, reason: string): UnifiedExclusion => ({
  file: `crud/tests/unified/${file}`,
  test,
  reason,
  category: 'api-difference',
})

const lacks = (operation: string, driverLacks: string, reason: string): UnifiedExclusion => ({
  operation,
  driverLacks,
  reason,
  category: 'api-difference',
})

/** Operations of the format that the Node driver (7.x) does not have: every test using one is skipped. */
const MISSING_OPERATIONS: readonly UnifiedExclusion[] = [
  lacks('mapReduce', 'Collection.mapReduce', 'the Node driver removed Collection.mapReduce in 5.0 (NODE-4924); its runner skips mapReduce tests'),
  lacks(
    'listCollectionObjects',
    'Db.listCollectionObjects',
    'the Node driver has no listCollectionObjects (listCollections is the only form); its runner skips these tests',
  ),
  lacks(
    'listDatabaseObjects',
    'MongoClient.listDatabaseObjects',
    'the Node driver has no listDatabaseObjects (Admin.listDatabases is the only form); its runner skips these tests',
  ),
  lacks('deleteByName', 'GridFSBucket.deleteByName', 'GridFSBucket has no deleteByName in the Node driver; its runner skips these tests (NODE-6511)'),
  lacks('renameByName', 'GridFSBucket.renameByName', 'GridFSBucket has no renameByName in the Node driver; its runner skips these tests (NODE-6511)'),
]

const COMMIT_WTIMEOUT =
  'mongodb 7.x sends commitTransaction and abortTransaction with {w: "majority", wtimeout: 10000} merged ' +
  'under whatever write concern applies (ClientSession.commitTransaction/abortTransaction), where the test ' +
  'expects that write concern alone; a driver behaviour the Node driver\'s own runner skips (NODE-5962)'
const wtimeout = (file: string, tests: string[]): UnifiedExclusion[] =>
  tests.map((test) => ({ file, test, reason: COMMIT_WTIMEOUT, category: 'api-difference' }))

const GRIDFS_EQ =
  'mongodb 7.x GridFS queries files and chunks with {_id: {$eq: id}} and {files_id: {$eq: id}}, where the ' +
  'test expects {_id: id}; a driver behaviour, not a server or wrapper difference'
const FINAL_CHUNK =
  'mongodb 7.x returns the bytes it found when the final chunk is missing instead of raising ChunkIsMissing; ' +
  'the Node driver\'s own runner skips this test'

export const defaultExclusions: readonly UnifiedExclusion[] = [
  ...MISSING_OPERATIONS,
  ...wtimeout('transactions-convenient-api/tests/unified/transaction-options.json', [
    'withTransaction inherits transaction options from client',
    'withTransaction inherits transaction options from defaultTransactionOptions',
    'withTransaction explicit transaction options',
    'withTransaction explicit transaction options override defaultTransactionOptions',
    'withTransaction explicit transaction options override client options',
  ]),
  ...wtimeout('transactions/tests/unified/client-bulkWrite.json', [
    'client writeConcern ignored for client bulkWrite in transaction',
  ]),
  ...wtimeout('transactions/tests/unified/delete.json', [
    'collection writeConcern ignored for delete',
  ]),
  ...wtimeout('transactions/tests/unified/error-labels-errorLabels.json', [
    'add RetryableWriteError and UnknownTransactionCommitResult labels to writeConcernError ShutdownInProgress',
  ]),
  ...wtimeout('transactions/tests/unified/error-labels.json', [
    'add UnknownTransactionCommitResult label to writeConcernError WriteConcernTimeout',
    'add UnknownTransactionCommitResult label to writeConcernError WriteConcernTimeout with wtimeout',
    'omit UnknownTransactionCommitResult label from writeConcernError UnsatisfiableWriteConcern',
    'omit UnknownTransactionCommitResult label from writeConcernError UnknownReplWriteConcern',
    'add UnknownTransactionCommitResult label to MaxTimeMSExpired',
    'add UnknownTransactionCommitResult label to writeConcernError MaxTimeMSExpired',
  ]),
  ...wtimeout('transactions/tests/unified/findOneAndDelete.json', [
    'collection writeConcern ignored for findOneAndDelete',
  ]),
  ...wtimeout('transactions/tests/unified/findOneAndReplace.json', [
    'collection writeConcern ignored for findOneAndReplace',
  ]),
  ...wtimeout('transactions/tests/unified/findOneAndUpdate.json', [
    'collection writeConcern ignored for findOneAndUpdate',
  ]),
  ...wtimeout('transactions/tests/unified/insert.json', [
    'collection writeConcern ignored for insert',
  ]),
  ...wtimeout('transactions/tests/unified/retryable-abort-errorLabels.json', [
    'abortTransaction succeeds after WriteConcernError InterruptedAtShutdown',
    'abortTransaction succeeds after WriteConcernError InterruptedDueToReplStateChange',
    'abortTransaction succeeds after WriteConcernError PrimarySteppedDown',
    'abortTransaction succeeds after WriteConcernError ShutdownInProgress',
  ]),
  ...wtimeout('transactions/tests/unified/retryable-abort.json', [
    'abortTransaction does not retry after WriteConcernError Interrupted',
  ]),
  ...wtimeout('transactions/tests/unified/retryable-commit-errorLabels.json', [
    'commitTransaction succeeds after WriteConcernError InterruptedAtShutdown',
    'commitTransaction succeeds after WriteConcernError InterruptedDueToReplStateChange',
    'commitTransaction succeeds after WriteConcernError PrimarySteppedDown',
    'commitTransaction succeeds after WriteConcernError ShutdownInProgress',
  ]),
  ...wtimeout('transactions/tests/unified/retryable-commit.json', [
    'commitTransaction is not retried after UnsatisfiableWriteConcern error',
  ]),
  ...wtimeout('transactions/tests/unified/transaction-options.json', [
    'transaction options inherited from client',
    'transaction options inherited from defaultTransactionOptions',
    'startTransaction options override defaults',
    'defaultTransactionOptions override client options',
    'readConcern local in defaultTransactionOptions',
    'client writeConcern ignored for bulk',
  ]),
  ...wtimeout('transactions/tests/unified/update.json', [
    'collections writeConcern ignored for update',
  ]),
  ...wtimeout('transactions/tests/unified/write-concern.json', [
    'commit with majority',
    'abort with majority',
  ]),
  { file: 'retryable-reads/tests/unified/gridfs-download.json', reason: GRIDFS_EQ, category: 'api-difference' },
  { file: 'retryable-reads/tests/unified/gridfs-download-serverErrors.json', reason: GRIDFS_EQ, category: 'api-difference' },
  { file: 'gridfs/tests/download.json', test: 'download when final chunk is missing', reason: FINAL_CHUNK, category: 'api-difference' },
  crud('create-null-ids.json', 'inserting _id with type null via insertOne', NULL_ID),
  crud('create-null-ids.json', 'inserting _id with type null via insertMany', NULL_ID),
  crud('create-null-ids.json', 'inserting _id with type null via bulkWrite', NULL_ID),
  crud('create-null-ids.json', 'inserting _id with type null via clientBulkWrite', NULL_ID),
  crud(
    'client-bulkWrite-partialResults.json',
    'partialResult is unset when first operation fails during an ordered bulk write (verbose)',
    PARTIAL_RESULT,
  ),
  crud(
    'client-bulkWrite-partialResults.json',
    'partialResult is unset when first operation fails during an ordered bulk write (summary)',
    PARTIAL_RESULT,
  ),
  crud(
    'client-bulkWrite-partialResults.json',
    'partialResult is unset when all operations fail during an unordered bulk write',
    PARTIAL_RESULT,
  ),
  crud('bypassDocumentValidation.json', 'Aggregate with $out passes bypassDocumentValidation: false', BYPASS_FALSE),
  crud('bypassDocumentValidation.json', 'BulkWrite passes bypassDocumentValidation: false', BYPASS_FALSE),
  crud('bypassDocumentValidation.json', 'FindOneAndReplace passes bypassDocumentValidation: false', BYPASS_FALSE),
  crud('bypassDocumentValidation.json', 'FindOneAndUpdate passes bypassDocumentValidation: false', BYPASS_FALSE),
  crud('bypassDocumentValidation.json', 'InsertMany passes bypassDocumentValidation: false', BYPASS_FALSE),
  {
    file: 'unified-test-format/tests/valid-pass/poc-transactions-convenient-api.json',
    test: 'withTransaction inherits transaction options from client',
    reason: WITH_TRANSACTION_WTIMEOUT,
    category: 'api-difference',
  },
  {
    file: 'unified-test-format/tests/valid-pass/poc-transactions-convenient-api.json',
    test: 'withTransaction inherits transaction options from defaultTransactionOptions',
    reason: WITH_TRANSACTION_WTIMEOUT,
    category: 'api-difference',
  },
  {
    file: 'unified-test-format/tests/valid-pass/poc-transactions-convenient-api.json',
    test: 'withTransaction explicit transaction options',
    reason: WITH_TRANSACTION_WTIMEOUT,
    category: 'api-difference',
  },
]
