/**
 * Laziness and cancellation against the real server, seen through command monitoring:
 * building an Observable sends nothing; every subscription runs the operation again;
 * unsubscribing from a cursor's stream (take) or from a pending `toArray()` closes the
 * server cursor (a `killCursors` goes out and a `getMore` on the old id is refused).
 */
import { firstValueFrom, lastValueFrom, type Subscription, take, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Collection, type Long, MongoServerError } from '../src/index.js'
import { connect, cursorIdOf, eventually, type Monitored, sleep } from './helpers.js'

interface Item {
  _id: number
  n?: number
}

let m: Monitored
let items: Collection<Item>

beforeAll(async () => {
  m = await connect('rx_cold')
  items = m.db.collection<Item>('items')
  await firstValueFrom(items.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, n: i }))))
})

afterAll(async () => {
  await m?.close()
})

/** The server refuses a getMore on a cursor it no longer has (CursorNotFound, 43). */
async function expectCursorGone(id: Long, collection: string) {
  const error = await firstValueFrom(m.db.command({ getMore: id, collection })).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MongoServerError)
  expect((error as MongoServerError).code).toBe(43)
}

describe('laziness', () => {
  it('building an Observable sends no command; each subscription runs it again', async () => {
    const since = m.mark()
    const counters = m.db.collection<Item>('counters')
    const upsert$ = counters.updateOne({ _id: 1 }, { $inc: { n: 1 } }, { upsert: true })
    const docs$ = items.find({ _id: { $lt: 5 } }, { batchSize: 2 }).sort({ _id: 1 }).toArray()
    const count$ = items.countDocuments({})
    await sleep(100)
    expect(m.commands(undefined, since)).toEqual([])

    await firstValueFrom(upsert$)
    await firstValueFrom(upsert$)
    expect(m.commands('update', since)).toHaveLength(2)
    expect(await firstValueFrom(counters.findOne({ _id: 1 }))).toEqual({ _id: 1, n: 2 })

    const first = await firstValueFrom(docs$)
    const second = await firstValueFrom(docs$)
    expect(first.map((d) => d._id)).toEqual([0, 1, 2, 3, 4])
    expect(second).toEqual(first)
    expect(m.commands('find', since).filter((e) => e.command.find === 'items')).toHaveLength(2)

    expect(await firstValueFrom(count$)).toBe(20)
    expect(await firstValueFrom(count$)).toBe(20)
    expect(m.commands('aggregate', since)).toHaveLength(2)
  })

  it('a cursor stream subscribed twice queries twice, each in full', async () => {
    const since = m.mark()
    const stream$ = items.find({}, { batchSize: 7 }).sort({ _id: 1 }).toStream()
    expect(m.commands(undefined, since)).toEqual([])
    const a = await lastValueFrom(stream$.pipe(toArray()))
    const b = await lastValueFrom(stream$.pipe(toArray()))
    expect(a).toHaveLength(20)
    expect(b).toEqual(a)
    expect(m.commands('find', since)).toHaveLength(2)
  })

  it('a map() transform survives re-subscription', async () => {
    const ids$ = items
      .find({ _id: { $lt: 3 } })
      .sort({ _id: 1 })
      .map((d) => d._id * 10)
      .toArray()
    expect(await firstValueFrom(ids$)).toEqual([0, 10, 20])
    expect(await firstValueFrom(ids$)).toEqual([0, 10, 20])
  })
})

describe('cancellation', () => {
  it('take(3) from a batched cursor stream kills the server cursor', async () => {
    const since = m.mark()
    const docs = await lastValueFrom(items.find({}, { batchSize: 2 }).sort({ _id: 1 }).toStream().pipe(take(3), toArray()))
    expect(docs.map((d) => d._id)).toEqual([0, 1, 2])

    const [find] = m.commands('find', since)
    expect(find).toBeDefined()
    const id = cursorIdOf(m.succeeded, find!.requestId)
    expect(id?.isZero()).toBe(false)
    expect(await eventually(() => m.commands('killCursors', since).length > 0)).toBe(true)
    const [kill] = m.commands('killCursors', since)
    expect(kill!.command.killCursors).toBe('items')
    expect(kill!.command.cursors.map(String)).toEqual([String(id)])
    // Three documents needed one getMore at most: the rest were never fetched.
    expect(m.commands('getMore', since).length).toBeLessThanOrEqual(1)
    await expectCursorGone(id!, 'items')
  })

  it('unsubscribing during toArray() of a multi-batch cursor closes it', async () => {
    const since = m.mark()
    let subscription: Subscription | undefined
    const outcome: string[] = []
    // Batches of one document: twenty getMores, so there is time to stop mid-way.
    subscription = items
      .find({}, { batchSize: 1 })
      .toArray()
      .subscribe({ next: () => outcome.push('next'), error: () => outcome.push('error'), complete: () => outcome.push('complete') })
    expect(await eventually(() => m.commands('getMore', since).length >= 2)).toBe(true)
    subscription.unsubscribe()
    subscription = undefined

    const [find] = m.commands('find', since)
    const id = cursorIdOf(m.succeeded, find!.requestId)
    expect(await eventually(() => m.commands('killCursors', since).length > 0)).toBe(true)
    const getMores = m.commands('getMore', since).length
    expect(getMores).toBeLessThan(19) // stopped before the end
    await sleep(100)
    expect(m.commands('getMore', since).length).toBe(getMores) // no more reads after close
    await expectCursorGone(id!, 'items')
    expect(outcome).toEqual([]) // nothing is delivered after unsubscribe
  })

  it('unsubscribing from a cursor stream while a getMore is in flight closes it', async () => {
    const since = m.mark()
    const subscription = items.find({}, { batchSize: 1 }).toStream().subscribe()
    expect(await eventually(() => m.commands('getMore', since).length >= 3)).toBe(true)
    subscription.unsubscribe() // the third getMore has just been sent
    const [find] = m.commands('find', since)
    const id = cursorIdOf(m.succeeded, find!.requestId)
    expect(await eventually(() => m.commands('killCursors', since).length > 0)).toBe(true)
    expect(m.commands('getMore', since).length).toBeLessThan(19)
    await expectCursorGone(id!, 'items')
  })

  it('unsubscribing before the reply aborts the operation and delivers nothing', async () => {
    const seen: unknown[] = []
    const subscription = items.find({}).toArray().subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e) })
    subscription.unsubscribe()
    await sleep(200)
    expect(seen).toEqual([])
  })
})
