/**
 * Schema-checked collections in Effect, on the real server, with Effect Schema (through its
 * Standard Schema) and Zod 4: decoded reads, checked writes, and a failure in the channel as
 * `MotorError` with reason `Validation` naming the `_id` and the failing path.
 */
import { requires, uniqueName } from '@motor-ts/tools'
import { Effect, Fiber, Schema, Stream } from 'effect'
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { Mongo, type MotorError, ObjectId, SchemaValidationError, ValidationFailure, withSchema } from '../src/index.js'
import { failureOf, testLayer } from './support.js'

const User = Schema.Struct({ _id: Schema.instanceOf(ObjectId), name: Schema.String, age: Schema.Int })
const UserStd = Schema.toStandardSchemaV1(User)
const ZodUser = z.object({ _id: z.instanceof(ObjectId), name: z.string(), age: z.number().int() })
const dbName = uniqueName('effect_schema')

const run = <A, E>(program: Effect.Effect<A, E, Mongo.MongoClient>) =>
  Effect.runPromiseExit(program.pipe(Effect.provide(testLayer())))
const raw = (name: string) => Mongo.MongoClient.useSync((client) => client.db(dbName).collection(name))

afterAll(async () => {
  await run(Effect.flatMap(Mongo.MongoClient, (client) => client.db(dbName).dropDatabase()))
})

describe('withSchema (Effect)', () => {
  for (const [library, schema] of [
    ['Effect Schema', UserStd],
    ['Zod', ZodUser],
  ] as const) {
    it(`decodes reads and checks writes with ${library}`, async () => {
      const name = uniqueName('u')
      const good = new ObjectId()
      const bad = new ObjectId()
      const exit = await run(
        Effect.gen(function* () {
          const users = withSchema(yield* raw(name), schema)
          yield* users.insertOne({ _id: good, name: 'Ada', age: 36 })
          const found = yield* users.findOne({ _id: good })
          expectTypeOf(found!.name).toEqualTypeOf<string>()
          const rejected = yield* Effect.flip(users.insertOne({ _id: bad, name: 'Bob', age: 1.5 }))
          yield* (yield* raw(name)).insertOne({ _id: bad, name: 'Bob', age: 'old' })
          const streamed = yield* Effect.flip(Stream.runCollect(users.find().sort({ name: 1 }).toStream()))
          const caught = yield* users.findOne({ _id: bad }).pipe(
            Effect.catchReason('MotorError', 'Validation', (reason) => Effect.succeed(reason)),
          )
          return { found, rejected, streamed, caught }
        }),
      )
      if (exit._tag === 'Failure') throw new Error(String(exit.cause))
      const { found, rejected, streamed, caught } = exit.value
      expect(found).toEqual({ _id: good, name: 'Ada', age: 36 })
      for (const error of [rejected, streamed]) {
        expect(error.reason).toBeInstanceOf(ValidationFailure)
        const cause = error.reason.cause as SchemaValidationError
        expect(cause).toBeInstanceOf(SchemaValidationError)
        expect(cause.documentId).toEqual(bad)
        expect(cause.path).toBe('age')
      }
      expect((rejected.reason.cause as SchemaValidationError).direction).toBe('write')
      expect((streamed.reason.cause as SchemaValidationError).direction).toBe('read')
      expect(caught).toBeInstanceOf(ValidationFailure)
      expect(caught && 'message' in caught && caught.message).toContain(String(bad))
    })
  }

  it('decodes with a transforming Effect Schema', async () => {
    const Tagged = Schema.toStandardSchemaV1(
      Schema.Struct({ _id: Schema.Number, at: Schema.DateFromString }),
    )
    const name = uniqueName('t')
    const exit = await run(
      Effect.gen(function* () {
        yield* (yield* raw(name)).insertOne({ _id: 1 as never, at: '2024-01-02T00:00:00.000Z' })
        return yield* withSchema(yield* raw(name), Tagged).findOne({ _id: 1 })
      }),
    )
    if (exit._tag === 'Failure') throw new Error(String(exit.cause))
    expect(exit.value?.at).toBeInstanceOf(Date)
  })

  it("checks change streams' fullDocument in the Stream", async (ctx) => {
    requires(ctx, 'changeStreams')
    const name = uniqueName('cs')
    const bad = new ObjectId()
    const exit = await run(
      Effect.gen(function* () {
        const plain = yield* raw(name)
        yield* Effect.flatMap(Mongo.MongoClient, (c) => c.db(dbName).createCollection(name))
        const users = withSchema(plain, UserStd)
        const changes = users.watch().toStream()
        const consumer = yield* Effect.forkChild(Stream.runCollect(Stream.take(changes, 2)))
        yield* Effect.sleep('300 millis')
        yield* plain.insertOne({ _id: new ObjectId(), name: 'ok', age: 1 })
        yield* plain.insertOne({ _id: bad, name: 'bad', age: -0.5 })
        return yield* Effect.flip(Fiber.join(consumer))
      }),
    )
    if (exit._tag === 'Failure') throw new Error(String(exit.cause))
    const failure = exit.value as MotorError
    expect(failure.reason._tag).toBe('Validation')
    expect((failure.reason.cause as SchemaValidationError).documentId).toEqual(bad)
  })
})

it('types the failure as MotorError', () => {
  expectTypeOf(failureOf).returns.toEqualTypeOf<MotorError>()
})
