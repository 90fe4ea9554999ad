/**
 * Effects are descriptions: building one sends nothing, running it sends the command, and
 * running it again sends it again. Interruption is cancellation: a `Stream` stopped early
 * (`Stream.take`) or an interrupted fiber closes the server cursor (a `killCursors` naming the
 * cursor the `find` opened, after which the server no longer knows that cursor). All proven
 * with command monitoring against the provisioned server.
 */
import { Effect, Exit, Fiber, Stream } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Long, MongoServerError } from '../src/index.js'
import { cursorIdOf, eventually, killedIds, type Monitored, monitoredClient, seeded } from './support.js'

let m: Monitored

beforeAll(async () => {
  m = await monitoredClient('effect_lazy')
})
afterAll(async () => {
  await m?.close()
})

/** True when the server has forgotten the cursor: a getMore on it fails with CursorNotFound. */
async function cursorIsGone(collection: string, id: bigint): Promise<boolean> {
  try {
    await m.client.delegate.db(m.db.databaseName).command({ getMore: Long.fromBigInt(id), collection })
    return false
  } catch (error) {
    return error instanceof MongoServerError && error.code === 43
  }
}

describe('laziness', () => {
  it('builds writes and counts without a command and sends one per run', async () => {
    const coll = await seeded(m, 1)
    m.reset()
    const insert = coll.insertOne({ _id: 100, i: 100 })
    const bump = coll.updateOne({ _id: 0 }, { $inc: { i: 1 } })
    const count = coll.countDocuments()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(m.commands('insert')).toHaveLength(0)
    expect(m.commands('update')).toHaveLength(0)
    expect(m.commands('aggregate')).toHaveLength(0)

    expect((await Effect.runPromise(insert)).insertedId).toBe(100)
    await Effect.runPromise(bump)
    await Effect.runPromise(bump)
    expect(m.commands('insert')).toHaveLength(1)
    expect(m.commands('update')).toHaveLength(2)
    expect(await Effect.runPromise(coll.findOne({ _id: 0 }))).toEqual({ _id: 0, i: 2 })
    expect(await Effect.runPromise(count)).toBe(2)
    expect(await Effect.runPromise(count)).toBe(2)
    expect(m.commands('aggregate')).toHaveLength(2)
  })

  it('builds find().toArray() without a command and queries once per run', async () => {
    const coll = await seeded(m, 5)
    m.reset()
    const all = coll.find({}, { batchSize: 2 }).toArray()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(m.commands('find')).toHaveLength(0)

    const first = await Effect.runPromise(all)
    const second = await Effect.runPromise(all)
    expect(first.map((d) => d._id)).toEqual([0, 1, 2, 3, 4])
    expect(second).toEqual(first)
    expect(m.commands('find')).toHaveLength(2)
  })

  it('runs a toStream() afresh for each run', async () => {
    const coll = await seeded(m, 4)
    const stream = coll.find().toStream()
    m.reset()
    expect(await Effect.runPromise(Stream.runCollect(stream))).toHaveLength(4)
    expect(await Effect.runPromise(Stream.runCollect(stream))).toHaveLength(4)
    expect(m.commands('find')).toHaveLength(2)
  })
})

describe('interruption closes server cursors', () => {
  it('Stream.take(3) over a batched find kills the cursor it opened', async () => {
    const coll = await seeded(m, 20)
    m.reset()
    const firstThree = await Effect.runPromise(
      coll.find({}, { batchSize: 2 }).sort({ _id: 1 }).toStream().pipe(Stream.take(3), Stream.runCollect),
    )
    expect(firstThree.map((d) => d._id)).toEqual([0, 1, 2])

    const [find] = m.commands('find')
    const id = cursorIdOf(m, find!)
    expect(id).toBeDefined()
    expect(id).not.toBe(0n)
    // The stream's finalizer awaits the close, so the kill happened before runCollect ended.
    expect(killedIds(m)).toContain(id)
    expect(m.commands('getMore').length).toBeLessThan(9) // stopped early, not drained
    expect(await cursorIsGone(coll.collectionName, id!)).toBe(true)
  })

  it('interrupting a running toArray() of a multi-batch cursor closes it', async () => {
    const coll = await seeded(m, 2_000)
    m.reset()
    const cursor = coll.find({}, { batchSize: 2 })
    const fiber = Effect.runFork(cursor.toArray())
    await eventually(() => m.commands('getMore').length >= 3, 'toArray never reached its third getMore')
    await Effect.runPromise(Fiber.interrupt(fiber))
    const exit = await Effect.runPromise(Effect.exit(Fiber.join(fiber)))
    expect(Exit.isFailure(exit) && Exit.hasInterrupts(exit)).toBe(true)

    // The interruption closed the cursor (the driver marks it killed as it sends killCursors),
    // so the driver's toArray loop stopped fetching.
    await eventually(() => cursor.delegate.killed, 'the interrupted cursor was not closed')
    const fetched = m.commands('getMore').length
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(m.commands('getMore')).toHaveLength(fetched)
    expect(fetched).toBeLessThan(999)
    // Server side: the driver sends killCursors, except when its getMore in flight completes
    // first and ends the cursor's implicit session (a driver race, reported to core: whole
    // reads should stop between batches and close when idle). So it is not asserted here;
    // the Stream tests above and below prove the kill where motor-ts controls the timing.
  })

  it('interrupting a running Stream closes its cursor', async () => {
    const coll = await seeded(m, 2_000)
    m.reset()
    const fiber = Effect.runFork(Stream.runDrain(coll.find({}, { batchSize: 2 }).toStream()))
    await eventually(() => m.commands('getMore').length >= 3, 'the stream never reached its third getMore')
    await Effect.runPromise(Fiber.interrupt(fiber))

    const id = cursorIdOf(m, m.commands('find')[0]!)
    await eventually(() => killedIds(m).includes(id!), 'no killCursors for the interrupted stream')
    expect(await cursorIsGone(coll.collectionName, id!)).toBe(true)
  })

  it('an aborted signal cancels a run through runPromise', async () => {
    const coll = await seeded(m, 2_000)
    m.reset()
    const controller = new AbortController()
    const cursor = coll.find({}, { batchSize: 2 })
    const running = Effect.runPromiseExit(cursor.toArray(), { signal: controller.signal })
    await eventually(() => m.commands('getMore').length >= 3, 'toArray never reached its third getMore')
    controller.abort()
    const exit = await running
    expect(Exit.hasInterrupts(exit)).toBe(true)
    await eventually(() => cursor.delegate.killed, 'the aborted cursor was not closed')
  })
})
