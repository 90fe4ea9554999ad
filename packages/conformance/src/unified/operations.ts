/**
 * Entity operations: how each operation name of the unified format maps onto the mongodb
 * Node API of the injected driver (clients, databases, collections, sessions, GridFS buckets,
 * cursors and change streams). Arguments are validated against a per-operation list (an
 * unknown argument is a runner error, never an operation error), the `session` argument is
 * resolved to its entity, read/write concern and read preference documents are converted,
 * iterables are fully iterated and result objects are turned into plain documents.
 */
import { type BsonModule, hexToBytes, isDocument } from './bson-utils.js'
import {
  type CursorEntity,
  convertCommonOptions,
  type EntityMap,
  readConcernFrom,
  readPreferenceFrom,
  writeConcernFrom,
} from './entities.js'
import { RunnerError } from './errors.js'
import type { DriverModule } from './types.js'

export interface OpRuntime {
  driver: DriverModule
  bson: BsonModule
  entities: EntityMap
  /** Remembers a cursor so it is closed at the end of the test. */
  trackCursor(c: CursorEntity): void
  /** Runs withTransaction callback operations; errors propagate to the driver. */
  runCallback(operations: unknown[]): Promise<void>
  /** Notes that the test used transactions (open ones are killed afterwards). */
  markTransactions(): void
  /** The driver object behind an entity value, for what the spec reads from driver internals. */
  driverObjectOf(value: unknown): any
}

export interface OpResult {
  value: unknown
  /** The result is an iterable of documents: each element is matched as a root-level document. */
  rootArray?: boolean
  /** The result is a cursor/change stream entity (only meaningful with saveResultAsEntity). */
  cursor?: CursorEntity
  /** A Collection the operation returned (createCollection), saved as a collection entity by saveResultAsEntity. */
  collection?: unknown
}

type Args = Record<string, unknown>
type OpFn = (rt: OpRuntime, target: any, args: Args) => Promise<OpResult>

interface OpSpec {
  required?: string[]
  optional?: string[]
  /** Any argument besides the required ones is accepted and passed through as an option. */
  anyOptions?: boolean
  run: OpFn
}

const COMMON = ['session', 'comment', 'timeoutMS', 'maxTimeMS', 'rawData']
const READ = [...COMMON, 'readConcern', 'readPreference', 'collation', 'hint', 'let']
const FIND = [
  ...READ,
  'sort',
  'projection',
  'skip',
  'limit',
  'batchSize',
  'singleBatch',
  'maxAwaitTimeMS',
  'max',
  'min',
  'returnKey',
  'showRecordId',
  'noCursorTimeout',
  'allowPartialResults',
  'allowDiskUse',
  'cursorType',
  'timeoutMode',
  'oplogReplay',
]
const WRITE = [...COMMON, 'writeConcern', 'bypassDocumentValidation', 'let']
const UPDATE = [...WRITE, 'upsert', 'arrayFilters', 'collation', 'hint', 'sort']
const DELETE = [...WRITE, 'collation', 'hint']
const AGGREGATE = [...READ, 'writeConcern', 'allowDiskUse', 'batchSize', 'bypassDocumentValidation', 'maxAwaitTimeMS', 'timeoutMode']
const CHANGE_STREAM = [
  ...COMMON,
  'batchSize',
  'collation',
  'fullDocument',
  'fullDocumentBeforeChange',
  'maxAwaitTimeMS',
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
  'showExpandedEvents',
  'readConcern',
  'readPreference',
]

