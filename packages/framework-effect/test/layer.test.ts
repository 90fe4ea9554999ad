/**
 * The client as an Effect 4 service (`Mongo.MongoClient`, formerly `MongoClientService`), named
 * as Effect's SQL clients are; `Mongo.layerConfig` builds it from `Config` with a `Redacted` URL.
 * `MongoClientService` keeps its `layer(url, options)`, which connects when the
 * layer is built (so a bad server fails the build, before the program runs) and closes the
 * client when the layer is released; `MongoClientService.session()` is a session as a scoped
 * resource, ended when its scope closes whether the program succeeds or fails.
 */
import { requires, server, uniqueName } from '@motor-ts/tools'
import { Config, ConfigProvider, Effect, Layer } from 'effect'
import { describe, expect, it } from 'vitest'
import { type ClientSession, Mongo, type MongoClient, MongoClientService, MotorError, TransactionFailure } from '../src/index.js'
import { failureOf, testLayer } from './support.js'

it('connects when built and closes when released', async () => {
  let client: MongoClient | undefined
  let closedDuringProgram = false
  let closed = false
  const program = Effect.gen(function* () {
    client = yield* MongoClientService
    client.on('topologyClosed', () => {
      closed = true
    })
    const pong = yield* client.db('admin').command({ ping: 1 })
    closedDuringProgram = closed
    return pong
  })
  const pong = await Effect.runPromise(program.pipe(Effect.provide(MongoClientService.layer(server().uri))))
  expect(pong.ok).toBe(1)
  expect(client).toBeDefined()
  expect(closedDuringProgram).toBe(false)
  expect(closed).toBe(true)
})

it('fails the layer, not the program, when the server is unreachable', async () => {
  let ran = false
  const program = Effect.gen(function* () {
    yield* MongoClientService
    ran = true
  })
  const layer = MongoClientService.layer('mongodb://127.0.0.1:1/?directConnection=true', { serverSelectionTimeoutMS: 500 })
  const failure = failureOf(await Effect.runPromise(Effect.exit(program.pipe(Effect.provide(layer)))))
  expect(failure.reason._tag).toBe('ServerSelection')
  expect(ran).toBe(false)
})

it('shares one client across the program', async () => {
  const get = MongoClientService.useSync((client) => client)
  const [a, b] = await Effect.runPromise(Effect.all([get, get]).pipe(Effect.provide(MongoClientService.layer(server().uri))))
  expect(a).toBe(b)
})

it('ends a scoped session when its scope closes, on success and on failure', async (ctx) => {
  requires(ctx, 'transactions')
  const layer = MongoClientService.layer(server().uri)
  const dbName = uniqueName('effect_layer')
  const sessions: ClientSession[] = []

  const transaction = (fail: boolean) =>
    Effect.scoped(
      Effect.gen(function* () {
        const client = yield* MongoClientService
        const session = yield* MongoClientService.session()
        sessions.push(session)
        const coll = client.db(dbName).collection<{ _id: number }>('c')
        return yield* session.withTransaction(() =>
          Effect.andThen(
            coll.insertOne({ _id: sessions.length }, { session }),
            fail
              ? Effect.fail(new MotorError({ reason: new TransactionFailure({ message: 'no', labels: [], cause: undefined }) }))
              : Effect.succeed('ok'),
          ),
        )
      }),
    )

  const result = await Effect.runPromise(
    Effect.gen(function* () {
      const client = yield* MongoClientService
      yield* client.db(dbName).createCollection('c')
      const ok = yield* transaction(false)
      const failed = yield* Effect.exit(transaction(true))
      const ids = (yield* client.db(dbName).collection('c').find().toArray()).map((d) => d._id)
      yield* client.db(dbName).dropDatabase()
      return { ok, failed, ids }
    }).pipe(Effect.provide(layer)),
  )
  expect(result.ok).toBe('ok')
  expect(failureOf(result.failed).reason._tag).toBe('Transaction')
  expect(result.ids).toEqual([1])
  expect(sessions).toHaveLength(2)
  expect(sessions.every((s) => s.hasEnded)).toBe(true)
})

describe('Mongo module (Effect SQL naming)', () => {
  it('is the same service as the deprecated MongoClientService', () => {
    expect(Mongo.MongoClient).toBe(MongoClientService)
  })

  it('layerConfig reads the URL as a Redacted and options from Config', async () => {
    const provider = ConfigProvider.fromUnknown({ MONGODB_URI: server().uri, APP_NAME: 'motor-config-test' })
    const layer = Mongo.layerConfig({ url: Config.Redacted('MONGODB_URI'), appName: Config.String('APP_NAME') }).pipe(
      Layer.provide(ConfigProvider.layer(provider)),
    )
    const appName = await Effect.runPromise(Mongo.MongoClient.useSync((client) => client.options.appName).pipe(Effect.provide(layer)))
    expect(appName).toBe('motor-config-test')
  })

  it('never prints the URL, and a missing setting fails the layer with a ConfigError', async () => {
    const secret = 'mongodb://user:s3cret@127.0.0.1:1/?directConnection=true'
    const url = Config.Redacted('MONGODB_URI')
    const redacted = await Effect.runPromise(url.pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({ MONGODB_URI: secret })))))
    expect(String(redacted)).not.toContain('s3cret')
    expect(JSON.stringify(redacted)).not.toContain('s3cret')
    const exit = await Effect.runPromiseExit(
      Effect.asVoid(Mongo.MongoClient).pipe(
        Effect.provide(Mongo.layerConfig({ url }).pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromUnknown({}))))),
      ),
    )
    expect(exit._tag).toBe('Failure')
    expect(String(exit._tag === 'Failure' && exit.cause)).toMatch(/MONGODB_URI/)
  })

  it('testLayer provides the client on the test server, with sessions as scoped resources', async () => {
    const ended = await Effect.runPromise(
      Effect.gen(function* () {
        const session = yield* Effect.scoped(Mongo.session())
        return session.hasEnded
      }).pipe(Effect.provide(testLayer())),
    )
    expect(ended).toBe(true)
  })
})
