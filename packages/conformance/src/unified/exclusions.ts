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

export const defaultExclusions: readonly UnifiedExclusion[] = [
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