/** Builds the driver options object from the non-positional arguments. */
function optionsFrom(rt: OpRuntime, args: Args, positional: string[]): Args {
  const out: Args = {}
  for (const [k, v] of Object.entries(args)) {
    if (positional.includes(k)) continue
    switch (k) {
      case 'session':
        out.session = rt.entities.session(v).value
        break
      case 'readPreference':
        out.readPreference = readPreferenceFrom(rt.driver, v)
        break
      case 'readConcern':
        out.readConcern = readConcernFrom(v)
        break
      case 'writeConcern':
        out.writeConcern = writeConcernFrom(v)
        break
      case 'returnDocument': {
        const s = String(v).toLowerCase()
        if (s !== 'before' && s !== 'after') throw new RunnerError(`returnDocument must be "Before" or "After", got ${JSON.stringify(v)}`)
        out.returnDocument = s
        break
      }
      case 'cursorType':
        if (v === 'tailable') out.tailable = true
        else if (v === 'tailableAwait') {
          out.tailable = true
          out.awaitData = true
        } else if (v !== 'nonTailable') throw new RunnerError(`unsupported cursorType ${JSON.stringify(v)}`)
        break
      default:
        out[k] = v
    }
  }
  return out
}

function checkArgs(name: string, spec: OpSpec, args: Args): void {
  for (const r of spec.required ?? []) {
    if (!(r in args)) throw new RunnerError(`operation ${name}: missing required argument "${r}"`)
  }
  if (spec.anyOptions) return
  const allowed = new Set([...(spec.required ?? []), ...(spec.optional ?? [])])
  for (const k of Object.keys(args)) {
    if (!allowed.has(k)) throw new RunnerError(`operation ${name}: unsupported argument "${k}"`)
  }
}

// ---------------------------------------------------------------------------------------
// Result conversion

function bulkWriteResultDoc(r: any): unknown {
  if (!r || typeof r !== 'object') return r
  const doc: Args = {
    insertedCount: r.insertedCount,
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    deletedCount: r.deletedCount,
    upsertedCount: r.upsertedCount,
    upsertedIds: { ...(r.upsertedIds ?? {}) },
    insertedIds: { ...(r.insertedIds ?? {}) },
  }
  if (typeof r.acknowledged === 'boolean') doc.acknowledged = r.acknowledged
  return doc
}

/** Index-keyed result map as a document, keeping only the fields of the CRUD spec's result model. */
function mapDoc(m: unknown, fields: string[]): unknown {
  if (!(m instanceof Map)) return m
  const out: Args = {}
  for (const [k, v] of m.entries()) {
    const doc: Args = {}
    for (const f of fields) if (v?.[f] !== undefined) doc[f] = v[f]
    out[String(k)] = doc
  }
  return out
}

export function clientBulkWriteResultDoc(r: any): unknown {
  if (!r || typeof r !== 'object') return r
  const doc: Args = {
    acknowledged: r.acknowledged,
    insertedCount: r.insertedCount,
    upsertedCount: r.upsertedCount,
    matchedCount: r.matchedCount,
    modifiedCount: r.modifiedCount,
    deletedCount: r.deletedCount,
  }
  if (r.insertResults !== undefined) doc.insertResults = mapDoc(r.insertResults, ['insertedId'])
  if (r.updateResults !== undefined) doc.updateResults = mapDoc(r.updateResults, ['matchedCount', 'modifiedCount', 'upsertedId'])
  if (r.deleteResults !== undefined) doc.deleteResults = mapDoc(r.deleteResults, ['deletedCount'])
  return doc
}

/** The partial result carried by a bulk write error, as a document (for expectError.expectResult). */
export function errorResult(err: any): unknown {
  if (!err || typeof err !== 'object') return undefined
  if (err.partialResult !== undefined) return clientBulkWriteResultDoc(err.partialResult)
  if (err.result !== undefined && err.result !== null && typeof err.result === 'object' && 'insertedCount' in err.result) {
    return bulkWriteResultDoc(err.result)
  }
  return undefined
}

// ---------------------------------------------------------------------------------------
// Write models

