/**
 * Type tests: the driver's overloads and generics survive wrapping, with Promise results.
 */
import type { ChangeStreamDocument, ChangeStreamInsertDocument, CollectionInfo, Document, ModifyResult, WithId } from 'mongodb'
import { describe, expectTypeOf, it } from 'vitest'
import type { ClientSession, Collection, FindCursor, MongoClient } from '../src/index.js'

interface Pet {
  name: string
  age: number
  tags: string[]
}
declare const client: MongoClient
declare const pets: Collection<Pet>

describe('Promise types', () => {
  it('keeps find and the findOne overloads', () => {
    expectTypeOf(pets.find({ age: 1 })).toEqualTypeOf<FindCursor<WithId<Pet>>>()
    expectTypeOf(pets.find<{ name: string }>({})).toEqualTypeOf<FindCursor<{ name: string }>>()
    expectTypeOf(pets.find({}).toStream()).toEqualTypeOf<AsyncIterable<WithId<Pet>>>()
    expectTypeOf(pets.findOne()).toEqualTypeOf<Promise<WithId<Pet> | null>>()
    expectTypeOf(pets.findOne({ name: 'rex' })).toEqualTypeOf<Promise<WithId<Pet> | null>>()
    expectTypeOf(pets.findOne({}, { projection: { name: 1 } })).toEqualTypeOf<Promise<WithId<Pet> | null>>()
    expectTypeOf(pets.findOne<{ name: string }>({})).toEqualTypeOf<Promise<{ name: string } | null>>()
    expectTypeOf(pets.findOne<{ name: string }>()).toEqualTypeOf<Promise<{ name: string } | null>>()
    expectTypeOf(pets.findOne<{ name: string }>({}, { projection: { name: 1 } })).toEqualTypeOf<Promise<{ name: string } | null>>()
  })

  it('keys findOneAndUpdate on includeResultMetadata', () => {
    expectTypeOf(pets.findOneAndUpdate({}, { $set: { age: 2 } })).toEqualTypeOf<Promise<WithId<Pet> | null>>()
    expectTypeOf(pets.findOneAndUpdate({}, { $set: { age: 2 } }, { includeResultMetadata: true })).toEqualTypeOf<
      Promise<ModifyResult<Pet>>
    >()
    expectTypeOf(pets.findOneAndUpdate({}, { $set: { age: 2 } }, { includeResultMetadata: false })).toEqualTypeOf<
      Promise<WithId<Pet> | null>
    >()
    expectTypeOf(pets.findOneAndUpdate({}, { $set: { age: 2 } }, { upsert: true })).toEqualTypeOf<Promise<WithId<Pet> | null>>()
  })

  it('keeps distinct, aggregate, watch and listCollections generics', () => {
    expectTypeOf(pets.distinct('name')).toEqualTypeOf<Promise<string[]>>()
    expectTypeOf(pets.distinct('age', { name: 'x' })).toEqualTypeOf<Promise<number[]>>()
    expectTypeOf(pets.aggregate<{ n: number }>([]).toArray()).toEqualTypeOf<Promise<{ n: number }[]>>()
    expectTypeOf(pets.watch().next()).toEqualTypeOf<Promise<ChangeStreamDocument<Pet>>>()
    expectTypeOf(pets.watch<Pet, ChangeStreamInsertDocument<Pet>>([]).toStream()).toEqualTypeOf<
      AsyncIterable<ChangeStreamInsertDocument<Pet>>
    >()
    const db = client.db('x')
    expectTypeOf(db.listCollections({}, { nameOnly: true }).toArray()).toEqualTypeOf<
      Promise<Pick<CollectionInfo, 'name' | 'type'>[]>
    >()
    expectTypeOf(db.listCollections({}, { nameOnly: false }).toArray()).toEqualTypeOf<Promise<CollectionInfo[]>>()
    expectTypeOf(db.collection<Pet>('pets')).toEqualTypeOf<Collection<Pet>>()
  })

  it('types sessions, withSession and withTransaction with the wrapped session', () => {
    expectTypeOf(client.withSession(async (s) => {
      expectTypeOf(s).toEqualTypeOf<ClientSession>()
      return 42
    })).toEqualTypeOf<Promise<number>>()
    const session = client.startSession()
    expectTypeOf(session.withTransaction(async () => 'done')).toEqualTypeOf<Promise<string>>()
    expectTypeOf(pets.insertOne).parameter(1).toMatchTypeOf<{ session?: ClientSession | Document } | undefined>()
    pets.insertOne({ name: 'a', age: 1, tags: [] }, { session })
  })
})
