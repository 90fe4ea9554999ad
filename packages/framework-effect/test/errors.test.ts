/**
 * The typed error channel: every driver failure, including synchronous throws from bad
 * input, is a tagged `MotorError` in the failure channel (an Exit `Fail`, never a `Die`), so
 * `Effect.catchTag` recovers from it; the original driver error stays available as `cause`
 * and is what core's continuations and `yieldable` (Synchro) see, with labels intact and
 * without ever wrapping a failure twice. Also the small framework members on their own:
 * `getFuture` cleanup on interruption, `callSoon` off the caller's stack.
 */
import { requires, uniqueName } from '@motor-ts/tools'
import { Effect, Fiber } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DuplicateKeyFailure,
  effectFramework,
  InvalidArgumentFailure,
  MongoClient,
  MongoServerError,
  MongoServerSelectionError,
  MotorError,
  ServerFailure,
  ServerSelectionFailure,
  TransactionFailure,
} from '../src/index.js'
import { failureOf, type Monitored, monitoredClient, seeded } from './support.js'

let m: Monitored
const appName = uniqueName('effect_errors')

beforeAll(async () => {
  m = await monitoredClient('effect_errors', { appName, retryWrites: false })
})
afterAll(async () => {
  await m?.close()
})

const run = <A>(effect: Effect.Effect<A, MotorError>) => Effect.runPromise(Effect.exit(effect))

