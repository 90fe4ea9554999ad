/**
 * Whole reads and streams read batch by batch (core's `readBatch`: one `next()` that may
 * fetch, then the documents already buffered). What must hold, proven with command
 * monitoring against the provisioned server: a cursor's `map` applies to every document of
 * every batch, one `getMore` is sent per batch and no more, and a read that stops early or
 * fails in the middle of a batch closes the server cursor (`killCursors` naming it).
 */
import { Effect, Exit, Stream } from 'effect'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cursorIdOf, eventually, failureOf, killedIds, type Monitored, monitoredClient, seeded } from './support.js'

let m: Monitored

beforeAll(async () => {
  m = await monitoredClient('effect_batches')
})
afterAll(async () => {
  await m?.close()
})

describe('batch reads', () => {
  it('toArray maps every document of every batch, one getMore per batch', async () => {
    const coll = await seeded(m, 10)
    m.reset()
    const docs = await Effect.runPromise(
      coll
        .find({}, { batchSize: 3 })
        .sort({ _id: 1 })
        .map((d) => d.i * 10)
        .toArray(),
    )
    expect(docs).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
    expect(m.commands('find')).toHaveLength(1)
    // 3 in the first batch, then 3, 3, 1: three getMores; the last reply ends the cursor.
    expect(m.commands('getMore')).toHaveLength(3)
  })

  it('a stream delivers every mapped document in order across batches', async () => {
    const coll = await seeded(m, 7)
    const docs = await Effect.runPromise(
      Stream.runCollect(
        coll
          .find({}, { batchSize: 2 })
          .sort({ _id: 1 })
          .map((d) => `#${d.i}`)
          .toStream(),
      ),
    )
    expect(Array.from(docs)).toEqual(['#0', '#1', '#2', '#3', '#4', '#5', '#6'])
  })

  it('a map that throws in the middle of a batch fails the stream and closes the cursor', async () => {
    const coll = await seeded(m, 12)
    m.reset()
    const exit = await Effect.runPromiseExit(
      Stream.runCollect(
        coll
          .find({}, { batchSize: 5 })
          .sort({ _id: 1 })
          .map((d) => {
            if (d.i === 2) throw new Error('bad document 2')
            return d.i
          })
          .toStream(),
      ),
    )
    expect(failureOf(exit).message).toContain('bad document 2')
    const id = cursorIdOf(m, m.commands('find')[0]!)
    expect(id).toBeTruthy()
    await eventually(() => killedIds(m).includes(id!), 'no killCursors after the failed read')
    expect(m.commands('getMore')).toHaveLength(0)
  })

  it('forEach returning false in the middle of a batch stops there and closes the cursor', async () => {
    const coll = await seeded(m, 12)
    m.reset()
    const seen: number[] = []
    // The driver's forEach stops when the callback returns false.
    const untilSecond = (d: { i: number }): boolean => {
      seen.push(d.i)
      return d.i < 1
    }
    const exit = await Effect.runPromiseExit(coll.find({}, { batchSize: 5 }).sort({ _id: 1 }).forEach(untilSecond))
    expect(Exit.isSuccess(exit)).toBe(true)
    expect(seen).toEqual([0, 1])
    const id = cursorIdOf(m, m.commands('find')[0]!)
    await eventually(() => killedIds(m).includes(id!), 'no killCursors after forEach stopped')
    expect(m.commands('getMore')).toHaveLength(0)
  })
})
