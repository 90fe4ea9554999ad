/**
 * Scenario tests of the conformance suite: plain code written against the official
 * `mongodb` API (the module is a parameter), one or more per wrapped class. They run on
 * the raw driver (the baseline) and on Synchro over each framework; a framework conforms
 * when every scenario's verdict equals the baseline's. Assertions use `node:assert` so the
 * same scenarios run inside vitest (`suite`) and from the `conformance` command.
 */
import assert from 'node:assert/strict'
import type { MongodbModule } from '@motor-ts/synchro'

/** Server features a scenario may need; a server without them skips it, saying which. */
export type ScenarioNeed = 'sessions' | 'transactions' | 'changeStreams' | 'failCommand'

export interface ScenarioEnv {
  uri: string
  /** A database name for this scenario run alone; the runner drops it afterwards. */
  dbName: string
}

export interface Scenario {
  name: string
  /** The wrapped driver classes it exercises. */
  covers: readonly string[]
  needs?: readonly ScenarioNeed[]
  run(m: MongodbModule, env: ScenarioEnv): Promise<void>
}

async function withClient<T>(m: MongodbModule, env: ScenarioEnv, fn: (client: InstanceType<MongodbModule['MongoClient']>) => Promise<T>): Promise<T> {
  const client = new m.MongoClient(env.uri, { serverSelectionTimeoutMS: 5000 })
  try {
    await client.connect()
    return await fn(client)
  } finally {
    await client.close()
  }
}

const docs = (n: number) => Array.from({ length: n }, (_, i) => ({ i, tag: i % 2 ? 'odd' : 'even' }))

