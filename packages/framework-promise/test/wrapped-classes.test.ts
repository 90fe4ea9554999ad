/**
 * Every class core wraps, exercised for real through the Promise framework against the
 * test server: what comes out of the driver is re-wrapped (Db, Collection, cursors,
 * sessions, GridFS streams, bulk operations), what goes back in is unwrapped (a wrapped
 * session in `options.session`, a wrapped Db in `new GridFSBucket`).
 */
import { requires, server, uniqueName } from '@motor-ts/tools'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ClientEncryption,
  type Collection,
  type Db,
  GridFSBucket,
  MongoClient,
  MongoMissingDependencyError,
  MongoServerError,
  motorPromise,
} from '../src/index.js'

let client: MongoClient
let db: Db
let started: string[] = []

beforeAll(async () => {
  client = await MongoClient.connect(server().uri, { monitorCommands: true })
  client.on('commandStarted', (e) => started.push(e.commandName))
  db = client.db(uniqueName('wrapped'))
})
afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

async function seeded(n = 10): Promise<Collection<{ _id?: unknown; i: number; tag: string }>> {
  const col = db.collection<{ _id?: unknown; i: number; tag: string }>(uniqueName('c'))
  if (n > 0) await col.insertMany(Array.from({ length: n }, (_, i) => ({ i, tag: i % 2 ? 'odd' : 'even' })))
  return col
}

describe('MongoClient', () => {
  it('connects statically, wraps what it returns and keeps its events', async () => {
    expect(client).toBeInstanceOf(MongoClient)
    expect(client.db('x')).toBeInstanceOf(motorPromise.classes.Db)
    expect(client.delegate.constructor.name).toBe('MongoClient')
    expect(client.readPreference.mode).toBe('primary')
    started = []
    await client.db('admin').command({ ping: 1 })
    expect(started).toContain('ping')
  })

  it('runs a client bulkWrite across namespaces', async (ctx) => {
    const info = server()
    if (Number.parseInt(info.mongodbVersion, 10) < 8)
      ctx.skip(`${info.name} ${info.version} lacks client bulkWrite (needs the MongoDB 8.0 API, has ${info.mongodbVersion})`)
    const col = await seeded(1)
    const result = await client.bulkWrite([
      { namespace: col.namespace, name: 'insertOne', document: { i: 99, tag: 'x' } as Record<string, unknown> },
    ])
    expect(result.insertedCount).toBe(1)
  })

  it('ends the session withSession gives, whatever the work does', async (ctx) => {
    requires(ctx, 'sessions')
    let seen: { hasEnded: boolean } | undefined
    await expect(
      client.withSession(async (session) => {
        seen = session
        throw new Error('work failed')
      }),
    ).rejects.toThrow('work failed')
    expect(seen?.hasEnded).toBe(true)
  })
})

describe('Db and Admin', () => {
  it('creates, lists, renames and drops collections as wrapped objects', async () => {
    const name = uniqueName('created')
    const created = await db.createCollection(name)
    expect(created).toBeInstanceOf(motorPromise.classes.Collection)
    expect(created.collectionName).toBe(name)
    const listed = await db.listCollections({ name }, { nameOnly: true }).toArray()
    expect(listed.map((c) => c.name)).toEqual([name])
    const all = await db.collections()
    expect(all.every((c) => c instanceof motorPromise.classes.Collection)).toBe(true)
    const renamed = await db.renameCollection(name, `${name}_r`)
    expect(renamed.collectionName).toBe(`${name}_r`)
    expect(await db.dropCollection(`${name}_r`)).toBe(true)
  })

  it('runs database-level aggregation cursors', async (ctx) => {
    const cursor = db.aggregate([{ $documents: [{ a: 1 }, { a: 2 }] }])
    expect(cursor).toBeInstanceOf(motorPromise.classes.AggregationCursor)
    const result = await cursor.toArray().catch((e: unknown) => e)
    if (result instanceof MongoServerError && /aggregate.*collection name/.test(result.message))
      ctx.skip(`${server().name} ${server().version} lacks database-level aggregation ($documents): ${result.message}`)
    expect(result).toEqual([{ a: 1 }, { a: 2 }])
  })

  it('runs commands, cursor commands and admin commands', async () => {
    const col = await seeded(5)
    const cursor = db.runCursorCommand({ find: col.collectionName, filter: {}, batchSize: 2 })
    expect(cursor).toBeInstanceOf(motorPromise.classes.RunCommandCursor)
    expect((await cursor.toArray()).length).toBe(5)
    const admin = db.admin()
    expect(admin).toBeInstanceOf(motorPromise.classes.Admin)
    expect((await admin.ping()).ok).toBe(1)
    const dbs = await admin.listDatabases()
    expect(dbs.databases.some((d) => d.name === db.databaseName)).toBe(true)
  })
})

