/**
 * Type tests: the driver's overloads and generics survive wrapping, with `Effect` results
 * failing with `MotorError` and `Stream` results for cursors and change streams; the
 * failures narrow by reason (`catchReason`, or `unwrapReason` then `catchTag`); the service and its layer are typed.
 */
import { Effect, type Layer, type Scope, type Stream } from 'effect'
import type {
  ChangeStreamDocument,
  ChangeStreamInsertDocument,
  CollectionInfo,
  Document,
  InsertOneResult,
  ModifyResult,
  WithId,
} from 'mongodb'
import { describe, expectTypeOf, it } from 'vitest'
import {
  type ClientSession,
  type Collection,
  type DuplicateKeyFailure,
  type FindCursor,
  type MongoClient,
  MongoClientService,
  type MotorError,
  type MotorErrorReason,
  type ServerFailure,
} from '../src/index.js'

interface Pet {
  name: string
  age: number
  tags: string[]
}
declare const client: MongoClient
declare const pets: Collection<Pet>

describe('Effect types', () => {
  it('keeps find and the findOne overloads', () => {
    expectTypeOf(pets.find({ age: 1 })).toEqualTypeOf<FindCursor<WithId<Pet>>>()
    expectTypeOf(pets.find<{ name: string }>({})).toEqualTypeOf<FindCursor<{ name: string }>>()
    expectTypeOf(pets.find({}).toStream()).toEqualTypeOf<Stream.Stream<WithId<Pet>, MotorError>>()
    expectTypeOf(pets.find<{ name: string }>({}).toStream()).toEqualTypeOf<Stream.Stream<{ name: string }, MotorError>>()
    expectTypeOf(pets.find().toArray()).toEqualTypeOf<Effect.Effect<WithId<Pet>[], MotorError>>()
    expectTypeOf(pets.findOne()).toEqualTypeOf<Effect.Effect<WithId<Pet> | null, MotorError>>()
    expectTypeOf(pets.findOne({ name: 'rex' })).toEqualTypeOf<Effect.Effect<WithId<Pet> | null, MotorError>>()
    expectTypeOf(pets.findOne<{ name: string }>({})).toEqualTypeOf<Effect.Effect<{ name: string } | null, MotorError>>()
    expectTypeOf(pets.insertOne({ name: 'a', age: 1, tags: [] })).toEqualTypeOf<Effect.Effect<InsertOneResult<Pet>, MotorError>>()
  })

  it('keys findOneAndUpdate on includeResultMetadata', () => {
    expectTypeOf(pets.findOneAndUpdate({}, { $set: { age: 2 } })).toEqualTypeOf<Effect.Effect<WithId<Pet> | null, MotorError>>()
    expectTypeOf(pets.findOneAndUpdate({}, { $set: { age: 2 } }, { includeResultMetadata: true })).toEqualTypeOf<
      Effect.Effect<ModifyResult<Pet>, MotorError>
    >()
    expectTypeOf(pets.findOneAndUpdate({}, { $set: { age: 2 } }, { includeResultMetadata: false })).toEqualTypeOf<
      Effect.Effect<WithId<Pet> | null, MotorError>
    >()
  })

  it('keeps distinct, aggregate, watch and listCollections generics', () => {
    expectTypeOf(pets.distinct('name')).toEqualTypeOf<Effect.Effect<string[], MotorError>>()
    expectTypeOf(pets.distinct('age', { name: 'x' })).toEqualTypeOf<Effect.Effect<number[], MotorError>>()
    expectTypeOf(pets.aggregate<{ n: number }>([]).toArray()).toEqualTypeOf<Effect.Effect<{ n: number }[], MotorError>>()
    expectTypeOf(pets.aggregate<{ n: number }>([]).toStream()).toEqualTypeOf<Stream.Stream<{ n: number }, MotorError>>()
    expectTypeOf(pets.watch().next()).toEqualTypeOf<Effect.Effect<ChangeStreamDocument<Pet>, MotorError>>()
    expectTypeOf(pets.watch<Pet, ChangeStreamInsertDocument<Pet>>([]).toStream()).toEqualTypeOf<
      Stream.Stream<ChangeStreamInsertDocument<Pet>, MotorError>
    >()
    const db = client.db('x')
    expectTypeOf(db.listCollections({}, { nameOnly: true }).toArray()).toEqualTypeOf<
      Effect.Effect<Pick<CollectionInfo, 'name' | 'type'>[], MotorError>
    >()
    expectTypeOf(db.listCollections({}, { nameOnly: false }).toArray()).toEqualTypeOf<Effect.Effect<CollectionInfo[], MotorError>>()
    expectTypeOf(db.collection<Pet>('pets')).toEqualTypeOf<Collection<Pet>>()
  })

  it('types withSession and withTransaction with the wrapped session', () => {
    expectTypeOf(
      client.withSession((s) => {
        expectTypeOf(s).toEqualTypeOf<ClientSession>()
        return Effect.succeed(42)
      }),
    ).toEqualTypeOf<Effect.Effect<number, MotorError>>()
    const session = client.startSession()
    expectTypeOf(session.withTransaction(() => Effect.succeed('done'))).toEqualTypeOf<Effect.Effect<string, MotorError>>()
    expectTypeOf(pets.insertOne).parameter(1).toMatchTypeOf<{ session?: ClientSession | Document } | undefined>()
  })

  it('narrows failures by reason, as Effect narrows SqlError', () => {
    const insert = pets.insertOne({ name: 'a', age: 1, tags: [] })
    const recovered = insert.pipe(
      Effect.catchReason('MotorError', 'DuplicateKey', (e) => {
        expectTypeOf(e).toEqualTypeOf<DuplicateKeyFailure>()
        expectTypeOf(e.code).toEqualTypeOf<number | string | undefined>()
        expectTypeOf(e.labels).toEqualTypeOf<readonly string[]>()
        expectTypeOf(e.isRetryable).toEqualTypeOf<boolean>()
        return Effect.succeed(null)
      }),
    )
    expectTypeOf(recovered).toEqualTypeOf<Effect.Effect<InsertOneResult<Pet> | null, MotorError>>()
    const byTag = insert.pipe(
      Effect.unwrapReason('MotorError'),
      Effect.catchTag('DuplicateKey', () => Effect.succeed(null)),
    )
    expectTypeOf(byTag).toEqualTypeOf<Effect.Effect<InsertOneResult<Pet> | null, Exclude<MotorErrorReason, DuplicateKeyFailure>>>()
    expectTypeOf<Extract<MotorErrorReason, { _tag: 'ServerError' }>>().toEqualTypeOf<ServerFailure>()
  })

  it('types the service, its layer and scoped sessions', () => {
    expectTypeOf(MongoClientService.layer('mongodb://x')).toEqualTypeOf<Layer.Layer<MongoClientService, MotorError>>()
    expectTypeOf(MongoClientService.session()).toEqualTypeOf<
      Effect.Effect<ClientSession, MotorError, MongoClientService | Scope.Scope>
    >()
    expectTypeOf(MongoClientService.useSync((c) => c)).toEqualTypeOf<Effect.Effect<MongoClient, never, MongoClientService>>()
  })
})
