/**
 * A change stream as an Effect `Stream`: it opens its server cursor when the stream runs,
 * delivers inserts, updates and deletes in order, and closes the cursor (`killCursors`) when
 * the consumer stops (`Stream.take`). Skipped, with the reason, on servers without change
 * streams.
 */
import { requires } from '@motor-ts/tools'
import { Effect, Fiber, Stream } from 'effect'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { ChangeStreamDocument } from '../src/index.js'
import { cursorIdOf, eventually, killedIds, type Monitored, monitoredClient, seeded } from './support.js'

let m: Monitored

beforeAll(async () => {
  m = await monitoredClient('effect_changes')
})
afterAll(async () => {
  await m?.close()
})

const isChangeStreamOpen = (e: { commandName: string; command: { pipeline?: unknown[] } }) =>
  e.commandName === 'aggregate' && Array.isArray(e.command.pipeline) && '$changeStream' in (e.command.pipeline[0] as object)

it('delivers insert, update and delete, then closes its cursor', async (ctx) => {
  requires(ctx, 'changeStreams')
  const coll = await seeded(m, 0)
  m.reset()
  const changes = coll.watch([], { maxAwaitTimeMS: 100 }).toStream()
  const fiber = Effect.runFork(changes.pipe(Stream.take(3), Stream.runCollect))

  // Write only once the change stream's cursor is open on the server.
  await eventually(
    () => m.started.some((e) => isChangeStreamOpen(e) && m.succeeded.some((s) => s.requestId === e.requestId)),
    'the change stream never opened',
  )
  await Effect.runPromise(
    Effect.andThen(coll.insertOne({ _id: 1, i: 1 }), () =>
      Effect.andThen(coll.updateOne({ _id: 1 }, { $set: { i: 2 } }), () => coll.deleteOne({ _id: 1 })),
    ),
  )
  const events = (await Effect.runPromise(Fiber.join(fiber))) as ChangeStreamDocument<{ _id: number; i: number }>[]
  expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'delete'])
  expect(events[0]?.operationType === 'insert' && events[0].fullDocument).toEqual({ _id: 1, i: 1 })
  expect(events[1]?.operationType === 'update' && events[1].updateDescription.updatedFields).toEqual({ i: 2 })

  const opened = m.started.find(isChangeStreamOpen)!
  const id = cursorIdOf(m, opened)
  expect(id).toBeDefined()
  await eventually(() => killedIds(m).includes(id!), 'the change stream cursor was not killed')
})

it('interrupting a waiting change stream closes it', async (ctx) => {
  requires(ctx, 'changeStreams')
  const coll = await seeded(m, 0)
  m.reset()
  const fiber = Effect.runFork(Stream.runDrain(coll.watch([], { maxAwaitTimeMS: 100 }).toStream()))
  await eventually(() => m.commands('getMore').length >= 1, 'the change stream never polled')
  await Effect.runPromise(Fiber.interrupt(fiber))
  const id = cursorIdOf(m, m.started.find(isChangeStreamOpen)!)
  await eventually(() => killedIds(m).includes(id!), 'the interrupted change stream was not killed')
})