describe('Collection', () => {
  it('does CRUD, findOneAnd*, distinct and counts', async () => {
    const col = await seeded(10)
    expect(await col.countDocuments({ tag: 'odd' })).toBe(5)
    expect(await col.estimatedDocumentCount()).toBe(10)
    expect((await col.distinct('tag')).sort()).toEqual(['even', 'odd'])
    expect((await col.findOne({ i: 3 }))?.tag).toBe('odd')
    const updated = await col.findOneAndUpdate({ i: 3 }, { $set: { tag: 'three' } }, { returnDocument: 'after' })
    expect(updated?.tag).toBe('three')
    expect((await col.updateMany({ tag: 'even' }, { $set: { even: true } })).modifiedCount).toBe(5)
    expect((await col.deleteOne({ i: 0 })).deletedCount).toBe(1)
    expect((await col.replaceOne({ i: 1 }, { i: 1, tag: 'replaced' })).modifiedCount).toBe(1)
    const bulk = await col.bulkWrite([{ insertOne: { document: { i: 100, tag: 'bulk' } } }, { deleteMany: { filter: { i: { $gt: 7 } } } }])
    expect(bulk.insertedCount).toBe(1)
    expect(bulk.deletedCount).toBe(3)
  })

  it('manages indexes', async () => {
    const col = await seeded(3)
    expect(await col.createIndex({ i: 1 }, { name: 'by_i' })).toBe('by_i')
    expect(await col.indexExists('by_i')).toBe(true)
    const fromCursor = await col.listIndexes().toArray()
    expect(fromCursor.map((ix) => ix.name)).toContain('by_i')
    await col.dropIndex('by_i')
    expect(await col.indexExists('by_i')).toBe(false)
  })

  it('builds legacy bulk operations through FindOperators', async () => {
    const col = await seeded(4)
    const bulk = col.initializeOrderedBulkOp()
    expect(bulk).toBeInstanceOf(motorPromise.classes.OrderedBulkOperation)
    const ops = bulk.find({ i: 0 })
    expect(ops).toBeInstanceOf(motorPromise.classes.FindOperators)
    ops.updateOne({ $set: { tag: 'zero' } })
    bulk.insert({ i: 50, tag: 'new' })
    const result = await bulk.execute()
    expect(result.modifiedCount + result.insertedCount).toBe(2)
  })

  it('reports a duplicate key as the driver does', async () => {
    const col = db.collection<{ _id: number }>(uniqueName('dup'))
    await col.insertOne({ _id: 1 })
    const error = await col.insertOne({ _id: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MongoServerError)
    expect((error as MongoServerError).code).toBe(11000)
  })
})

describe('cursors', () => {
  it('chains find cursor builders and keeps returning the wrapper', async () => {
    const col = await seeded(10)
    const cursor = col.find({}, { batchSize: 2 }).sort({ i: -1 }).skip(1).limit(3).project<{ i: number }>({ _id: 0, i: 1 })
    expect(cursor).toBeInstanceOf(motorPromise.classes.FindCursor)
    expect(await cursor.toArray()).toEqual([{ i: 8 }, { i: 7 }, { i: 6 }])
    const mapped = col.find({ i: { $lt: 3 } }).sort({ i: 1 }).map((d) => d.i * 10)
    expect(await mapped.toArray()).toEqual([0, 10, 20])
    expect(await col.find({ tag: 'odd' }).count()).toBe(5)
  })

  it('iterates with next/hasNext, async iteration and toStream, closing on early stop', async () => {
    const col = await seeded(6)
    const cursor = col.find({}).sort({ i: 1 })
    expect((await cursor.next())?.i).toBe(0)
    expect(await cursor.hasNext()).toBe(true)
    const rest: number[] = []
    for await (const doc of cursor) rest.push(doc.i)
    expect(rest).toEqual([1, 2, 3, 4, 5])
    started = []
    const seen: number[] = []
    for await (const doc of col.find({}, { batchSize: 2 }).sort({ i: 1 }).toStream()) {
      seen.push(doc.i)
      if (seen.length === 3) break
    }
    expect(seen).toEqual([0, 1, 2])
    await expect.poll(() => started).toContain('killCursors')
  })

  it('runs aggregation cursors with builders', async () => {
    const col = await seeded(10)
    const grouped = await col
      .aggregate<{ _id: string; n: number }>([])
      .group<{ _id: string; n: number }>({ _id: '$tag', n: { $sum: 1 } })
      .sort({ _id: 1 })
      .toArray()
    expect(grouped).toEqual([
      { _id: 'even', n: 5 },
      { _id: 'odd', n: 5 },
    ])
  })

  it('delivers search-index listing failures in the channel', async () => {
    const col = await seeded(1)
    const cursor = col.listSearchIndexes()
    expect(cursor).toBeInstanceOf(motorPromise.classes.ListSearchIndexesCursor)
    // No test server hosts Atlas Search: the server's refusal must arrive as a rejection.
    await expect(cursor.toArray()).rejects.toBeInstanceOf(MongoServerError)
  })
})

describe('ChangeStream', () => {
  it('delivers changes as an async stream', async (ctx) => {
    requires(ctx, 'changeStreams')
    const col = await seeded(0)
    const stream = col.watch()
    expect(stream).toBeInstanceOf(motorPromise.classes.ChangeStream)
    const next = stream.next()
    await new Promise((r) => setTimeout(r, 300))
    await col.insertOne({ i: 1, tag: 'watched' })
    const change = await next
    expect(change.operationType).toBe('insert')
    await stream.close()
    expect(stream.closed).toBe(true)
  })
})

describe('ClientSession', () => {
  it('unwraps a wrapped session in options and commits a transaction', async (ctx) => {
    requires(ctx, 'transactions')
    const col = await seeded(0)
    const session = client.startSession()
    expect(session).toBeInstanceOf(motorPromise.classes.ClientSession)
    const result = await session.withTransaction(async (s) => {
      await col.insertOne({ i: 1, tag: 'txn' }, { session: s })
      expect(s.inTransaction()).toBe(true)
      return 'ok'
    })
    expect(result).toBe('ok')
    await session.endSession()
    expect(await col.countDocuments({ tag: 'txn' })).toBe(1)
  })

  it('aborts when the work fails', async (ctx) => {
    requires(ctx, 'transactions')
    const col = await seeded(0)
    await client
      .withSession((session) =>
        session.withTransaction(async (s) => {
          await col.insertOne({ i: 2, tag: 'aborted' }, { session: s })
          throw new Error('rollback')
        }),
      )
      .catch(() => undefined)
    expect(await col.countDocuments({ tag: 'aborted' })).toBe(0)
  })
})

describe('GridFS', () => {
  it('uploads and downloads through wrapped streams, given a wrapped Db', async () => {
    const bucket = new GridFSBucket(db, { bucketName: uniqueName('fs'), chunkSizeBytes: 4 })
    const upload = bucket.openUploadStream('hello.txt', { metadata: { kind: 'greeting' } })
    await upload.write('hello ')
    const file = await upload.end('world')
    expect(file.length).toBe(11)
    const chunks: Buffer[] = []
    for await (const chunk of bucket.openDownloadStream(file._id).toStream()) chunks.push(chunk)
    expect(Buffer.concat(chunks).toString()).toBe('hello world')
    const files = await bucket.find({ filename: 'hello.txt' }).toArray()
    expect(files[0]?.metadata).toEqual({ kind: 'greeting' })
    await bucket.rename(file._id, 'renamed.txt')
    await bucket.delete(file._id)
    expect(await bucket.find({}).toArray()).toEqual([])
  })
})

describe('ClientEncryption', () => {
  it('names the missing optional dependency clearly', () => {
    expect(
      () =>
        new ClientEncryption(client, {
          keyVaultNamespace: 'keys.vault',
          kmsProviders: { local: { key: Buffer.alloc(96) } },
        }),
    ).toThrow(MongoMissingDependencyError)
  })
})
