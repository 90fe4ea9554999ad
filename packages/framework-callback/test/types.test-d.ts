/**
 * Type tests: every async member has its Promise form and callback overloads generated from
 * the driver's declarations, keeping the driver's overloads and generics in both.
 */
import type { AnyError, ChangeStreamDocument, CollectionInfo, Document, GridFSFile, InsertOneResult, ModifyResult, WithId } from 'mongodb'
import { describe, expectTypeOf, it } from 'vitest'
import { type ClientSession, type Collection, type FindCursor, type GridFSBucket, MongoClient, type NodeCallback } from '../src/index.js'

interface Pet {
  name: string
  age: number
  tags: string[]
}
declare const client: MongoClient
declare const pets: Collection<Pet>
declare const bucket: GridFSBucket

describe('callback types', () => {
  it('types the callback with the result the Promise form resolves to', () => {
    expectTypeOf(pets.insertOne({ name: 'a', age: 1, tags: [] })).toEqualTypeOf<Promise<InsertOneResult<Pet>>>()
    expectTypeOf(pets.insertOne({ name: 'a', age: 1, tags: [] }, (error, result) => {
      expectTypeOf(error).toEqualTypeOf<AnyError | undefined>()
      expectTypeOf(result).toEqualTypeOf<InsertOneResult<Pet>>()
    })).toEqualTypeOf<void>()
    expectTypeOf(pets.insertOne({ name: 'a', age: 1, tags: [] }, { comment: 'x' }, () => undefined)).toEqualTypeOf<void>()
    // The document is still checked against the schema in the callback form.
    // @ts-expect-error age must be a number
    pets.insertOne({ name: 'a', age: 'old', tags: [] }, () => undefined)
  })

  it('keeps findOne, findOneAndUpdate and distinct generics in callback form', () => {
    pets.findOne({ name: 'rex' }, (_e, doc) => expectTypeOf(doc).toEqualTypeOf<WithId<Pet> | null>())
    pets.findOne((_e, doc) => expectTypeOf(doc).toEqualTypeOf<WithId<Pet> | null>())
    pets.findOne<{ name: string }>({}, { projection: { name: 1 } }, (_e, doc) => expectTypeOf(doc).toEqualTypeOf<{ name: string } | null>())
    pets.findOneAndUpdate({}, { $set: { age: 2 } }, { includeResultMetadata: true }, (_e, r) => expectTypeOf(r).toEqualTypeOf<ModifyResult<Pet>>())
    pets.findOneAndUpdate({}, { $set: { age: 2 } }, (_e, r) => expectTypeOf(r).toEqualTypeOf<WithId<Pet> | null>())
    pets.distinct('age', (_e, ages) => expectTypeOf(ages).toEqualTypeOf<number[]>())
    pets.distinct('name', { age: 1 }, (_e, names) => expectTypeOf(names).toEqualTypeOf<string[]>())
  })

  it('types cursor reads: toArray, next, hasNext and forEach with an iterator and a callback', () => {
    const cursor = pets.find({})
    expectTypeOf(cursor).toEqualTypeOf<FindCursor<WithId<Pet>>>()
    expectTypeOf(cursor.toArray()).toEqualTypeOf<Promise<WithId<Pet>[]>>()
    cursor.toArray((_e, docs) => expectTypeOf(docs).toEqualTypeOf<WithId<Pet>[]>())
    cursor.next((_e, doc) => expectTypeOf(doc).toEqualTypeOf<WithId<Pet> | null>())
    cursor.hasNext((_e, more) => expectTypeOf(more).toEqualTypeOf<boolean>())
    expectTypeOf(
      cursor.forEach((doc) => {
        expectTypeOf(doc).toEqualTypeOf<WithId<Pet>>()
      }),
    ).toEqualTypeOf<Promise<void>>()
    expectTypeOf(cursor.forEach(() => {}, () => {})).toEqualTypeOf<void>()
    pets.aggregate<{ n: number }>([]).toArray((_e, rows) => expectTypeOf(rows).toEqualTypeOf<{ n: number }[]>())
    client.db('x').listCollections({}, { nameOnly: true }).toArray((_e, infos) =>
      expectTypeOf(infos).toEqualTypeOf<Pick<CollectionInfo, 'name' | 'type'>[]>(),
    )
    pets.watch().next((_e, change) => expectTypeOf(change).toEqualTypeOf<ChangeStreamDocument<Pet>>())
  })

  it('types withSession and withTransaction with the wrapped session and the executor result', () => {
    client.withSession(
      async (s) => {
        expectTypeOf(s).toEqualTypeOf<ClientSession>()
        return 42
      },
      (_e, n) => expectTypeOf(n).toEqualTypeOf<number>(),
    )
    client.withSession({ causalConsistency: true }, async () => 'x', (_e, r) => expectTypeOf(r).toEqualTypeOf<string>())
    expectTypeOf(client.withSession(async () => 1)).toEqualTypeOf<Promise<number>>()
    const session = client.startSession()
    session.withTransaction(async () => 'done', (_e, r) => expectTypeOf(r).toEqualTypeOf<string>())
    session.endSession((e) => expectTypeOf(e).toEqualTypeOf<AnyError | undefined>())
  })

  it('types MongoClient.connect, GridFS uploads and NodeCallback', () => {
    MongoClient.connect('mongodb://127.0.0.1', (_e, c) => expectTypeOf(c).toEqualTypeOf<MongoClient>())
    MongoClient.connect('mongodb://127.0.0.1', { appName: 'x' }, (_e, c) => expectTypeOf(c).toEqualTypeOf<MongoClient>())
    expectTypeOf(MongoClient.connect('mongodb://127.0.0.1')).toEqualTypeOf<Promise<MongoClient>>()
    client.connect((_e, c) => expectTypeOf(c).toEqualTypeOf<MongoClient>())
    const upload = bucket.openUploadStream('a.txt')
    upload.write('chunk', (e) => expectTypeOf(e).toEqualTypeOf<AnyError | undefined>())
    upload.end((_e, file) => expectTypeOf(file).toEqualTypeOf<GridFSFile>())
    expectTypeOf(upload.end('last')).toEqualTypeOf<Promise<GridFSFile>>()
    // A legacy-style callback, `(error?, result?)`, fits where a NodeCallback is expected.
    const legacy = (_error?: AnyError, _result?: Document) => undefined
    expectTypeOf(legacy).toMatchTypeOf<NodeCallback<Document>>()
    expectTypeOf<NodeCallback<GridFSFile>>().parameter(1).toEqualTypeOf<GridFSFile>()
  })
})
