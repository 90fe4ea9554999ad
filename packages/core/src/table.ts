/**
 * The one declarative table of the official driver's public API: every class motor-ts
 * wraps, every public member of it, and what kind of member it is (see `members.ts`).
 * The runtime wrappers of every framework and the generated TypeScript types are derived
 * from it; `pnpm api-diff` fails the build the day the driver gains a member that is not
 * here. Classes mirror the driver's own hierarchy (`extends`), so inherited members are
 * declared once, on the class that declares them in `mongodb.d.ts`.
 */
import { chain, classEntry, cursor, custom, op, prop, sync, wraps } from './members.js'

/** Node's EventEmitter surface as typed by the driver's `TypedEventEmitter`. */
const TypedEventEmitter = classEntry({
  members: {
    addListener: chain(),
    on: chain(),
    once: chain(),
    removeListener: chain(),
    off: chain(),
    removeAllListeners: chain(),
    prependListener: chain(),
    prependOnceListener: chain(),
    setMaxListeners: chain(),
    listeners: sync(),
    rawListeners: sync(),
    emit: sync(),
    listenerCount: sync(),
    eventNames: sync(),
    getMaxListeners: sync(),
  },
})

const MongoClient = classEntry({
  extends: 'TypedEventEmitter',
  constructible: true,
  statics: { connect: op() },
  members: {
    options: prop(),
    serverApi: prop(),
    readConcern: prop(),
    writeConcern: prop(),
    readPreference: prop(),
    bsonOptions: prop(),
    timeoutMS: prop(),
    [Symbol.asyncDispose]: op(),
    appendMetadata: sync(),
    bulkWrite: op(),
    connect: op(),
    close: op(),
    db: wraps(),
    startSession: wraps(),
    withSession: custom('withSession'),
    watch: cursor(),
  },
})

const Db = classEntry({
  statics: {
    SYSTEM_NAMESPACE_COLLECTION: prop(),
    SYSTEM_INDEX_COLLECTION: prop(),
    SYSTEM_PROFILE_COLLECTION: prop(),
    SYSTEM_USER_COLLECTION: prop(),
    SYSTEM_COMMAND_COLLECTION: prop(),
    SYSTEM_JS_COLLECTION: prop(),
  },
  members: {
    client: prop(),
    databaseName: prop(),
    options: prop(),
    secondaryOk: prop(),
    readConcern: prop(),
    readPreference: prop(),
    bsonOptions: prop(),
    writeConcern: prop(),
    namespace: prop(),
    timeoutMS: prop(),
    createCollection: op(),
    command: op(),
    aggregate: cursor(),
    admin: wraps(),
    collection: wraps(),
    stats: op(),
    listCollections: cursor(),
    renameCollection: op(),
    dropCollection: op(),
    dropDatabase: op(),
    collections: op(),
    createIndex: op(),
    removeUser: op(),
    setProfilingLevel: op(),
    profilingLevel: op(),
    indexInformation: op(),
    watch: cursor(),
    runCursorCommand: cursor(),
  },
})

const Admin = classEntry({
  members: {
    command: op(),
    buildInfo: op(),
    serverInfo: op(),
    serverStatus: op(),
    ping: op(),
    removeUser: op(),
    validateCollection: op(),
    listDatabases: op(),
    replSetGetStatus: op(),
  },
})

const Collection = classEntry({
  members: {
    db: prop(),
    dbName: prop(),
    collectionName: prop(),
    namespace: prop(),
    readConcern: prop(),
    readPreference: prop(),
    bsonOptions: prop(),
    writeConcern: prop(),
    hint: prop('rw'),
    timeoutMS: prop(),
    insertOne: op(),
    insertMany: op(),
    bulkWrite: op(),
    updateOne: op(),
    replaceOne: op(),
    updateMany: op(),
    deleteOne: op(),
    deleteMany: op(),
    rename: op(),
    drop: op(),
    findOne: op(),
    find: cursor(),
    options: op(),
    isCapped: op(),
    createIndex: op(),
    createIndexes: op(),
    dropIndex: op(),
    dropIndexes: op(),
    listIndexes: cursor(),
    indexExists: op(),
    indexInformation: op(),
    estimatedDocumentCount: op(),
    countDocuments: op(),
    distinct: op(),
    indexes: op(),
    findOneAndDelete: op(),
    findOneAndReplace: op(),
    findOneAndUpdate: op(),
    aggregate: cursor(),
    watch: cursor(),
    initializeUnorderedBulkOp: wraps(),
    initializeOrderedBulkOp: wraps(),
    count: op(),
    listSearchIndexes: cursor(),
    createSearchIndex: op(),
    createSearchIndexes: op(),
    dropSearchIndex: op(),
    updateSearchIndex: op(),
  },
})

