/**
 * Change streams as Observables: `collection.watch().toStream()` delivers insert, update and
 * delete events in order; taking what you need, or unsubscribing from a quiet stream, closes
 * the change stream's cursor on the server. Skipped, with the server's reason, where change
 * streams are missing (FerretDB).
 */
import { requires } from '@motor-ts/tools'
import { filter, firstValueFrom, lastValueFrom, map, take, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ChangeStreamDocument, Collection } from '../src/index.js'
import { connect, eventually, type Monitored } from './helpers.js'

interface Item {
  _id: number
  n: number
}

let m: Monitored

beforeAll(async () => {
  m = await connect('rx_changes')
})

afterAll(async () => {
  await m?.close()
})

/** True once the change stream's `aggregate` (started after `since`) has been answered. */
function changeStreamOpen(since: number): boolean {
  const opened = m.commands('aggregate', since).filter((e) => e.command.pipeline?.[0]?.$changeStream)
  return opened.some((e) => m.succeeded.some((s) => s.requestId === e.requestId))
}

describe('change streams', () => {
  it('deliver insert, update and delete events as an Observable, then close', async (ctx) => {
    requires(ctx, 'changeStreams')
    const coll: Collection<Item> = m.db.collection<Item>('watched')
    await firstValueFrom(m.db.createCollection('watched'))
    const since = m.mark()

    const events$ = coll.watch().toStream().pipe(take(3), toArray())
    expect(m.commands(undefined, since)).toEqual([]) // cold until subscribed
    const events = lastValueFrom(events$)
    expect(await eventually(() => changeStreamOpen(since))).toBe(true)

    await firstValueFrom(coll.insertOne({ _id: 1, n: 1 }))
    await firstValueFrom(coll.updateOne({ _id: 1 }, { $set: { n: 2 } }))
    await firstValueFrom(coll.deleteOne({ _id: 1 }))

    const seen: ChangeStreamDocument<Item>[] = await events
    expect(seen.map((e) => e.operationType)).toEqual(['insert', 'update', 'delete'])
    const [insert, update, remove] = seen
    expect(insert?.operationType === 'insert' && insert.fullDocument).toEqual({ _id: 1, n: 1 })
    expect(update?.operationType === 'update' && update.updateDescription.updatedFields).toEqual({ n: 2 })
    expect(remove?.operationType === 'delete' && remove.documentKey).toEqual({ _id: 1 })

    expect(await eventually(() => m.commands('killCursors', since).some((e) => e.command.killCursors === 'watched'))).toBe(true)
  })

  it('a pipeline and RxJS operators compose with the stream', async (ctx) => {
    requires(ctx, 'changeStreams')
    const coll = m.db.collection<Item>('filtered')
    await firstValueFrom(m.db.createCollection('filtered'))
    const since = m.mark()
    const inserted = lastValueFrom(
      coll
        .watch<Item>([{ $match: { operationType: 'insert' } }])
        .toStream()
        .pipe(
          filter((e) => e.operationType === 'insert'),
          map((e) => (e.operationType === 'insert' ? e.fullDocument.n : -1)),
          take(2),
          toArray(),
        ),
    )
    expect(await eventually(() => changeStreamOpen(since))).toBe(true)
    await firstValueFrom(coll.insertOne({ _id: 1, n: 10 }))
    await firstValueFrom(coll.deleteOne({ _id: 1 }))
    await firstValueFrom(coll.insertOne({ _id: 2, n: 20 }))
    expect(await inserted).toEqual([10, 20])
  })

  it('unsubscribing from a quiet change stream closes it on the server', async (ctx) => {
    requires(ctx, 'changeStreams')
    const coll = m.db.collection<Item>('quiet')
    await firstValueFrom(m.db.createCollection('quiet'))
    const since = m.mark()
    const seen: unknown[] = []
    const subscription = coll
      .watch()
      .toStream()
      .subscribe({ next: (e) => seen.push(e), error: (e) => seen.push(e) })
    expect(await eventually(() => changeStreamOpen(since))).toBe(true)
    expect(await eventually(() => m.commands('getMore', since).length > 0)).toBe(true) // waiting on the server
    subscription.unsubscribe()
    expect(await eventually(() => m.commands('killCursors', since).some((e) => e.command.killCursors === 'quiet'))).toBe(true)
    await firstValueFrom(coll.insertOne({ _id: 1, n: 1 }))
    expect(seen).toEqual([])
  })
})
