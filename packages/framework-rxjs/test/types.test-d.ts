/**
 * Type tests (vitest typecheck): the driver's signatures come through with `Observable` in
 * place of `Promise` — overloads, generics and defaults included — and cursors, change
 * streams and sessions are the RxJS wrappers. Nothing here runs; tsc checks it.
 */
import type { Observable } from 'rxjs'
import { describe, expectTypeOf, test } from 'vitest'
import type {
  AggregationCursor,
  ChangeStream,
  ChangeStreamDocument,
  ChangeStreamInsertDocument,
  ClientSession,
  Collection,
  CollectionInfo,
  Db,
  DeleteResult,
  FindCursor,
  InsertOneResult,
  ModifyResult,
  UpdateResult,
  WithId,
} from '../src/index.js'
import { MongoClient } from '../src/index.js'

/** As the driver recommends: no `_id` in the schema; results are `WithId<User>`. */
interface User {
  name: string
  age: number
  tags: string[]
}

declare const client: MongoClient
declare const users: Collection<User>

describe('client and database', () => {
  test('constructors and static connect', () => {
    expectTypeOf(new MongoClient('mongodb://localhost')).toEqualTypeOf<MongoClient>()
    expectTypeOf(MongoClient.connect('mongodb://localhost')).toEqualTypeOf<Observable<MongoClient>>()
    expectTypeOf(client.connect()).toEqualTypeOf<Observable<MongoClient>>()
    expectTypeOf(client.close()).toEqualTypeOf<Observable<void>>()
    expectTypeOf(client.db('x')).toEqualTypeOf<Db>()
    expectTypeOf(client.db('x').collection<User>('users')).toEqualTypeOf<Collection<User>>()
  })

  test('listCollections with nameOnly', () => {
    const names = client.db('x').listCollections({}, { nameOnly: true })
    expectTypeOf(names.toArray()).toEqualTypeOf<Observable<Pick<CollectionInfo, 'name' | 'type'>[]>>()
    expectTypeOf(client.db('x').listCollections({}, { nameOnly: false }).toStream()).toEqualTypeOf<Observable<CollectionInfo>>()
  })
})

describe('collection operations are Observables of the driver results', () => {
  test('findOne', () => {
    expectTypeOf(users.findOne()).toEqualTypeOf<Observable<WithId<User> | null>>()
    expectTypeOf(users.findOne({ name: 'a' })).toEqualTypeOf<Observable<WithId<User> | null>>()
    expectTypeOf(users.findOne<{ name: string }>({ name: 'a' })).toEqualTypeOf<Observable<{ name: string } | null>>()
  })

  test('writes', () => {
    expectTypeOf(users.insertOne({ name: 'a', age: 1, tags: [] })).toEqualTypeOf<Observable<InsertOneResult<User>>>()
    expectTypeOf(users.updateOne({ name: 'a' }, { $set: { age: 2 } })).toEqualTypeOf<Observable<UpdateResult<User>>>()
    expectTypeOf(users.deleteMany({})).toEqualTypeOf<Observable<DeleteResult>>()
    // @ts-expect-error name must be a string
    users.insertOne({ name: 1, age: 1, tags: [] })
  })

  test('findOneAndUpdate overloads follow includeResultMetadata', () => {
    expectTypeOf(users.findOneAndUpdate({ name: 'a' }, { $inc: { age: 1 } })).toEqualTypeOf<Observable<WithId<User> | null>>()
    expectTypeOf(users.findOneAndUpdate({ name: 'a' }, { $inc: { age: 1 } }, { includeResultMetadata: true })).toEqualTypeOf<
      Observable<ModifyResult<User>>
    >()
    expectTypeOf(users.findOneAndUpdate({ name: 'a' }, { $inc: { age: 1 } }, { includeResultMetadata: false })).toEqualTypeOf<
      Observable<WithId<User> | null>
    >()
    expectTypeOf(users.findOneAndUpdate({ name: 'a' }, { $inc: { age: 1 } }, { returnDocument: 'after' })).toEqualTypeOf<
      Observable<WithId<User> | null>
    >()
  })

  test('distinct is typed by key', () => {
    expectTypeOf(users.distinct('name')).toEqualTypeOf<Observable<string[]>>()
    expectTypeOf(users.distinct('age', { name: 'a' })).toEqualTypeOf<Observable<number[]>>()
    expectTypeOf(users.distinct('tags')).toEqualTypeOf<Observable<string[]>>()
    expectTypeOf(users.distinct('nested.field' as string)).toEqualTypeOf<Observable<any[]>>()
  })
})

