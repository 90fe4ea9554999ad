/**
 * The callback forms against the test server, as `mongodb-legacy` users write them: each
 * async method given a trailing `(error, result)` callback calls it once and returns
 * nothing; without one it returns a Promise of the same result. Errors — from the server,
 * from bad input, thrown synchronously, or a falsy rejection — reach the callback.
 */

import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { requires, server, uniqueName } from '@motor-ts/tools'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Collection,
  type Db,
  GridFSBucket,
  MongoClient,
  MongoServerError,
  motorCallback,
} from '../src/index.js'
import { fails, succeeds } from './support.js'

interface Pet {
  _id?: unknown
  name: string
  age: number
}

let client: MongoClient
let db: Db

beforeAll(async () => {
  client = await succeeds<MongoClient>((cb) => MongoClient.connect(server().uri, { serverSelectionTimeoutMS: 10_000 }, cb))
  db = client.db(uniqueName('callback'))
})
afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

async function pets(n = 5): Promise<Collection<Pet>> {
  const col = db.collection<Pet>(uniqueName('pets'))
  if (n) await col.insertMany(Array.from({ length: n }, (_, i) => ({ name: `pet${i}`, age: i })))
  return col
}

describe('MongoClient', () => {
  it('connects with (url, callback) and (url, options, callback), and closes with a callback', async () => {
    const a = await succeeds<MongoClient>((cb) => MongoClient.connect(server().uri, cb))
    expect(a).toBeInstanceOf(MongoClient)
    expect(await succeeds((cb) => a.close(cb))).toBeUndefined()
    const b = new MongoClient(server().uri)
    expect(await succeeds((cb) => b.connect(cb))).toBe(b)
    await succeeds((cb) => b.close(false, cb))
  })

  it('reports a bad URL to the callback instead of throwing', async () => {
    // By name: vitest may load a second copy of the driver's error classes for the test file.
    expect(((await fails((cb) => MongoClient.connect('notmongo://x', cb))) as Error).name).toBe('MongoParseError')
  })

  it('still returns Promises when no callback is given', async () => {
    const connecting = MongoClient.connect(server().uri)
    expect(connecting).toBeInstanceOf(Promise)
    await (await connecting).close()
  })
})

describe('Collection', () => {
  it('gives the same results in callback and Promise forms', async () => {
    const col = await pets()
    const inserted = await succeeds<{ acknowledged: boolean }>((cb) => col.insertOne({ name: 'rex', age: 9 }, cb))
    expect(inserted.acknowledged).toBe(true)
    expect(await succeeds((cb) => col.findOne({ name: 'rex' }, { projection: { _id: 0 } }, cb))).toEqual(
      await col.findOne({ name: 'rex' }, { projection: { _id: 0 } }),
    )
    expect(await succeeds((cb) => col.countDocuments(cb))).toBe(6)
    expect(await succeeds((cb) => col.countDocuments({ age: { $gte: 3 } }, cb))).toBe(await col.countDocuments({ age: { $gte: 3 } }))
    expect(await succeeds((cb) => col.distinct('age', { age: { $lt: 2 } }, cb))).toEqual([0, 1])
    const updated = await succeeds<{ modifiedCount: number }>((cb) => col.updateMany({ age: { $lt: 2 } }, { $inc: { age: 10 } }, cb))
    expect(updated.modifiedCount).toBe(2)
    const found = await succeeds<Pet | null>((cb) => col.findOneAndUpdate({ name: 'rex' }, { $set: { age: 1 } }, { returnDocument: 'after' }, cb))
    expect(found?.age).toBe(1)
    expect(await succeeds((cb) => col.createIndex({ name: 1 }, cb))).toBe('name_1')
    expect(await succeeds((cb) => col.indexExists('name_1', cb))).toBe(true)
    const deleted = await succeeds<{ deletedCount: number }>((cb) => col.deleteMany({}, cb))
    expect(deleted.deletedCount).toBe(6)
  })

  it('passes a server error to the callback, with no result', async () => {
    const col = await pets(0)
    const { insertedId } = await col.insertOne({ name: 'a', age: 1 })
    const error = await fails((cb) => col.insertOne({ _id: insertedId, name: 'b', age: 2 }, cb))
    expect(error).toBeInstanceOf(MongoServerError)
    expect((error as MongoServerError).code).toBe(11000)
  })

  it('passes bad input to the callback instead of throwing', async () => {
    const col = await pets(0)
    await fails((cb) => col.insertMany('not an array' as never, cb))
  })

  it('passes an error thrown synchronously (a call on a non-wrapper) to the callback', async () => {
    const insertOne = motorCallback.classes.Collection.prototype.insertOne as (...args: unknown[]) => unknown
    const error = await fails((cb) => insertOne.call({}, { name: 'x' }, cb))
    expect(error).toBeInstanceOf(TypeError)
  })

  it('runs a bulk operation with execute(callback)', async () => {
    const col = await pets(0)
    const bulk = col.initializeOrderedBulkOp()
    bulk.insert({ name: 'a', age: 1 })
    bulk.find({ name: 'a' }).updateOne({ $set: { age: 2 } })
    const result = await succeeds<{ insertedCount: number; modifiedCount: number }>((cb) => bulk.execute(cb))
    expect([result.insertedCount, result.modifiedCount]).toEqual([1, 1])
  })
})