const AbstractCursor = classEntry({
  extends: 'TypedEventEmitter',
  statics: { CLOSE: prop() },
  members: {
    id: prop(),
    namespace: prop(),
    readPreference: prop(),
    readConcern: prop(),
    closed: prop(),
    killed: prop(),
    loadBalanced: prop(),
    [Symbol.asyncDispose]: op(),
    [Symbol.asyncIterator]: sync(),
    bufferedCount: sync(),
    readBufferedDocuments: sync(),
    stream: sync(),
    hasNext: op(),
    next: op(),
    tryNext: op(),
    forEach: op(),
    close: op(),
    toArray: op(),
    addCursorFlag: chain(),
    map: chain(),
    withReadPreference: chain(),
    withReadConcern: chain(),
    maxTimeMS: chain(),
    batchSize: chain(),
    rewind: sync(),
    clone: chain(),
  },
})

const ExplainableCursor = classEntry({ extends: 'AbstractCursor', members: { explain: op() } })

const FindCursor = classEntry({
  extends: 'ExplainableCursor',
  members: {
    clone: chain(),
    map: chain(),
    count: op(),
    explain: op(),
    filter: chain(),
    hint: chain(),
    min: chain(),
    max: chain(),
    returnKey: chain(),
    showRecordId: chain(),
    addQueryModifier: chain(),
    comment: chain(),
    maxAwaitTimeMS: chain(),
    maxTimeMS: chain(),
    project: chain(),
    sort: chain(),
    allowDiskUse: chain(),
    collation: chain(),
    limit: chain(),
    skip: chain(),
  },
})

const AggregationCursor = classEntry({
  extends: 'ExplainableCursor',
  members: {
    pipeline: prop(),
    clone: chain(),
    map: chain(),
    explain: op(),
    addStage: chain(),
    group: chain(),
    limit: chain(),
    match: chain(),
    out: chain(),
    project: chain(),
    lookup: chain(),
    redact: chain(),
    skip: chain(),
    sort: chain(),
    unwind: chain(),
    geoNear: chain(),
  },
})

const ListCollectionsCursor = classEntry({
  extends: 'AbstractCursor',
  members: { parent: prop(), filter: prop(), options: prop(), clone: chain() },
})

const ListIndexesCursor = classEntry({
  extends: 'AbstractCursor',
  members: { parent: prop(), options: prop(), clone: chain() },
})

const ListSearchIndexesCursor = classEntry({ extends: 'AggregationCursor', members: {} })

const RunCommandCursor = classEntry({
  extends: 'AbstractCursor',
  members: {
    command: prop(),
    getMoreOptions: prop(),
    setComment: chain(),
    setMaxTimeMS: chain(),
    setBatchSize: chain(),
    clone: chain(),
    withReadConcern: chain(),
    addCursorFlag: chain(),
    maxTimeMS: chain(),
    batchSize: chain(),
  },
})

const ChangeStream = classEntry({
  extends: 'TypedEventEmitter',
  statics: {
    RESPONSE: prop(),
    MORE: prop(),
    INIT: prop(),
    CLOSE: prop(),
    CHANGE: prop(),
    END: prop(),
    ERROR: prop(),
    RESUME_TOKEN_CHANGED: prop(),
  },
  members: {
    [Symbol.asyncDispose]: op(),
    [Symbol.asyncIterator]: sync(),
    pipeline: prop(),
    options: prop(),
    parent: prop(),
    namespace: prop(),
    type: prop(),
    resumeToken: prop(),
    closed: prop(),
    bufferedCount: sync(),
    hasNext: op(),
    next: op(),
    tryNext: op(),
    close: op(),
    stream: sync(),
  },
})

