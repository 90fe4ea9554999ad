/**
 * Sessions and transactions through Observables, on the real server. `withSession` always
 * ends its session (on completion, error, unsubscribe, and a synchronous throw in the work);
 * `withTransaction` commits, aborts when the work's Observable errors, retries the whole
 * transaction on a TransientTransactionError (a failCommand fail point) and the commit on
 * UnknownTransactionCommitResult, re-subscribing the work each attempt as the driver's
 * rules say. Cancelling work inside a session closes its cursors before the session ends.
 */
import { requires, uniqueName } from '@motor-ts/tools'
import { defer, firstValueFrom, lastValueFrom, mergeMap, NEVER, take, throwError, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ClientSession, type Collection, MongoServerError } from '../src/index.js'
import { connect, cursorIdOf, eventually, type Monitored, sleep } from './helpers.js'

interface Item {
  _id: number
  n?: number
}

let m: Monitored
const appName = uniqueName('rx_txn_app')

beforeAll(async () => {
  // Fail points below match this client only (by appName): other test files share the server.
  m = await connect('rx_txn', { appName })
})

afterAll(async () => {
  await m?.close()
})

async function freshCollection(name: string): Promise<Collection<Item>> {
  await firstValueFrom(m.db.createCollection(name))
  return m.db.collection<Item>(name)
}

const failCommand = (data: Record<string, unknown>) =>
  m.client.db('admin').command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { appName, ...data } })
const failPointOff = () => m.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' })

describe('withSession', () => {
  it('ends the session when the work completes', async (ctx) => {
    requires(ctx, 'sessions')
    const coll = await freshCollection('session_ok')
    let session: ClientSession | undefined
    const result = await lastValueFrom(
      m.client.withSession((s) => {
        session = s
        return coll.insertOne({ _id: 1 }, { session: s })
      }),
    )
    expect(result.insertedId).toBe(1)
    expect(session?.hasEnded).toBe(true)
  })

  it('ends the session when the work errors, and passes the error on', async (ctx) => {
    requires(ctx, 'sessions')
    let session: ClientSession | undefined
    const boom = new Error('boom')
    await expect(
      lastValueFrom(
        m.client.withSession((s) => {
          session = s
          return throwError(() => boom)
        }),
      ),
    ).rejects.toBe(boom)
    expect(session?.hasEnded).toBe(true)
  })

  it('ends the session when the work throws synchronously', async (ctx) => {
    requires(ctx, 'sessions')
    let session: ClientSession | undefined
    const boom = new Error('thrown')
    await expect(
      lastValueFrom(
        m.client.withSession((s) => {
          session = s
          throw boom
        }),
      ),
    ).rejects.toBe(boom)
    expect(session?.hasEnded).toBe(true)
  })

  it('ends the session when the consumer unsubscribes', async (ctx) => {
    requires(ctx, 'sessions')
    let session: ClientSession | undefined
    const subscription = m.client
      .withSession((s) => {
        session = s
        return NEVER
      })
      .subscribe()
    expect(await eventually(() => session !== undefined)).toBe(true)
    expect(session!.hasEnded).toBe(false)
    subscription.unsubscribe()
    expect(await eventually(() => session!.hasEnded)).toBe(true)
  })

  it('is lazy and starts a new session per subscription', async (ctx) => {
    requires(ctx, 'sessions')
    const sessions: ClientSession[] = []
    const work$ = m.client.withSession((s) => {
      sessions.push(s)
      return defer(async () => s.id)
    })
    await sleep(20)
    expect(sessions).toHaveLength(0)
    await lastValueFrom(work$)
    await lastValueFrom(work$)
    expect(sessions).toHaveLength(2)
    expect(sessions[0]).not.toBe(sessions[1])
    expect(sessions.every((s) => s.hasEnded)).toBe(true)
  })

  it('closes a cursor stream taken early before ending the session', async (ctx) => {
    requires(ctx, 'sessions')
    const coll = await freshCollection('session_cursor')
    await firstValueFrom(coll.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i }))))
    const since = m.mark()
    let session: ClientSession | undefined
    const docs = await lastValueFrom(
      m.client
        .withSession((s) => {
          session = s
          return coll.find({}, { session: s, batchSize: 2 }).sort({ _id: 1 }).toStream()
        })
        .pipe(take(3), toArray()),
    )
    expect(docs.map((d) => d._id)).toEqual([0, 1, 2])
    expect(await eventually(() => session?.hasEnded === true)).toBe(true)
    const [find] = m.commands('find', since)
    const id = cursorIdOf(m.succeeded, find!.requestId)
    expect(m.commands('killCursors', since).map((e) => e.command.cursors.map(String))).toEqual([[String(id)]])
    const gone = await firstValueFrom(m.db.command({ getMore: id!, collection: 'session_cursor' })).catch((e: unknown) => e)
    expect((gone as MongoServerError).code).toBe(43)
  })
})