describe('cursors', () => {
  test('find: chained builders keep the type; toStream and toArray are Observables', () => {
    const cursor = users.find({ age: { $gt: 1 } }).sort({ age: 1 }).limit(10)
    expectTypeOf(cursor).toEqualTypeOf<FindCursor<WithId<User>>>()
    expectTypeOf(cursor.toStream()).toEqualTypeOf<Observable<WithId<User>>>()
    expectTypeOf(cursor.toArray()).toEqualTypeOf<Observable<WithId<User>[]>>()
    expectTypeOf(cursor.next()).toEqualTypeOf<Observable<WithId<User> | null>>()
  })

  test('find<T> and project<T> change the document type', () => {
    expectTypeOf(users.find<{ name: string }>({}).toStream()).toEqualTypeOf<Observable<{ name: string }>>()
    expectTypeOf(users.find({}).project<{ age: number }>({ age: 1 }).toStream()).toEqualTypeOf<Observable<{ age: number }>>()
    expectTypeOf(users.find({}).map((u) => u.name).toArray()).toEqualTypeOf<Observable<string[]>>()
  })

  test('aggregate<T>', () => {
    const totals = users.aggregate<{ _id: string; total: number }>([{ $group: { _id: '$name', total: { $sum: '$age' } } }])
    expectTypeOf(totals).toEqualTypeOf<AggregationCursor<{ _id: string; total: number }>>()
    expectTypeOf(totals.toStream()).toEqualTypeOf<Observable<{ _id: string; total: number }>>()
    expectTypeOf(totals.toArray()).toEqualTypeOf<Observable<{ _id: string; total: number }[]>>()
  })
})

describe('change streams', () => {
  test('watch defaults to the collection schema', () => {
    expectTypeOf(users.watch()).toEqualTypeOf<ChangeStream<User, ChangeStreamDocument<User>>>()
    expectTypeOf(users.watch().toStream()).toEqualTypeOf<Observable<ChangeStreamDocument<User>>>()
  })

  test('watch<TLocal, TChange>', () => {
    const inserts = users.watch<User, ChangeStreamInsertDocument<User>>([{ $match: { operationType: 'insert' } }])
    expectTypeOf(inserts).toEqualTypeOf<ChangeStream<User, ChangeStreamInsertDocument<User>>>()
    expectTypeOf(inserts.toStream()).toEqualTypeOf<Observable<ChangeStreamInsertDocument<User>>>()
    expectTypeOf(client.watch<{ a: number }>().toStream()).toEqualTypeOf<Observable<ChangeStreamDocument<{ a: number }>>>()
  })
})

describe('sessions', () => {
  test('withSession returns the work Observable type and hands over the RxJS session', () => {
    const result = client.withSession((session) => {
      expectTypeOf(session).toEqualTypeOf<ClientSession>()
      return users.insertOne({ name: 'a', age: 1, tags: [] }, { session })
    })
    expectTypeOf(result).toEqualTypeOf<Observable<InsertOneResult<User>>>()
    expectTypeOf(client.withSession({ causalConsistency: true }, () => users.countDocuments())).toEqualTypeOf<Observable<number>>()
  })

  test('withTransaction returns the work Observable type', () => {
    const result = client.withSession((session) => session.withTransaction((s) => users.findOne({}, { session: s })))
    expectTypeOf(result).toEqualTypeOf<Observable<WithId<User> | null>>()
  })

  test('startSession gives the wrapped session; endSession is an Observable', () => {
    const session = client.startSession()
    expectTypeOf(session).toEqualTypeOf<ClientSession>()
    expectTypeOf(session.endSession()).toEqualTypeOf<Observable<void>>()
    expectTypeOf(session.hasEnded).toEqualTypeOf<boolean>()
  })
})