const ClientSession = classEntry({
  extends: 'TypedEventEmitter',
  members: {
    hasEnded: prop(),
    clientOptions: prop(),
    supports: prop(),
    clusterTime: prop(),
    operationTime: prop(),
    explicit: prop(),
    defaultTransactionOptions: prop(),
    snapshotEnabled: prop(),
    timeoutMS: prop(),
    id: prop(),
    serverSession: prop(),
    loadBalanced: prop(),
    isPinned: prop(),
    endSession: custom('endSession'),
    [Symbol.asyncDispose]: op(),
    advanceOperationTime: sync(),
    advanceClusterTime: sync(),
    equals: sync(),
    incrementTransactionNumber: sync(),
    inTransaction: sync(),
    startTransaction: sync(),
    commitTransaction: op(),
    abortTransaction: op(),
    toBSON: sync(),
    withTransaction: custom('withTransaction'),
  },
})

const GridFSBucket = classEntry({
  extends: 'TypedEventEmitter',
  constructible: true,
  statics: { INDEX: prop() },
  members: {
    openUploadStream: wraps(),
    openUploadStreamWithId: wraps(),
    openDownloadStream: cursor(),
    openDownloadStreamByName: cursor(),
    delete: op(),
    find: cursor(),
    rename: op(),
    drop: op(),
  },
})

const GridFSBucketReadStream = classEntry({
  statics: { FILE: prop() },
  members: { start: chain(), end: chain(), abort: op() },
})

const GridFSBucketWriteStream = classEntry({
  members: {
    bucket: prop(),
    chunks: prop(),
    files: prop(),
    filename: prop(),
    options: prop(),
    done: prop(),
    id: prop(),
    chunkSizeBytes: prop(),
    bufToStore: prop(),
    length: prop(),
    n: prop(),
    pos: prop(),
    state: prop(),
    writeConcern: prop(),
    gridFSFile: prop(),
    abort: op(),
  },
})

const BulkOperationBase = classEntry({
  members: {
    isOrdered: prop(),
    operationId: prop(),
    length: prop(),
    bsonOptions: prop(),
    writeConcern: prop(),
    batches: prop(),
    insert: chain(),
    find: wraps(),
    raw: chain(),
    execute: op(),
    addToOperationsList: chain(),
  },
})

const OrderedBulkOperation = classEntry({ extends: 'BulkOperationBase', members: { addToOperationsList: chain() } })

const UnorderedBulkOperation = classEntry({
  extends: 'BulkOperationBase',
  members: { handleWriteError: sync(), addToOperationsList: chain() },
})

const FindOperators = classEntry({
  members: {
    bulkOperation: prop(),
    update: chain(),
    updateOne: chain(),
    replaceOne: chain(),
    deleteOne: chain(),
    delete: chain(),
    upsert: chain(),
    collation: chain(),
    arrayFilters: chain(),
    hint: chain(),
  },
})

const ClientEncryption = classEntry({
  constructible: true,
  optional: true,
  statics: { libmongocryptVersion: prop() },
  members: {
    createDataKey: op(),
    rewrapManyDataKey: op(),
    deleteKey: op(),
    getKeys: cursor(),
    getKey: op(),
    getKeyByAltName: op(),
    addKeyAltName: op(),
    removeKeyAltName: op(),
    createEncryptedCollection: op(['collection']),
    encrypt: op(),
    encryptExpression: op(),
    decrypt: op(),
  },
})

/** Every wrapped driver class, keyed by its name in the driver's exports. */
export const driverTable = {
  TypedEventEmitter,
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
  ListSearchIndexesCursor,
  RunCommandCursor,
  ChangeStream,
  ClientSession,
  GridFSBucket,
  GridFSBucketReadStream,
  GridFSBucketWriteStream,
  BulkOperationBase,
  OrderedBulkOperation,
  UnorderedBulkOperation,
  FindOperators,
  ClientEncryption,
} as const

export type WrappedClassName = keyof typeof driverTable