describe('tagged failures', () => {
  it('a duplicate key is DuplicateKey with code 11000, recoverable with catchTag', async () => {
    const coll = await seeded(m, 1)
    const error = failureOf(await run(coll.insertOne({ _id: 0, i: 0 })))
    expect(error._tag).toBe('MotorError')
    expect(error.cause).toBe(error.reason)
    const failure = error.reason
    expect(failure).toBeInstanceOf(DuplicateKeyFailure)
    expect(failure._tag).toBe('DuplicateKey')
    expect(failure.code).toBe(11000)
    expect(failure.operation).toBe('insertOne')
    expect(failure.isRetryable).toBe(false)
    expect(failure.cause).toBeInstanceOf(MongoServerError)
    expect(error.message).toMatch(/E11000/)

    const recovered = await Effect.runPromise(
      coll.insertOne({ _id: 0, i: 0 }).pipe(
        Effect.map(() => 'inserted'),
        Effect.catchReason('MotorError', 'DuplicateKey', (e) => Effect.succeed(`duplicate ${e.code}`)),
      ),
    )
    expect(recovered).toBe('duplicate 11000')

    const byTags = await Effect.runPromise(
      coll.insertOne({ _id: 0, i: 0 }).pipe(
        Effect.map(() => 'inserted'),
        Effect.catchReasons('MotorError', { DuplicateKey: () => Effect.succeed('dup'), ServerError: () => Effect.succeed('server') }),
      ),
    )
    expect(byTags).toBe('dup')

    const unwrapped = await Effect.runPromise(
      coll.insertOne({ _id: 0, i: 0 }).pipe(
        Effect.map(() => 'inserted'),
        Effect.unwrapReason('MotorError'),
        Effect.catchTag('DuplicateKey', (e) => Effect.succeed(`tag ${e.code}`)),
      ),
    )
    expect(unwrapped).toBe('tag 11000')
  })

  it('an unparsable connection string is InvalidArgument', async () => {
    const failure = failureOf(await run(MongoClient.connect('notmongo://x')))
    expect(failure.reason._tag).toBe('InvalidArgument')
    expect(failure.reason).toBeInstanceOf(InvalidArgumentFailure)
    expect((failure.reason.cause as Error).name).toBe('MongoParseError')
  })

  it('an unreachable server is ServerSelection', async () => {
    const failure = failureOf(
      await run(MongoClient.connect('mongodb://127.0.0.1:1/?directConnection=true', { serverSelectionTimeoutMS: 500 })),
    )
    expect(failure.reason._tag).toBe('ServerSelection')
    expect(failure.reason).toBeInstanceOf(ServerSelectionFailure)
    expect(failure.isRetryable).toBe(true)
    expect(failure.reason.cause).toBeInstanceOf(MongoServerSelectionError)
  })

  it('wrong argument types fail in the channel, never as defects', async () => {
    const coll = await seeded(m, 1)
    for (const effect of [
      coll.insertOne(42 as any),
      coll.find('x' as any).toArray(),
      coll.aggregate('x' as any).toArray(),
      coll.updateOne({}, 'not an update' as any),
      coll.insertMany('nope' as any),
    ] as Effect.Effect<unknown, MotorError>[]) {
      const failure = failureOf(await run(effect))
      expect(failure.reason._tag).toBe('InvalidArgument')
    }
  })

  it('keeps server error labels and codes', async (ctx) => {
    requires(ctx, 'failCommand')
    const coll = await seeded(m, 0)
    const admin = m.client.db('admin')
    await Effect.runPromise(
      admin.command({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: { failCommands: ['insert'], errorCode: 2, errorLabels: ['TransientTransactionError'], appName },
      }),
    )
    try {
      const error = failureOf(await run(coll.insertOne({ _id: 1, i: 1 })))
      const failure = error.reason
      expect(failure).toBeInstanceOf(ServerFailure)
      expect(failure._tag).toBe('ServerError')
      expect(failure.code).toBe(2)
      expect(failure.labels).toContain('TransientTransactionError')
      expect(error.hasErrorLabel('TransientTransactionError')).toBe(true)
      expect(error.isRetryable).toBe(true) // a transient transaction error may succeed when retried
      expect((failure.cause as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true)
    } finally {
      await Effect.runPromise(admin.command({ configureFailPoint: 'failCommand', mode: 'off' }))
    }
  })
})

describe('the bridge to core and to Promises', () => {
  it('chainFuture hands core the driver error, and a re-thrown one is the same failure', async () => {
    const coll = await seeded(m, 1)
    let seenByCore: unknown
    let original: MotorError | undefined
    const insert = coll.insertOne({ _id: 0, i: 0 }).pipe(Effect.tapError((e) => Effect.sync(() => (original = e))))
    const chained = effectFramework.chainFuture(
      insert,
      () => Effect.succeed('no'),
      (error) => {
        seenByCore = error
        return effectFramework.runOnExecutor(async () => {
          throw error
        })
      },
    )
    const failure = failureOf(await run(chained))
    expect(seenByCore).toBeInstanceOf(MongoServerError)
    expect(failure).toBe(original)
    expect(failure.reason.cause).toBe(seenByCore)
  })

  it('chainFuture passes a hand-made failure through unchanged', async () => {
    const mine = new MotorError({ reason: new TransactionFailure({ message: 'mine', labels: ['x'], cause: undefined }) })
    const chained = effectFramework.chainFuture(
      Effect.fail(mine),
      () => Effect.succeed(1),
      (error) =>
        effectFramework.runOnExecutor(async () => {
          throw error
        }),
    )
    expect(failureOf(await run(chained))).toBe(mine)
  })

  it('yieldable rejects with the original driver error', async () => {
    const coll = await seeded(m, 1)
    const rejection = await effectFramework.yieldable(coll.insertOne({ _id: 0, i: 0 })).catch((e: unknown) => e)
    expect(rejection).toBeInstanceOf(MongoServerError)
    expect((rejection as MongoServerError).code).toBe(11000)
    expect(await effectFramework.yieldable(coll.countDocuments())).toBe(1)
  })

  it('yieldable interrupts the Effect when its signal aborts', async () => {
    let interrupted = false
    const controller = new AbortController()
    const pending = effectFramework.yieldable(
      Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => (interrupted = true)))),
      controller.signal,
    )
    setTimeout(() => controller.abort(), 10)
    const rejection = await pending.catch((e: unknown) => e)
    expect((rejection as Error).name).toBe('AbortError')
    expect(interrupted).toBe(true)
    await expect(effectFramework.yieldable(Effect.succeed(1), AbortSignal.abort())).rejects.toMatchObject({ name: 'AbortError' })
  })

  it('getFuture resolves, rejects into the channel, and cleans up on interruption', async () => {
    expect(await Effect.runPromise(effectFramework.getFuture<number>((resolve) => void setTimeout(() => resolve(7), 1)))).toBe(7)
    const failure = failureOf(
      await run(effectFramework.getFuture((_, reject) => reject(new MongoServerError({ message: 'boom', code: 11000 })))),
    )
    expect(failure.reason._tag).toBe('DuplicateKey')
    expect(failureOf(await run(effectFramework.getFuture(() => {
      throw new TypeError('bad input')
    }))).reason._tag).toBe('InvalidArgument')

    let cleaned = false
    let signal: AbortSignal | undefined
    const fiber = Effect.runFork(
      effectFramework.getFuture<number>((_resolve, _reject, s) => {
        signal = s
        return () => {
          cleaned = true
        }
      }),
    )
    await new Promise((resolve) => setTimeout(resolve, 5))
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(cleaned).toBe(true)
    expect(signal?.aborted).toBe(true)
  })

  it('callSoon runs off the caller stack', async () => {
    const order: string[] = []
    await new Promise<void>((resolve) => {
      effectFramework.callSoon(() => {
        order.push('soon')
        resolve()
      })
      order.push('caller')
    })
    expect(order).toEqual(['caller', 'soon'])
  })
})