const MODEL_FIELDS: Record<string, { required: string[]; optional: string[] }> = {
  insertOne: { required: ['document'], optional: [] },
  updateOne: { required: ['filter', 'update'], optional: ['upsert', 'arrayFilters', 'collation', 'hint', 'sort'] },
  updateMany: { required: ['filter', 'update'], optional: ['upsert', 'arrayFilters', 'collation', 'hint'] },
  replaceOne: { required: ['filter', 'replacement'], optional: ['upsert', 'collation', 'hint', 'sort'] },
  deleteOne: { required: ['filter'], optional: ['collation', 'hint'] },
  deleteMany: { required: ['filter'], optional: ['collation', 'hint'] },
}

function writeModel(model: unknown, withNamespace: boolean): { name: string; fields: Args } {
  if (!isDocument(model) || Object.keys(model).length !== 1) throw new RunnerError('a write model must be a single-key document')
  const name = Object.keys(model)[0]!
  const fields = (model as Args)[name]
  const spec = MODEL_FIELDS[name]
  if (!spec || !isDocument(fields)) throw new RunnerError(`unsupported write model ${name}`)
  const allowed = new Set([...spec.required, ...spec.optional, ...(withNamespace ? ['namespace'] : [])])
  for (const r of [...spec.required, ...(withNamespace ? ['namespace'] : [])]) {
    if (!(r in fields)) throw new RunnerError(`write model ${name}: missing ${r}`)
  }
  for (const k of Object.keys(fields)) if (!allowed.has(k)) throw new RunnerError(`write model ${name}: unsupported field ${k}`)
  return { name, fields: { ...fields } }
}

// ---------------------------------------------------------------------------------------
// Cursors

async function makeFindLikeCursor(rt: OpRuntime, kind: 'findCursor' | 'commandCursor', cursor: any): Promise<OpResult> {
  const entity: CursorEntity = { kind, value: cursor, buffer: [] }
  rt.trackCursor(entity)
  // Make sure the server-side cursor exists without consuming a document.
  await cursor.hasNext()
  return { value: cursor, cursor: entity }
}

/**
 * Creates a change stream entity and runs its aggregate, as the format requires, without
 * reading from it. The public API has no call that only opens a change stream (`tryNext` and
 * `hasNext` follow an empty first batch with a getMore), so, like the Node driver's own
 * runner, this calls the cursor's `cursorInit` on the driver object behind the entity; the
 * entity itself (a Synchro wrapper) is then read only through the public API.
 */
async function makeChangeStream(rt: OpRuntime, stream: any): Promise<OpResult> {
  const entity: CursorEntity = { kind: 'changeStream', value: stream, buffer: [] }
  rt.trackCursor(entity)
  const cursor = rt.driverObjectOf(stream)?.cursor
  if (typeof cursor?.cursorInit === 'function') await cursor.cursorInit()
  else {
    // A driver without cursorInit: tryNext runs the aggregate (and a getMore if the batch is empty).
    const first = await stream.tryNext()
    if (first != null) entity.buffer.push(first)
  }
  return { value: stream, cursor: entity }
}

function applyCommandCursorOptions(cursor: any, opts: Args): void {
  if (opts.batchSize !== undefined) cursor.setBatchSize(opts.batchSize)
  if (opts.maxTimeMS !== undefined) cursor.setMaxTimeMS(opts.maxTimeMS)
  if (opts.comment !== undefined) cursor.setComment(opts.comment)
}

const CURSOR_COMMAND_OPTIONS = ['session', 'readPreference', 'batchSize', 'maxTimeMS', 'comment', 'cursorType', 'timeoutMode', 'timeoutMS']

function runCursorCommand(rt: OpRuntime, db: any, args: Args): any {
  const command = args.command
  if (!isDocument(command)) throw new RunnerError('command must be a document')
  const opts = optionsFrom(rt, args, ['command', 'commandName'])
  const { batchSize, maxTimeMS, comment, ...driverOpts } = opts
  const cursor = db.runCursorCommand(command, driverOpts)
  applyCommandCursorOptions(cursor, { batchSize, maxTimeMS, comment })
  return cursor
}