describe('withTransaction', () => {
  it('commits the work', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await freshCollection('txn_commit')
    const since = m.mark()
    const result = await lastValueFrom(
      m.client.withSession((s) => s.withTransaction((s2) => coll.insertOne({ _id: 1 }, { session: s2 }))),
    )
    expect(result.insertedId).toBe(1)
    expect(m.started.slice(since).filter((e) => e.commandName === 'commitTransaction')).toHaveLength(1)
    expect(await firstValueFrom(coll.countDocuments({}))).toBe(1)
  })

  it('aborts when the work errors: nothing is written and the error comes through', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await freshCollection('txn_abort')
    const since = m.mark()
    const boom = new Error('work failed')
    let session: ClientSession | undefined
    await expect(
      lastValueFrom(
        m.client.withSession((s) => {
          session = s
          return s.withTransaction((s2) =>
            coll.insertOne({ _id: 2 }, { session: s2 }).pipe(mergeMap(() => throwError(() => boom))),
          )
        }),
      ),
    ).rejects.toBe(boom)
    expect(m.started.slice(since).filter((e) => e.commandName === 'abortTransaction')).toHaveLength(1)
    expect(m.started.slice(since).filter((e) => e.commandName === 'commitTransaction')).toHaveLength(0)
    expect(await firstValueFrom(coll.countDocuments({}))).toBe(0)
    expect(session?.hasEnded).toBe(true)
  })

  it('a server error inside the transaction aborts it and reaches the error channel', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await freshCollection('txn_dup')
    await firstValueFrom(coll.insertOne({ _id: 1 }))
    const error = await lastValueFrom(
      m.client.withSession((s) =>
        s.withTransaction((s2) =>
          coll.insertOne({ _id: 2 }, { session: s2 }).pipe(mergeMap(() => coll.insertOne({ _id: 1 }, { session: s2 }))),
        ),
      ),
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MongoServerError)
    expect((error as MongoServerError).code).toBe(11000)
    expect(await firstValueFrom(coll.find({}).toArray())).toEqual([{ _id: 1 }])
  })

  it('retries the whole transaction on a TransientTransactionError, re-subscribing the work', async (ctx) => {
    requires(ctx, 'transactions', 'failCommand')
    const coll = await freshCollection('txn_transient')
    const since = m.mark()
    let attempts = 0
    await firstValueFrom(failCommand({ failCommands: ['insert'], errorCode: 112, errorLabels: ['TransientTransactionError'] }))
    try {
      const result = await lastValueFrom(
        m.client.withSession((s) =>
          s.withTransaction((s2) => {
            attempts++
            return coll.insertOne({ _id: 7, n: attempts }, { session: s2 })
          }),
        ),
      )
      expect(result.insertedId).toBe(7)
    } finally {
      await firstValueFrom(failPointOff())
    }
    expect(attempts).toBe(2)
    const ops = m.started.slice(since).map((e) => e.commandName)
    expect(ops.filter((c) => c === 'insert')).toHaveLength(2)
    expect(ops.filter((c) => c === 'abortTransaction')).toHaveLength(1)
    expect(ops.filter((c) => c === 'commitTransaction')).toHaveLength(1)
    expect(await firstValueFrom(coll.find({}).toArray())).toEqual([{ _id: 7, n: 2 }])
  })

  it('retries the commit on UnknownTransactionCommitResult', async (ctx) => {
    requires(ctx, 'transactions', 'failCommand')
    const coll = await freshCollection('txn_commit_retry')
    const since = m.mark()
    let attempts = 0
    await firstValueFrom(
      failCommand({ failCommands: ['commitTransaction'], errorCode: 2, errorLabels: ['UnknownTransactionCommitResult'] }),
    )
    try {
      await lastValueFrom(
        m.client.withSession((s) =>
          s.withTransaction((s2) => {
            attempts++
            return coll.insertOne({ _id: 8 }, { session: s2 })
          }),
        ),
      )
    } finally {
      await firstValueFrom(failPointOff())
    }
    expect(attempts).toBe(1) // the work ran once; only the commit was retried
    const commits = m.started.slice(since).filter((e) => e.commandName === 'commitTransaction')
    expect(commits.length).toBeGreaterThanOrEqual(2)
    expect(await firstValueFrom(coll.countDocuments({}))).toBe(1)
  })

  it('unsubscribing mid-transaction ends the session and leaves nothing written', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await freshCollection('txn_cancel')
    const since = m.mark()
    let session: ClientSession | undefined
    const subscription = m.client
      .withSession((s) => {
        session = s
        return s.withTransaction((s2) => coll.insertOne({ _id: 9 }, { session: s2 }).pipe(mergeMap(() => NEVER)))
      })
      .subscribe()
    expect(await eventually(() => m.commands('insert', since).length === 1 && m.succeeded.some((e) => e.commandName === 'insert' && e.requestId === m.commands('insert', since)[0]!.requestId))).toBe(true)
    subscription.unsubscribe()
    expect(await eventually(() => session?.hasEnded === true)).toBe(true)
    expect(m.started.slice(since).some((e) => e.commandName === 'commitTransaction')).toBe(false)
    expect(await firstValueFrom(coll.countDocuments({}))).toBe(0)
  })

  it('keeps retrying while the work fails transiently, then commits', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = await freshCollection('txn_many')
    let attempts = 0
    const transient = () => new MongoServerError({ message: 'transient', code: 112, errorLabels: ['TransientTransactionError'] })
    const result = await lastValueFrom(
      m.client.withSession((s) =>
        s.withTransaction((s2) =>
          defer(() => {
            attempts++
            return attempts < 8 ? throwError(transient) : coll.insertOne({ _id: attempts }, { session: s2 })
          }),
        ),
      ),
    )
    expect(result.insertedId).toBe(8)
    expect(attempts).toBe(8)
  })
})
