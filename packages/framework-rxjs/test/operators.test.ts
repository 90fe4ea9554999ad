/**
 * RxJS lifecycles and the operators users reach for, on the real server and seen through
 * command monitoring: the client and sessions as subscription-lifetime resources (`connect$`,
 * `usingClient`, `session$`); `retry()` / `repeat()` re-run an operation (and the `_id`
 * caveat of re-inserting one document object); `switchMap` cancels the previous query on the
 * server; `takeUntil` closes a change stream; `shareReplay` runs a query once for many.
 */
import { requires, server, uniqueName } from '@motor-ts/tools'
import {
  defer,
  firstValueFrom,
  lastValueFrom,
  repeat,
  retry,
  Subject,
  shareReplay,
  switchMap,
  take,
  takeUntil,
  toArray,
} from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Collection, connect$, type MongoClient, MongoServerError, type ObjectId, session$, usingClient } from '../src/index.js'
import { connect, cursorIdOf, eventually, type Monitored } from './helpers.js'

let m: Monitored
const appName = uniqueName('rx_ops')

beforeAll(async () => {
  m = await connect('rx_ops', { appName, retryWrites: false })
})
afterAll(async () => {
  await m?.close()
})

const closedOnClose = (client: MongoClient) => {
  const state = { closed: false }
  client.on('topologyClosed', () => {
    state.closed = true
  })
  return state
}

describe('resources whose lifetime is a subscription', () => {
  it('connect$ connects on subscribe and closes the client when unsubscribed', async () => {
    const connections = connect$(server().uri, { serverSelectionTimeoutMS: 10_000 })
    let state: { closed: boolean } | undefined
    const pong = await firstValueFrom(
      connections.pipe(
        switchMap((client) => {
          state = closedOnClose(client)
          return client.db('admin').command({ ping: 1 })
        }),
      ),
    )
    expect(pong.ok).toBe(1)
    expect(await eventually(() => state?.closed === true)).toBe(true)
  })

  it('connect$ fails in the error channel when the server is unreachable', async () => {
    const error = await firstValueFrom(connect$('mongodb://127.0.0.1:1/?directConnection=true', { serverSelectionTimeoutMS: 300 })).catch(
      (e: unknown) => e,
    )
    expect((error as Error).name).toBe('MongoServerSelectionError')
  })

  it('usingClient completes with its work, after the client has closed', async () => {
    let state: { closed: boolean } | undefined
    const names = await lastValueFrom(
      usingClient(server().uri, { serverSelectionTimeoutMS: 10_000 }, (client) => {
        state = closedOnClose(client)
        return client.db('admin').command({ ping: 1 })
      }).pipe(toArray()),
    )
    expect(names).toHaveLength(1)
    expect(state?.closed).toBe(true)
  })

  it('session$ ends the session when the subscription ends', async (ctx) => {
    requires(ctx, 'sessions')
    const session = await firstValueFrom(session$(m.client))
    expect(await eventually(() => session.hasEnded)).toBe(true)
  })
})

describe('operators', () => {
  let coll: Collection<{ _id?: ObjectId; n: number }>
  beforeAll(() => {
    coll = m.db.collection(uniqueName('ops'))
  })

  it('retry() runs a failed operation again; the retried insert reuses the _id the driver gave the document', async (ctx) => {
    requires(ctx, 'failCommand')
    await firstValueFrom(
      m.client.db('admin').command({
        configureFailPoint: 'failCommand',
        mode: { times: 1 },
        data: { failCommands: ['insert'], errorCode: 2, appName },
      }),
    )
    const since = m.mark()
    const doc: { _id?: ObjectId; n: number } = { n: 1 }
    const result = await firstValueFrom(coll.insertOne(doc).pipe(retry(1)))
    const inserts = m.commands('insert', since)
    expect(inserts).toHaveLength(2)
    expect(inserts[1]!.command.documents[0]._id).toEqual(inserts[0]!.command.documents[0]._id)
    expect(result.insertedId).toEqual(doc._id)
  })

  it('repeat() re-inserts the same object, so its _id collides: build a fresh document in defer()', async () => {
    const doc = { n: 2 }
    const error = await lastValueFrom(coll.insertOne(doc).pipe(repeat(2))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MongoServerError)
    expect((error as MongoServerError).code).toBe(11000)
    const fresh = await lastValueFrom(defer(() => coll.insertOne({ n: 3 })).pipe(repeat(3), toArray()))
    expect(new Set(fresh.map((r) => String(r.insertedId))).size).toBe(3)
    expect(await firstValueFrom(coll.countDocuments({ n: 3 }))).toBe(3)
  })

  it('switchMap cancels the previous query on the server (killCursors)', async () => {
    const big = m.db.collection<{ _id: number }>(uniqueName('big'))
    await firstValueFrom(big.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i }))))
    const since = m.mark()
    const searches = new Subject<number>()
    const results: number[] = []
    const done = lastValueFrom(
      searches.pipe(
        switchMap((batchSize) => big.find({}, { batchSize }).toArray()),
        take(1),
      ),
    ).then((docs) => results.push(docs.length))
    searches.next(1) // batches of one: fifty getMores, time to move on mid-way
    expect(await eventually(() => m.commands('getMore', since).length >= 2)).toBe(true)
    const [first] = m.commands('find', since)
    searches.next(100)
    await done
    expect(results).toEqual([50])
    const id = cursorIdOf(m.succeeded, first!.requestId)
    expect(await eventually(() => m.commands('killCursors', since).some((e) => e.command.cursors.some((c: unknown) => String(c) === String(id))))).toBe(true)
  })

  it('takeUntil closes a change stream on the server', async (ctx) => {
    requires(ctx, 'changeStreams')
    const watched = m.db.collection<{ n: number }>(uniqueName('watched'))
    await firstValueFrom(m.db.createCollection(watched.collectionName))
    const since = m.mark()
    const stop = new Subject<void>()
    const seen: number[] = []
    const finished = lastValueFrom(watched.watch().toStream().pipe(takeUntil(stop), toArray()))
    const opened = () => m.commands('aggregate', since).some((e) => m.succeeded.some((s) => s.requestId === e.requestId))
    expect(await eventually(opened)).toBe(true)
    stop.next()
    for (const change of await finished) seen.push(change.operationType === 'insert' ? change.fullDocument.n : -1)
    expect(seen).toEqual([])
    expect(
      await eventually(() => m.commands('killCursors', since).some((e) => e.command.killCursors === watched.collectionName)),
    ).toBe(true)
  })

  it('shareReplay runs a query once for every subscriber', async () => {
    const since = m.mark()
    const shared = coll.find({ n: 3 }).toArray().pipe(shareReplay(1))
    const [a, b] = await Promise.all([firstValueFrom(shared), firstValueFrom(shared)])
    const c = await firstValueFrom(shared)
    expect(a).toHaveLength(3)
    expect(b).toBe(a)
    expect(c).toBe(a)
    expect(m.commands('find', since)).toHaveLength(1)
    await firstValueFrom(coll.find({ n: 3 }).toArray())
    expect(m.commands('find', since)).toHaveLength(2) // without shareReplay, each subscription queries
  })
})