// ---------------------------------------------------------------------------------------
// GridFS

async function readAll(stream: any): Promise<Uint8Array> {
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk as Uint8Array)
  const total = chunks.reduce((n, c) => n + c.length, 0)
  const out = new Uint8Array(total)
  let off = 0
  for (const c of chunks) {
    out.set(c, off)
    off += c.length
  }
  return out
}

function sourceBytes(source: unknown): Uint8Array {
  if (!isDocument(source) || Object.keys(source).length !== 1 || typeof source.$$hexBytes !== 'string') {
    throw new RunnerError('upload source must be { $$hexBytes: <string> }')
  }
  return hexToBytes(source.$$hexBytes)
}

async function writeAll(stream: any, bytes: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    stream.once('error', reject)
    stream.once('finish', resolve)
    stream.end(Buffer.from(bytes))
  })
}

const UPLOAD_OPTIONS = ['chunkSizeBytes', 'metadata', 'contentType', 'aliases', 'disableMD5', 'timeoutMS']

// ---------------------------------------------------------------------------------------
// Operation tables

const toArray = async (cursor: any): Promise<OpResult> => ({ value: await cursor.toArray(), rootArray: true })

const collectionOps: Record<string, OpSpec> = {
  find: {
    required: ['filter'],
    optional: FIND,
    run: (rt, c, a) => toArray(c.find(a.filter, optionsFrom(rt, a, ['filter']))),
  },
  findOne: {
    required: ['filter'],
    optional: FIND,
    run: async (rt, c, a) => ({ value: await c.findOne(a.filter, optionsFrom(rt, a, ['filter'])) }),
  },
  createFindCursor: {
    required: ['filter'],
    optional: FIND,
    run: (rt, c, a) => makeFindLikeCursor(rt, 'findCursor', c.find(a.filter, optionsFrom(rt, a, ['filter']))),
  },
  aggregate: {
    required: ['pipeline'],
    optional: AGGREGATE,
    run: (rt, c, a) => toArray(c.aggregate(a.pipeline, optionsFrom(rt, a, ['pipeline']))),
  },
  countDocuments: {
    required: ['filter'],
    optional: [...READ, 'skip', 'limit'],
    run: async (rt, c, a) => ({ value: await c.countDocuments(a.filter, optionsFrom(rt, a, ['filter'])) }),
  },
  count: {
    required: ['filter'],
    optional: [...READ, 'skip', 'limit'],
    run: async (rt, c, a) => ({ value: await c.count(a.filter, optionsFrom(rt, a, ['filter'])) }),
  },
  estimatedDocumentCount: {
    optional: [...COMMON, 'readConcern', 'readPreference'],
    run: async (rt, c, a) => ({ value: await c.estimatedDocumentCount(optionsFrom(rt, a, [])) }),
  },
  distinct: {
    required: ['fieldName', 'filter'],
    optional: READ,
    run: async (rt, c, a) => ({ value: await c.distinct(a.fieldName, a.filter, optionsFrom(rt, a, ['fieldName', 'filter'])) }),
  },
  insertOne: {
    required: ['document'],
    optional: WRITE,
    run: async (rt, c, a) => ({ value: await c.insertOne(a.document, optionsFrom(rt, a, ['document'])) }),
  },
  insertMany: {
    required: ['documents'],
    optional: [...WRITE, 'ordered'],
    run: async (rt, c, a) => ({ value: await c.insertMany(a.documents, optionsFrom(rt, a, ['documents'])) }),
  },
  deleteOne: {
    required: ['filter'],
    optional: DELETE,
    run: async (rt, c, a) => ({ value: await c.deleteOne(a.filter, optionsFrom(rt, a, ['filter'])) }),
  },
  deleteMany: {
    required: ['filter'],
    optional: DELETE,
    run: async (rt, c, a) => ({ value: await c.deleteMany(a.filter, optionsFrom(rt, a, ['filter'])) }),
  },
  updateOne: {
    required: ['filter', 'update'],
    optional: UPDATE,
    run: async (rt, c, a) => ({ value: await c.updateOne(a.filter, a.update, optionsFrom(rt, a, ['filter', 'update'])) }),
  },
  updateMany: {
    required: ['filter', 'update'],
    optional: UPDATE,
    run: async (rt, c, a) => ({ value: await c.updateMany(a.filter, a.update, optionsFrom(rt, a, ['filter', 'update'])) }),
  },
  replaceOne: {
    required: ['filter', 'replacement'],
    optional: UPDATE,
    run: async (rt, c, a) => ({
      value: await c.replaceOne(a.filter, a.replacement, optionsFrom(rt, a, ['filter', 'replacement'])),
    }),
  },
  findOneAndDelete: {
    required: ['filter'],
    optional: [...DELETE, 'projection', 'sort'],
    run: async (rt, c, a) => ({ value: await c.findOneAndDelete(a.filter, optionsFrom(rt, a, ['filter'])) }),
  },
  findOneAndReplace: {
    required: ['filter', 'replacement'],
    optional: [...UPDATE, 'projection', 'returnDocument'],
    run: async (rt, c, a) => ({
      value: await c.findOneAndReplace(a.filter, a.replacement, optionsFrom(rt, a, ['filter', 'replacement'])),
    }),
  },
  findOneAndUpdate: {
    required: ['filter', 'update'],
    optional: [...UPDATE, 'projection', 'returnDocument'],
    run: async (rt, c, a) => ({
      value: await c.findOneAndUpdate(a.filter, a.update, optionsFrom(rt, a, ['filter', 'update'])),
    }),
  },
  bulkWrite: {
    required: ['requests'],
    optional: [...WRITE, 'ordered'],
    run: async (rt, c, a) => {
      if (!Array.isArray(a.requests)) throw new RunnerError('requests must be an array')
      const models = a.requests.map((m) => {
        const { name, fields } = writeModel(m, false)
        return { [name]: fields }
      })
      return { value: bulkWriteResultDoc(await c.bulkWrite(models, optionsFrom(rt, a, ['requests']))) }
    },
  },
  createIndex: {
    required: ['keys'],
    anyOptions: true,
    run: async (rt, c, a) => ({ value: await c.createIndex(a.keys, optionsFrom(rt, a, ['keys'])) }),
  },
  dropIndex: {
    required: ['name'],
    optional: [...COMMON, 'writeConcern'],
    run: async (rt, c, a) => ({ value: await c.dropIndex(a.name, optionsFrom(rt, a, ['name'])) }),
  },
  dropIndexes: {
    optional: [...COMMON, 'writeConcern'],
    run: async (rt, c, a) => ({ value: await c.dropIndexes(optionsFrom(rt, a, [])) }),
  },
  listIndexes: {
    optional: [...COMMON, 'batchSize'],
    run: (rt, c, a) => toArray(c.listIndexes(optionsFrom(rt, a, []))),
  },
  listIndexNames: {
    optional: [...COMMON, 'batchSize'],
    run: async (rt, c, a) => ({
      value: (await c.listIndexes(optionsFrom(rt, a, [])).toArray()).map((i: any) => i.name),
    }),
  },
  createChangeStream: {
    required: ['pipeline'],
    optional: CHANGE_STREAM,
    run: (rt, c, a) => makeChangeStream(rt, c.watch(a.pipeline, optionsFrom(rt, a, ['pipeline']))),
  },
  createSearchIndex: {
    required: ['model'],
    run: async (_rt, c, a) => ({ value: await c.createSearchIndex(a.model) }),
  },
  createSearchIndexes: {
    required: ['models'],
    run: async (_rt, c, a) => ({ value: await c.createSearchIndexes(a.models) }),
  },
  dropSearchIndex: {
    required: ['name'],
    run: async (_rt, c, a) => ({ value: await c.dropSearchIndex(a.name) }),
  },
  updateSearchIndex: {
    required: ['name', 'definition'],
    run: async (_rt, c, a) => ({ value: await c.updateSearchIndex(a.name, a.definition) }),
  },
  listSearchIndexes: {
    optional: ['name', 'aggregationOptions'],
    run: (rt, c, a) => {
      const options = optionsFrom(rt, (a.aggregationOptions ?? {}) as Args, [])
      return toArray(a.name === undefined ? c.listSearchIndexes(options) : c.listSearchIndexes(a.name, options))
    },
  },
  rename: {
    required: ['to'],
    optional: [...COMMON, 'dropTarget'],
    run: async (rt, c, a) => {
      await c.rename(a.to, optionsFrom(rt, a, ['to']))
      return { value: undefined }
    },
  },
  drop: {
    optional: [...COMMON, 'writeConcern'],
    run: async (rt, c, a) => ({ value: await c.drop(optionsFrom(rt, a, [])) }),
  },
}