describe('cursors', () => {
  it('reads with toArray, next and hasNext callbacks', async () => {
    const col = await pets(3)
    const all = await succeeds<Pet[]>((cb) => col.find({}, { sort: { age: 1 } }).toArray(cb))
    expect(all.map((p) => p.age)).toEqual([0, 1, 2])
    const cursor = col.find({}, { sort: { age: 1 } })
    expect((await succeeds<Pet | null>((cb) => cursor.next(cb)))?.age).toBe(0)
    expect(await succeeds((cb) => cursor.hasNext(cb))).toBe(true)
    expect((await succeeds<Pet | null>((cb) => cursor.tryNext(cb)))?.age).toBe(1)
    await succeeds((cb) => cursor.close(cb))
    expect(await succeeds((cb) => col.aggregate([{ $count: 'n' }]).toArray(cb))).toEqual([{ n: 3 }])
  })

  it('iterates with forEach(iterator, callback), stopping when the iterator returns false', async () => {
    const col = await pets(5)
    const seen: number[] = []
    await succeeds((cb) => col.find({}, { sort: { age: 1 } }).forEach((p) => void seen.push(p.age), cb))
    expect(seen).toEqual([0, 1, 2, 3, 4])
    const some: number[] = []
    await succeeds((cb) =>
      // biome-ignore lint/suspicious/useIterableCallbackReturn: the driver's forEach stops when its iterator returns false
      col.find({}, { sort: { age: 1 } }).forEach((p) => {
        some.push(p.age)
        return p.age < 1
      }, cb),
    )
    expect(some).toEqual([0, 1])
    // Without a callback, forEach's iterator is not taken for one: it returns a Promise.
    const promised = col.find({}).forEach(() => {})
    expect(promised).toBeInstanceOf(Promise)
    await promised
  })

  it('passes an iterator that throws to the callback', async () => {
    const col = await pets(2)
    const error = await fails((cb) =>
      col.find({}).forEach(() => {
        throw new Error('iterator failed')
      }, cb),
    )
    expect((error as Error).message).toBe('iterator failed')
  })

  it('streams with the driver Node stream and with toStream()', async () => {
    const col = await pets(4)
    const names: string[] = []
    await pipeline(
      col.find({}, { sort: { age: 1 } }).stream(),
      new Writable({
        objectMode: true,
        write(doc: Pet, _enc, done) {
          names.push(doc.name)
          done()
        },
      }),
    )
    expect(names).toEqual(['pet0', 'pet1', 'pet2', 'pet3'])
    const ages: number[] = []
    for await (const doc of col.find({}, { sort: { age: -1 } }).toStream()) ages.push(doc.age)
    expect(ages).toEqual([3, 2, 1, 0])
  })
})

describe('sessions and transactions', () => {
  it('calls back withSession with the executor result, after the session ended', async (ctx) => {
    requires(ctx, 'sessions')
    const col = await pets(2)
    let used: { hasEnded: boolean } | undefined
    const n = await succeeds<number>((cb) =>
      client.withSession(async (session) => {
        used = session
        return col.countDocuments({}, { session })
      }, cb),
    )
    expect(n).toBe(2)
    expect(used?.hasEnded).toBe(true)
    expect(await succeeds((cb) => client.withSession({ causalConsistency: true }, async () => 'ok', cb))).toBe('ok')
  })

  it('passes a failing executor, even one rejecting with a falsy value, to the callback', async (ctx) => {
    requires(ctx, 'sessions')
    expect(((await fails((cb) => client.withSession(() => Promise.reject(new Error('work failed')), cb))) as Error).message).toBe('work failed')
    const falsy = await fails((cb) => client.withSession(() => Promise.reject(undefined), cb))
    expect(falsy).toMatchObject({ reason: undefined })
  })

  it('commits withTransaction(fn, callback), and aborts when fn fails', async (ctx) => {
    requires(ctx, 'transactions')
    const col = await pets(0)
    await db.createCollection(col.collectionName).catch(() => undefined)
    const session = client.startSession()
    try {
      const result = await succeeds((cb) => session.withTransaction(async (s) => col.insertOne({ name: 'tx', age: 1 }, { session: s }), cb))
      expect(result).toMatchObject({ acknowledged: true })
      const failed = await fails((cb) =>
        session.withTransaction(
          async (s) => {
            await col.insertOne({ name: 'rolled back', age: 2 }, { session: s })
            throw new Error('abort me')
          },
          { readConcern: { level: 'snapshot' } },
          cb,
        ),
      )
      expect((failed as Error).message).toBe('abort me')
      expect(await col.find({}, { projection: { _id: 0, name: 1 } }).toArray()).toEqual([{ name: 'tx' }])
    } finally {
      await succeeds((cb) => session.endSession(cb))
    }
  })
})

describe('GridFS', () => {
  it('uploads with write/end callbacks and deletes, renames and drops with callbacks', async () => {
    const bucket = new GridFSBucket(db, { bucketName: uniqueName('fs') })
    const upload = bucket.openUploadStream('a.txt')
    await succeeds((cb) => upload.write('hello ', cb))
    const file = await succeeds<{ length: number; _id: unknown }>((cb) => upload.end('world', cb))
    expect(file.length).toBe(11)
    const chunks: Buffer[] = []
    for await (const chunk of bucket.openDownloadStream(file._id as never).toStream()) chunks.push(chunk)
    expect(Buffer.concat(chunks).toString()).toBe('hello world')
    await succeeds((cb) => bucket.rename(file._id as never, 'b.txt', cb))
    expect((await bucket.find({}).toArray()).map((f) => f.filename)).toEqual(['b.txt'])
    await succeeds((cb) => bucket.delete(file._id as never, cb))
    await succeeds((cb) => bucket.drop(cb))
  })
})
