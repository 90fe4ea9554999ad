/**
 * The bank against the test server, with the client layer provided as the program gets it in
 * production — built from Config — but from a ConfigProvider pointing at the test server and
 * a database of this test file's own. Transfers need transactions and are skipped, with the
 * reason, on a server without them.
 */
import { requires, server, uniqueName } from '@motor-ts/tools'
import { ConfigProvider, Effect, Exit, Layer, Redacted, Stream } from 'effect'
import { describe, expect, it } from 'vitest'
import { balanceOf, deposit, openAccount, reset, statement, transfer } from '../src/bank.js'
import { DatabaseConfig, MongoLive } from '../src/database.js'

const config = ConfigProvider.fromEnvRecord({ MONGODB_URI: server().uri, BANK_DB: uniqueName('bank') })
const TestLayer = MongoLive.pipe(Layer.provideMerge(ConfigProvider.layer(config)))

/** Runs an effect of the app with the test layer (a fresh client per run, closed after it). */
const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof TestLayer>>) => Effect.runPromise(Effect.provide(effect, TestLayer))
const runExit = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof TestLayer>>) => Effect.runPromiseExit(Effect.provide(effect, TestLayer))

describe('effect-app example', () => {
  it('reads the URI as a Redacted value: it never shows in logs or strings', async () => {
    const uri = 'mongodb://bank:s3cret@127.0.0.1:1/'
    const { uri: read } = await Effect.runPromise(
      Effect.provideService(
        Effect.gen(function* () {
          return yield* DatabaseConfig
        }),
        ConfigProvider.ConfigProvider,
        ConfigProvider.fromEnvRecord({ MONGODB_URI: uri }),
      ),
    )
    expect(Redacted.value(read)).toBe(uri)
    expect(`${read} ${JSON.stringify({ read })}`).not.toContain('s3cret')
  })

  it('fails with a typed ConfigError when MONGODB_URI is missing, before connecting', async () => {
    const exit = await Effect.runPromiseExit(
      Effect.provide(Effect.void, MongoLive.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnvRecord({}))))),
    )
    expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/MONGODB_URI/)
  })

  it('opening an account twice fails with AccountExists, recovered by catchTag', async () => {
    const outcome = await run(
      Effect.gen(function* () {
        yield* reset
        yield* openAccount('carol', 'Carol')
        return yield* openAccount('carol', 'Carol').pipe(
          Effect.as('opened twice'),
          Effect.catchTag('AccountExists', (e) => Effect.succeed(`exists: ${e.id}`)),
        )
      }),
    )
    expect(outcome).toBe('exists: carol')
  })

  it('transfers all or nothing: an overdraft fails with InsufficientFunds and changes nothing', async (ctx) => {
    requires(ctx, 'transactions')
    const exit = await runExit(
      Effect.gen(function* () {
        yield* reset
        yield* openAccount('a', 'A')
        yield* openAccount('b', 'B')
        yield* deposit('a', 50)
        yield* transfer('a', 'b', 20)
        yield* transfer('a', 'b', 31)
      }),
    )
    expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/InsufficientFunds/)
    expect(await run(Effect.all([balanceOf('a'), balanceOf('b')]))).toEqual([30, 20])
    const unknown = await runExit(transfer('a', 'nobody', 1))
    expect(Exit.isFailure(unknown) && String(unknown.cause)).toMatch(/UnknownAccount/)
  })

  it('keeps the total across concurrent transfers', async (ctx) => {
    requires(ctx, 'transactions')
    const balances = await run(
      Effect.gen(function* () {
        yield* reset
        for (const id of ['x', 'y', 'z']) {
          yield* openAccount(id, id.toUpperCase())
          yield* deposit(id, 100)
        }
        const moves = Array.from({ length: 12 }, (_, i) => transfer(['x', 'y', 'z'][i % 3]!, ['y', 'z', 'x'][i % 3]!, 5 + i))
        yield* Effect.all(moves, { concurrency: 4 })
        return yield* Effect.all([balanceOf('x'), balanceOf('y'), balanceOf('z')])
      }),
    )
    expect(balances.reduce((a, b) => a + b, 0)).toBe(300)
  })

  it('streams a statement with a running balance (Stream pipeline over a cursor)', async (ctx) => {
    requires(ctx, 'transactions')
    const lines = await run(
      Effect.gen(function* () {
        yield* reset
        yield* openAccount('s', 'S')
        yield* openAccount('t', 'T')
        for (const amount of [10, 20, 30]) yield* deposit('s', amount)
        yield* transfer('s', 't', 25)
        return yield* Stream.runCollect(statement('s'))
      }),
    )
    expect(lines.map((line) => line.balance)).toEqual([10, 30, 60, 35])
    expect(lines.at(-1)?.memo).toBe('to t')
  })
})