const databaseOps: Record<string, OpSpec> = {
  aggregate: {
    required: ['pipeline'],
    optional: AGGREGATE,
    run: (rt, d, a) => toArray(d.aggregate(a.pipeline, optionsFrom(rt, a, ['pipeline']))),
  },
  runCommand: {
    required: ['command', 'commandName'],
    optional: ['session', 'readPreference', 'timeoutMS'],
    run: async (rt, d, a) => {
      if (!isDocument(a.command)) throw new RunnerError('command must be a document')
      return { value: await d.command(a.command, optionsFrom(rt, a, ['command', 'commandName'])) }
    },
  },
  runCursorCommand: {
    required: ['command', 'commandName'],
    optional: CURSOR_COMMAND_OPTIONS,
    run: (rt, d, a) => toArray(runCursorCommand(rt, d, a)),
  },
  createCommandCursor: {
    required: ['command', 'commandName'],
    optional: CURSOR_COMMAND_OPTIONS,
    run: (rt, d, a) => makeFindLikeCursor(rt, 'commandCursor', runCursorCommand(rt, d, a)),
  },
  createCollection: {
    required: ['collection'],
    anyOptions: true,
    run: async (rt, d, a) => ({ value: undefined, collection: await d.createCollection(a.collection, optionsFrom(rt, a, ['collection'])) }),
  },
  dropCollection: {
    required: ['collection'],
    optional: [...COMMON, 'writeConcern', 'encryptedFields'],
    run: async (rt, d, a) => ({ value: await d.dropCollection(a.collection, optionsFrom(rt, a, ['collection'])) }),
  },
  listCollections: {
    optional: [...COMMON, 'filter', 'batchSize', 'nameOnly', 'authorizedCollections'],
    run: (rt, d, a) => toArray(d.listCollections(a.filter ?? {}, optionsFrom(rt, a, ['filter']))),
  },
  listCollectionNames: {
    optional: [...COMMON, 'filter', 'batchSize', 'authorizedCollections'],
    run: async (rt, d, a) => ({
      value: (await d.listCollections(a.filter ?? {}, { ...optionsFrom(rt, a, ['filter']), nameOnly: true }).toArray()).map(
        (c: any) => c.name,
      ),
    }),
  },
  modifyCollection: {
    required: ['collection'],
    anyOptions: true,
    run: async (rt, d, a) => {
      const { session, ...rest } = optionsFrom(rt, a, ['collection'])
      return { value: await d.command({ collMod: a.collection, ...rest }, session ? { session } : {}) }
    },
  },
  createChangeStream: {
    required: ['pipeline'],
    optional: CHANGE_STREAM,
    run: (rt, d, a) => makeChangeStream(rt, d.watch(a.pipeline, optionsFrom(rt, a, ['pipeline']))),
  },
  dropDatabase: {
    optional: [...COMMON, 'writeConcern'],
    run: async (rt, d, a) => ({ value: await d.dropDatabase(optionsFrom(rt, a, [])) }),
  },
}

