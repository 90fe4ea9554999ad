/**
 * Sessions and transactions as Effects, through core's transaction loop: a transaction
 * commits; a failing work Effect aborts it (nothing is written) and its failure comes out
 * unchanged; a `TransientTransactionError` (injected with the `failCommand` fail point)
 * re-runs the work Effect and commits; sessions are ended whatever happens, including
 * interruption. Skipped, with the reason, on servers without transactions or fail points.
 */
import { requires, uniqueName } from '@motor-ts/tools'
import { Effect, Fiber } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSession, DuplicateKeyFailure, MongoServerError, MotorError, TransactionFailure } from '../src/index.js'
import { eventually, failureOf, type Monitored, monitoredClient, seeded } from './support.js'

let m: Monitored
const appName = uniqueName('effect_tx')

beforeAll(async () => {
  m = await monitoredClient('effect_tx', { appName })
})
afterAll(async () => {
  await m?.close()
})

const ids = async (coll: Awaited<ReturnType<typeof seeded>>) =>
  (await Effect.runPromise(coll.find().sort({ _id: 1 }).toArray())).map((d) => d._id)

describe('withTransaction', () => {
  it('commits the work and ends the session', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await seeded(m, 0)
    let session: ClientSession | undefined
    m.reset()
    const result = await Effect.runPromise(
      m.client.withSession((s) => {
        session = s
        return s.withTransaction(() =>
          Effect.andThen(coll.insertOne({ _id: 1, i: 1 }, { session: s }), coll.insertOne({ _id: 2, i: 2 }, { session: s })),
        )
      }),
    )
    expect(result.insertedId).toBe(2)
    expect(await ids(coll)).toEqual([1, 2])
    expect(m.started.filter((e) => e.commandName === 'commitTransaction')).toHaveLength(1)
    expect(session?.hasEnded).toBe(true)
  })

  it('aborts when the work fails, keeping its failure unchanged', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await seeded(m, 0)
    const mine = new MotorError({ reason: new TransactionFailure({ message: 'work gave up', labels: [], cause: undefined }) })
    let session: ClientSession | undefined
    m.reset()
    const exit = await Effect.runPromise(
      Effect.exit(
        m.client.withSession((s) => {
          session = s
          return s.withTransaction(() => Effect.andThen(coll.insertOne({ _id: 1, i: 1 }, { session: s }), Effect.fail(mine)))
        }),
      ),
    )
    expect(failureOf(exit)).toBe(mine)
    expect(m.started.filter((e) => e.commandName === 'abortTransaction')).toHaveLength(1)
    expect(m.started.filter((e) => e.commandName === 'commitTransaction')).toHaveLength(0)
    expect(await ids(coll)).toEqual([])
    expect(session?.hasEnded).toBe(true)
  })

  it('aborts on a driver failure, which stays a single DuplicateKey failure', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await seeded(m, 1) // holds _id 0
    const exit = await Effect.runPromise(
      Effect.exit(
        m.client.withSession((s) =>
          s.withTransaction(() =>
            Effect.andThen(coll.insertOne({ _id: 5, i: 5 }, { session: s }), coll.insertOne({ _id: 0, i: 0 }, { session: s })),
          ),
        ),
      ),
    )
    const error = failureOf(exit).reason
    expect(error).toBeInstanceOf(DuplicateKeyFailure)
    expect(error.code).toBe(11000)
    expect(error.cause).toBeInstanceOf(MongoServerError)
    expect(await ids(coll)).toEqual([0])
  })

  it('retries the work on a TransientTransactionError and commits once', async (ctx) => {
    requires(ctx, 'transactions', 'failCommand')
    const coll = await seeded(m, 0)
    const admin = m.client.db('admin')
    await Effect.runPromise(
      admin.command({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: { failCommands: ['insert'], errorCode: 251, errorLabels: ['TransientTransactionError'], appName },
      }),
    )
    let attempts = 0
    m.reset()
    try {
      const result = await Effect.runPromise(
        m.client.withSession((s) =>
          s.withTransaction(() =>
            Effect.andThen(
              Effect.sync(() => attempts++),
              coll.insertOne({ _id: 1, i: 1 }, { session: s }),
            ),
          ),
        ),
      )
      expect(result.insertedId).toBe(1)
    } finally {
      await Effect.runPromise(admin.command({ configureFailPoint: 'failCommand', mode: 'off' }))
    }
    expect(attempts).toBe(2)
    expect(m.commands('insert')).toHaveLength(2)
    expect(m.started.filter((e) => e.commandName === 'commitTransaction')).toHaveLength(1)
    expect(await ids(coll)).toEqual([1])
  })

  it('interrupting a transaction ends its session and writes nothing', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await seeded(m, 0)
    let session: ClientSession | undefined
    m.reset()
    const fiber = Effect.runFork(
      m.client.withSession((s) => {
        session = s
        return s.withTransaction(() => Effect.andThen(coll.insertOne({ _id: 1, i: 1 }, { session: s }), Effect.never))
      }),
    )
    await eventually(() => m.commands('insert').length === 1 && m.succeeded.some((e) => e.commandName === 'insert'), 'no insert')
    await Effect.runPromise(Fiber.interrupt(fiber))
    expect(session?.hasEnded).toBe(true)
    expect(m.started.filter((e) => e.commandName === 'commitTransaction')).toHaveLength(0)
    expect(await ids(coll)).toEqual([])
  })
})
