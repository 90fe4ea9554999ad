/**
 * 100% of the table: every async member of every wrapped class, and static
 * `MongoClient.connect`, called on a live object with a trailing callback (and no other
 * arguments than the functions the member takes itself) returns nothing and calls back
 * exactly once, with a result or an error — never a throw, a Promise, or silence. The list
 * comes from core's table, so a member the driver adds is covered the day the table names it.
 */
import { driverTable, type MemberKind, memberKeyName } from '@motor-ts/core'
import { server, uniqueName } from '@motor-ts/tools'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { functionParams } from '../src/generated/driver-api.generated.js'
import { type Collection, type Db, GridFSBucket, MongoClient, motorCallback } from '../src/index.js'
import { callBack } from './support.js'

type Fn = (...args: unknown[]) => unknown

let client: MongoClient
let db: Db
let col: Collection
const clients: MongoClient[] = []

beforeAll(async () => {
  client = await MongoClient.connect(server().uri, { serverSelectionTimeoutMS: 5_000 })
  db = client.db(uniqueName('every'))
  col = db.collection('c')
  await col.insertOne({ a: 1 })
})
afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()))
  await db?.dropDatabase()
  await client?.close()
})

/** A fresh live object of each class (a closed change stream, since an open one waits for changes). */
const instances: Record<string, () => object | Promise<object>> = {
  MongoClient: () => {
    const c = new MongoClient(server().uri, { serverSelectionTimeoutMS: 5_000 })
    clients.push(c)
    return c
  },
  Db: () => client.db(db.databaseName),
  Admin: () => db.admin(),
  Collection: () => col,
  AbstractCursor: () => col.find(),
  ExplainableCursor: () => col.find(),
  FindCursor: () => col.find(),
  AggregationCursor: () => col.aggregate([]),
  ListCollectionsCursor: () => db.listCollections(),
  ListIndexesCursor: () => col.listIndexes(),
  ListSearchIndexesCursor: () => col.listSearchIndexes(),
  RunCommandCursor: () => db.runCursorCommand({ find: 'c' }),
  ChangeStream: async () => {
    const stream = col.watch()
    await stream.close()
    return stream
  },
  ClientSession: () => client.startSession(),
  GridFSBucket: () => new GridFSBucket(db),
  GridFSBucketReadStream: () => new GridFSBucket(db).openDownloadStreamByName('none'),
  GridFSBucketWriteStream: () => new GridFSBucket(db).openUploadStream('f'),
  BulkOperationBase: () => col.initializeOrderedBulkOp(),
  OrderedBulkOperation: () => col.initializeOrderedBulkOp(),
  UnorderedBulkOperation: () => col.initializeUnorderedBulkOp(),
  // Without the optional mongodb-client-encryption there is no live ClientEncryption: its
  // members run on an unbound wrapper, and must report that TypeError to the callback.
  ClientEncryption: () => Object.create(motorCallback.classes.ClientEncryption.prototype),
}

const isAsync = (kind: MemberKind) => kind.kind === 'op' || kind.kind === 'custom'
const asyncKeys = (members: Readonly<Record<string | symbol, MemberKind>>) => Reflect.ownKeys(members).filter((k) => isAsync(members[k]!))
const withAsync = Object.entries(driverTable).filter(([, entry]) => asyncKeys(entry.members).length > 0)

describe('every async member takes a callback', () => {
  it.each(withAsync.map(([name]) => name))('%s', async (name) => {
    const entry = driverTable[name as keyof typeof driverTable]
    const members = entry.members as Readonly<Record<string | symbol, MemberKind>>
    const cls = motorCallback.classes[name as keyof typeof driverTable] as Function & Record<string, Fn>
    const make = instances[name]
    expect(make, `a live ${name} for this test`).toBeDefined()
    const own = (key: string) => Array.from({ length: functionParams[name]?.[key] ?? 0 }, () => async () => undefined)
    const calls = asyncKeys(members).map(async (key) => {
        const target = await make!()
        const member = cls.prototype[key] as Fn
        const outcome = await callBack((cb) => member.call(target, ...own(memberKeyName(key)), cb))
        return [memberKeyName(key), outcome.error === undefined || outcome.error instanceof Error] as const
      })
    const statics: Readonly<Record<string, MemberKind>> = ('statics' in entry && entry.statics) || {}
    for (const [key, kind] of Object.entries(statics)) {
      if (!isAsync(kind)) continue
      calls.push(callBack((cb) => cls[key]!.call(cls, cb)).then((o) => [`static ${key}`, o.error instanceof Error] as const))
    }
    const results = Object.fromEntries(await Promise.all(calls))
    expect(Object.keys(results).length).toBeGreaterThan(0)
    expect(results).toEqual(Object.fromEntries(Object.keys(results).map((k) => [k, true])))
  })
})