const clientOps: Record<string, OpSpec> = {
  listDatabases: {
    optional: [...COMMON, 'filter', 'nameOnly', 'authorizedDatabases'],
    run: async (rt, c, a) => {
      const res = await c.db('admin').admin().listDatabases(optionsFrom(rt, a, []))
      return { value: res.databases, rootArray: true }
    },
  },
  listDatabaseNames: {
    optional: [...COMMON, 'filter', 'authorizedDatabases'],
    run: async (rt, c, a) => {
      const res = await c.db('admin').admin().listDatabases({ ...optionsFrom(rt, a, []), nameOnly: true })
      return { value: res.databases.map((d: any) => d.name) }
    },
  },
  createChangeStream: {
    required: ['pipeline'],
    optional: CHANGE_STREAM,
    run: (rt, c, a) => makeChangeStream(rt, c.watch(a.pipeline, optionsFrom(rt, a, ['pipeline']))),
  },
  clientBulkWrite: {
    required: ['models'],
    optional: [...WRITE, 'ordered', 'verboseResults'],
    run: async (rt, c, a) => {
      if (!Array.isArray(a.models)) throw new RunnerError('models must be an array')
      const models = a.models.map((m) => {
        const { name, fields } = writeModel(m, true)
        return { name, ...fields }
      })
      return { value: clientBulkWriteResultDoc(await c.bulkWrite(models, optionsFrom(rt, a, ['models']))) }
    },
  },
}