export const scenarios: readonly Scenario[] = [
  {
    name: 'MongoClient connects, monitors commands and closes',
    covers: ['MongoClient', 'TypedEventEmitter'],
    async run(m, env) {
      const client = await m.MongoClient.connect(env.uri, { monitorCommands: true })
      const seen: string[] = []
      client.on('commandStarted', (e) => seen.push(e.commandName))
      assert.ok(client instanceof m.MongoClient)
      await client.db(env.dbName).command({ ping: 1 })
      assert.ok(seen.includes('ping'))
      assert.equal(client.listenerCount('commandStarted'), 1)
      await client.close()
    },
  },
  {
    name: 'Collection CRUD round trip',
    covers: ['Collection', 'Db'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection<{ i: number; tag: string; seen?: boolean }>('crud')
        assert.ok(col instanceof m.Collection)
        const inserted = await col.insertMany(docs(10))
        assert.equal(inserted.insertedCount, 10)
        assert.equal((await col.insertOne({ i: 10, tag: 'even' })).acknowledged, true)
        assert.equal(await col.countDocuments({ tag: 'odd' }), 5)
        assert.equal(await col.estimatedDocumentCount(), 11)
        assert.deepEqual((await col.distinct('tag')).sort(), ['even', 'odd'])
        assert.equal((await col.findOne({ i: 4 }, { projection: { _id: 0 } }))?.i, 4)
        assert.equal((await col.updateMany({ tag: 'even' }, { $set: { seen: true } })).modifiedCount, 6)
        assert.equal((await col.updateOne({ i: 1 }, { $inc: { i: 100 } })).modifiedCount, 1)
        assert.equal((await col.replaceOne({ i: 3 }, { i: 3, tag: 'three' })).matchedCount, 1)
        const after = await col.findOneAndUpdate({ i: 5 }, { $set: { tag: 'five' } }, { returnDocument: 'after' })
        assert.equal(after?.tag, 'five')
        const meta = await col.findOneAndReplace({ i: 7 }, { i: 7, tag: 'seven' }, { includeResultMetadata: true })
        assert.equal(meta.ok, 1)
        assert.equal((await col.findOneAndDelete({ i: 9 }))?.i, 9)
        assert.equal((await col.deleteMany({ seen: true })).deletedCount, 6)
        assert.equal((await col.deleteOne({ i: 101 })).deletedCount, 1)
        const bulk = await col.bulkWrite([
          { insertOne: { document: { i: 50, tag: 'bulk' } } },
          { updateOne: { filter: { i: 50 }, update: { $set: { tag: 'bulked' } } } },
          { deleteOne: { filter: { i: 3 } } },
        ])
        assert.deepEqual([bulk.insertedCount, bulk.modifiedCount, bulk.deletedCount], [1, 1, 1])
      })
    },
  },
  {
    name: 'duplicate keys fail with the driver error class',
    covers: ['Collection'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection<{ _id: number }>('dup')
        await col.insertOne({ _id: 1 })
        await assert.rejects(col.insertOne({ _id: 1 }), (e: unknown) => {
          assert.ok(e instanceof m.MongoServerError)
          assert.equal((e as { code?: number }).code, 11000)
          return true
        })
        await assert.rejects(col.insertMany([{ _id: 2 }, { _id: 2 }]), m.MongoBulkWriteError)
      })
    },
  },
  {
    name: 'indexes are created, listed and dropped',
    covers: ['Collection', 'ListIndexesCursor'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection('ix')
        await col.insertOne({ a: 1, b: 2 })
        assert.equal(await col.createIndex({ a: 1 }, { name: 'a_1' }), 'a_1')
        assert.deepEqual(await col.createIndexes([{ key: { b: -1 }, name: 'b_-1' }]), ['b_-1'])
        assert.ok(await col.indexExists(['a_1', 'b_-1']))
        const cursor = col.listIndexes()
        assert.ok(cursor instanceof m.AbstractCursor)
        const names = (await cursor.toArray()).map((ix) => ix.name).sort()
        assert.deepEqual(names, ['_id_', 'a_1', 'b_-1'])
        assert.ok((await col.indexes()).length === 3)
        await col.dropIndex('a_1')
        await col.dropIndexes()
        assert.deepEqual((await col.indexes()).map((ix) => ix.name), ['_id_'])
      })
    },
  },
  {
    name: 'find cursors chain, map, iterate and rewind',
    covers: ['FindCursor', 'AbstractCursor'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection<{ i: number; tag: string }>('find')
        await col.insertMany(docs(12))
        const cursor = col.find({}, { batchSize: 3 }).sort({ i: -1 }).skip(2).limit(5).project<{ i: number }>({ _id: 0, i: 1 })
        assert.ok(cursor instanceof m.FindCursor)
        assert.deepEqual(await cursor.toArray(), [{ i: 9 }, { i: 8 }, { i: 7 }, { i: 6 }, { i: 5 }])
        cursor.rewind()
        assert.deepEqual(await cursor.next(), { i: 9 })
        const clone = cursor.clone()
        assert.ok(clone instanceof m.FindCursor)
        assert.equal((await clone.toArray()).length, 5)
        const mapped = col.find({ i: { $lt: 3 } }).sort({ i: 1 }).map((d) => d.i)
        const seen: number[] = []
        for await (const i of mapped) seen.push(i)
        assert.deepEqual(seen, [0, 1, 2])
        assert.equal(await col.find({ tag: 'odd' }).count(), 6)
        const it = col.find({}).sort({ i: 1 })
        assert.equal(await it.hasNext(), true)
        assert.equal((await it.tryNext())?.i, 0)
        let n = 0
        await it.forEach(() => {
          n++
        })
        assert.equal(n, 11)
        assert.equal(it.closed, true)
        const streamed: number[] = []
        for await (const d of col.find({ i: { $gte: 10 } }).sort({ i: 1 }).stream()) streamed.push((d as { i: number }).i)
        assert.deepEqual(streamed, [10, 11])
      })
    },
  },
  {
    name: 'a cursor closed early releases it on the server',
    covers: ['FindCursor', 'AbstractCursor'],
    async run(m, env) {
      const client = new m.MongoClient(env.uri, { monitorCommands: true })
      try {
        const seen: string[] = []
        client.on('commandStarted', (e) => seen.push(e.commandName))
        const col = client.db(env.dbName).collection('early')
        await col.insertMany(docs(20))
        const cursor = col.find({}, { batchSize: 2 })
        for await (const _ of cursor) break
        assert.equal(cursor.killed, true, 'cursor killed after break')
        assert.ok(seen.includes('killCursors'), `expected killCursors in ${seen.join(',')}`)
      } finally {
        await client.close()
      }
    },
  },
  {
    name: 'aggregation cursors with builder stages',
    covers: ['AggregationCursor', 'ExplainableCursor'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection<{ i: number; tag: string }>('agg')
        await col.insertMany(docs(10))
        const cursor = col.aggregate<{ _id: string; total: number }>([{ $match: { i: { $gte: 2 } } }])
        assert.ok(cursor instanceof m.AggregationCursor)
        const out = await cursor.group<{ _id: string; total: number }>({ _id: '$tag', total: { $sum: '$i' } }).sort({ _id: 1 }).toArray()
        assert.deepEqual(out, [
          { _id: 'even', total: 20 },
          { _id: 'odd', total: 24 },
        ])
        const explained = await col.aggregate([{ $match: { i: 1 } }]).explain()
        assert.ok(explained && typeof explained === 'object')
      })
    },
  },
  {
    name: 'Db lists, creates, renames and drops collections; runs commands',
    covers: ['Db', 'ListCollectionsCursor', 'RunCommandCursor', 'Admin'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const db = client.db(env.dbName)
        assert.ok(db instanceof m.Db)
        const made = await db.createCollection('made')
        assert.ok(made instanceof m.Collection)
        await made.insertMany(docs(4))
        const listed = db.listCollections({ name: 'made' }, { nameOnly: true })
        assert.ok(listed instanceof m.ListCollectionsCursor)
        assert.deepEqual((await listed.toArray()).map((c) => c.name), ['made'])
        assert.ok((await db.collections()).every((c) => c instanceof m.Collection))
        const renamed = await db.renameCollection('made', 'renamed')
        assert.equal(renamed.collectionName, 'renamed')
        const raw = db.runCursorCommand({ find: 'renamed', filter: {}, batchSize: 1 })
        assert.equal((await raw.toArray()).length, 4)
        assert.equal((await db.command({ ping: 1 })).ok, 1)
        assert.equal(await db.dropCollection('renamed'), true)
        const admin = client.db().admin()
        assert.ok(admin instanceof m.Admin)
        assert.equal((await admin.ping()).ok, 1)
        assert.ok(typeof (await admin.buildInfo()).version === 'string')
        assert.ok(Array.isArray((await admin.listDatabases()).databases))
      })
    },
  },
  {
    name: 'ordered and unordered bulk operations with FindOperators',
    covers: ['OrderedBulkOperation', 'UnorderedBulkOperation', 'BulkOperationBase', 'FindOperators'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection<{ i: number; tag: string }>('bulk')
        await col.insertMany(docs(4))
        const ordered = col.initializeOrderedBulkOp()
        ordered.find({ i: 0 }).updateOne({ $set: { tag: 'zero' } })
        ordered.find({ i: 1 }).upsert().replaceOne({ i: 1, tag: 'one' })
        ordered.find({ i: 2 }).deleteOne()
        ordered.insert({ i: 9, tag: 'nine' })
        assert.equal(ordered.length, 4)
        const r1 = await ordered.execute()
        assert.deepEqual([r1.insertedCount, r1.modifiedCount, r1.deletedCount], [1, 2, 1])
        const unordered = col.initializeUnorderedBulkOp()
        unordered.find({ tag: { $exists: true } }).update({ $set: { touched: true } })
        const r2 = await unordered.execute()
        assert.equal(r2.matchedCount, 4)
      })
    },
  },
  {
    name: 'sessions end, withSession passes the session',
    covers: ['ClientSession', 'MongoClient'],
    needs: ['sessions'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection('sess')
        const session = client.startSession()
        assert.ok(session instanceof m.ClientSession)
        await col.insertOne({ a: 1 }, { session })
        assert.equal(await col.countDocuments({}, { session }), 1)
        await session.endSession()
        assert.equal(session.hasEnded, true)
        let inner: { hasEnded: boolean } | undefined
        const n = await client.withSession(async (s) => {
          inner = s
          return col.countDocuments({}, { session: s })
        })
        assert.equal(n, 1)
        assert.equal(inner?.hasEnded, true)
      })
    },
  },
  {
    name: 'transactions commit, abort and retry through withTransaction',
    covers: ['ClientSession'],
    needs: ['transactions'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection('txn')
        await col.insertOne({ seed: true })
        const session = client.startSession()
        try {
          const result = await session.withTransaction(async (s) => {
            await col.insertOne({ k: 'committed' }, { session: s })
            return 'ok'
          })
          assert.equal(result, 'ok')
          await assert.rejects(
            session.withTransaction(async (s) => {
              await col.insertOne({ k: 'aborted' }, { session: s })
              throw new Error('boom')
            }),
            /boom/,
          )
          session.startTransaction()
          await col.insertOne({ k: 'manual' }, { session })
          await session.abortTransaction()
          assert.deepEqual((await col.find({ k: { $exists: true } }).toArray()).map((d) => d.k), ['committed'])
        } finally {
          await session.endSession()
        }
      })
    },
  },
  {
    name: 'withTransaction retries a TransientTransactionError',
    covers: ['ClientSession'],
    needs: ['transactions', 'failCommand'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection('retry')
        await col.insertOne({ seed: true })
        await client.db('admin').command({
          configureFailPoint: 'failCommand',
          mode: { times: 1 },
          data: { failCommands: ['insert'], errorCode: 112, errorLabels: ['TransientTransactionError'] },
        })
        let attempts = 0
        await client.withSession((s) =>
          s.withTransaction(async () => {
            attempts++
            await col.insertOne({ k: 'retried' }, { session: s })
          }),
        )
        assert.equal(attempts, 2)
        assert.equal(await col.countDocuments({ k: 'retried' }), 1)
      })
    },
  },
  {
    name: 'change streams deliver insert, update and delete',
    covers: ['ChangeStream'],
    needs: ['changeStreams'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection('cs')
        await col.insertOne({ seed: true })
        const stream = col.watch([], { maxAwaitTimeMS: 200 })
        assert.ok(stream instanceof m.ChangeStream)
        const first = stream.next()
        await new Promise((r) => setTimeout(r, 300))
        await col.insertOne({ _id: 'x' as never, v: 1 })
        await col.updateOne({ _id: 'x' as never }, { $set: { v: 2 } })
        await col.deleteOne({ _id: 'x' as never })
        const kinds = [(await first).operationType]
        for await (const change of stream) {
          kinds.push(change.operationType)
          if (kinds.length === 3) break
        }
        assert.deepEqual(kinds, ['insert', 'update', 'delete'])
        assert.equal(stream.closed, true)
        assert.ok(stream.resumeToken)
      })
    },
  },
  {
    name: 'GridFS uploads, finds, downloads, renames and deletes',
    covers: ['GridFSBucket', 'GridFSBucketReadStream', 'GridFSBucketWriteStream'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const bucket = new m.GridFSBucket(client.db(env.dbName), { chunkSizeBytes: 5 })
        assert.ok(bucket instanceof m.GridFSBucket)
        const upload = bucket.openUploadStream('a.txt', { metadata: { k: 1 } })
        await new Promise<void>((resolve, reject) => {
          upload.once('error', reject)
          upload.end(Buffer.from('hello gridfs'), () => resolve())
        })
        const files = await bucket.find({ filename: 'a.txt' }).toArray()
        assert.equal(files[0]?.length, 12)
        const chunks: Buffer[] = []
        for await (const chunk of bucket.openDownloadStreamByName('a.txt', { start: 6, end: 12 })) chunks.push(chunk as Buffer)
        assert.equal(Buffer.concat(chunks).toString(), 'gridfs')
        await bucket.rename(upload.id, 'b.txt')
        await bucket.delete(upload.id)
        assert.equal((await bucket.find({}).toArray()).length, 0)
        await bucket.drop()
      })
    },
  },
  {
    name: 'bad input fails with the driver error classes',
    covers: ['MongoClient', 'Collection'],
    async run(m, env) {
      // The driver lets mongodb-connection-string-url's own MongoParseError through for a bad scheme.
      assert.throws(() => new m.MongoClient('notmongo://host'), { name: 'MongoParseError' })
      const unreachable = new m.MongoClient('mongodb://127.0.0.1:1/?directConnection=true', { serverSelectionTimeoutMS: 300 })
      await assert.rejects(unreachable.connect(), m.MongoServerSelectionError)
      await unreachable.close()
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection('bad')
        await assert.rejects(col.insertMany('nope' as never), m.MongoInvalidArgumentError)
        await assert.rejects(col.updateOne({}, { notAnOperator: 1 } as never), m.MongoInvalidArgumentError)
        const controller = new AbortController()
        controller.abort()
        await assert.rejects(col.find({}, { signal: controller.signal }).toArray(), (e: unknown) => (e as Error).name === 'AbortError')
      })
    },
  },
  {
    name: 'search index listing and encryption report their server or dependency gaps',
    covers: ['ListSearchIndexesCursor', 'ClientEncryption'],
    async run(m, env) {
      await withClient(m, env, async (client) => {
        const col = client.db(env.dbName).collection('search')
        await col.insertOne({ a: 1 })
        const listing = col.listSearchIndexes()
        assert.ok(listing instanceof m.AggregationCursor)
        await assert.rejects(listing.toArray(), m.MongoServerError)
        assert.throws(
          () => new m.ClientEncryption(client, { keyVaultNamespace: 'k.v', kmsProviders: { local: { key: Buffer.alloc(96) } } }),
          m.MongoMissingDependencyError,
        )
      })
    },
  },
]