const sessionOps: Record<string, OpSpec> = {
  startTransaction: {
    optional: ['readConcern', 'writeConcern', 'readPreference', 'maxCommitTimeMS', 'timeoutMS'],
    run: async (rt, s, a) => {
      rt.markTransactions()
      s.startTransaction(convertCommonOptions(rt.driver, a, 'startTransaction options'))
      return { value: undefined }
    },
  },
  commitTransaction: {
    optional: ['timeoutMS'],
    run: async (_rt, s, a) => ({ value: await s.commitTransaction(a) }),
  },
  abortTransaction: {
    optional: ['timeoutMS'],
    run: async (_rt, s, a) => ({ value: await s.abortTransaction(a) }),
  },
  endSession: {
    run: async (_rt, s) => ({ value: await s.endSession() }),
  },
  getSnapshotTime: {
    // The driver keeps a snapshot session's atClusterTime in ClientSession.snapshotTime (internal).
    run: async (rt, s) => ({ value: rt.driverObjectOf(s)?.snapshotTime }),
  },
  withTransaction: {
    required: ['callback'],
    optional: ['readConcern', 'writeConcern', 'readPreference', 'maxCommitTimeMS', 'timeoutMS'],
    run: async (rt, s, a) => {
      rt.markTransactions()
      if (!Array.isArray(a.callback)) throw new RunnerError('withTransaction callback must be an array of operations')
      const { callback, ...opts } = a
      await s.withTransaction(() => rt.runCallback(callback as unknown[]), convertCommonOptions(rt.driver, opts, 'withTransaction options'))
      return { value: undefined }
    },
  },
}

const bucketOps: Record<string, OpSpec> = {
  download: {
    required: ['id'],
    optional: ['timeoutMS'],
    run: async (rt, b, a) => ({ value: await readAll(b.openDownloadStream(a.id, optionsFrom(rt, a, ['id']))) }),
  },
  downloadByName: {
    required: ['filename'],
    optional: ['revision', 'timeoutMS'],
    run: async (rt, b, a) => ({
      value: await readAll(b.openDownloadStreamByName(a.filename, optionsFrom(rt, a, ['filename']))),
    }),
  },
  upload: {
    required: ['filename', 'source'],
    optional: UPLOAD_OPTIONS,
    run: async (rt, b, a) => {
      const stream = b.openUploadStream(a.filename, optionsFrom(rt, a, ['filename', 'source']))
      await writeAll(stream, sourceBytes(a.source))
      return { value: stream.id }
    },
  },
  uploadWithId: {
    required: ['id', 'filename', 'source'],
    optional: UPLOAD_OPTIONS,
    run: async (rt, b, a) => {
      const stream = b.openUploadStreamWithId(a.id, a.filename, optionsFrom(rt, a, ['id', 'filename', 'source']))
      await writeAll(stream, sourceBytes(a.source))
      return { value: undefined }
    },
  },
  delete: {
    required: ['id'],
    optional: ['timeoutMS'],
    run: async (rt, b, a) => ({ value: await b.delete(a.id, optionsFrom(rt, a, ['id'])) }),
  },
  rename: {
    required: ['id', 'newFilename'],
    optional: ['timeoutMS'],
    run: async (rt, b, a) => ({ value: await b.rename(a.id, a.newFilename, optionsFrom(rt, a, ['id', 'newFilename'])) }),
  },
  drop: {
    optional: ['timeoutMS'],
    run: async (rt, b, a) => ({ value: await b.drop(optionsFrom(rt, a, [])) }),
  },
  find: {
    required: ['filter'],
    optional: ['sort', 'skip', 'limit', 'batchSize', 'maxTimeMS', 'noCursorTimeout', 'timeoutMS'],
    run: (rt, b, a) => toArray(b.find(a.filter, optionsFrom(rt, a, ['filter']))),
  },
}

async function iterateUntilDocumentOrError(entity: CursorEntity): Promise<OpResult> {
  if (entity.buffer.length > 0) return { value: entity.buffer.shift() }
  return { value: await entity.value.next() }
}

async function iterateOnce(entity: CursorEntity): Promise<OpResult> {
  if (entity.buffer.length > 0) return { value: entity.buffer.shift() }
  return { value: (await entity.value.tryNext()) ?? undefined }
}

const cursorOps: Record<string, (e: CursorEntity) => Promise<OpResult>> = {
  iterateUntilDocumentOrError,
  iterateOnce,
  close: async (e) => {
    try {
      await e.value.close()
    } catch {
      // Errors from killCursors are not propagated (asserted through events instead).
    }
    return { value: undefined }
  },
}

/** Runs an entity operation; throws RunnerError for unknown operations or arguments. */
export async function runEntityOperation(
  rt: OpRuntime,
  objectName: string,
  name: string,
  rawArgs: unknown,
): Promise<OpResult> {
  const entity = rt.entities.get(objectName)
  const args = (rawArgs ?? {}) as Args
  if (!isDocument(args)) throw new RunnerError(`arguments of ${name} must be a document`)

  if (entity.kind === 'findCursor' || entity.kind === 'commandCursor' || entity.kind === 'changeStream') {
    const op = cursorOps[name]
    if (!op) throw new RunnerError(`unsupported operation ${name} on a ${entity.kind}`)
    if (Object.keys(args).length > 0) throw new RunnerError(`operation ${name} takes no arguments`)
    return op(entity)
  }

  if (entity.kind === 'client' && name === 'close') {
    if (Object.keys(args).length > 0) throw new RunnerError('close takes no arguments')
    entity.closed = true
    await entity.value.close()
    return { value: undefined }
  }

  const table: Record<string, OpSpec> | undefined =
    entity.kind === 'collection'
      ? collectionOps
      : entity.kind === 'database'
        ? databaseOps
        : entity.kind === 'client'
          ? clientOps
          : entity.kind === 'session'
            ? sessionOps
            : entity.kind === 'bucket'
              ? bucketOps
              : undefined
  const spec = table?.[name]
  if (!spec) throw new RunnerError(`unsupported operation ${name} on a ${entity.kind}`)
  checkArgs(name, spec, args)
  return spec.run(rt, entity.value, args)
}
