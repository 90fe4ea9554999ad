/**
 * Failures arrive in the error channel as the driver's own typed errors, never thrown from
 * the call that builds the Observable and never as unhandled rejections: a duplicate key,
 * bad argument types, an unreachable server, a bad connection string given to the static
 * `MongoClient.connect`. The one synchronous failure is the driver's own: constructing a
 * client with an invalid connection string throws at once, exactly as `mongodb` does.
 */
import { describeError } from '@motor-ts/core'
import { catchError, firstValueFrom, lastValueFrom, type Observable, of } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  type Collection,
  MongoClient,
  MongoInvalidArgumentError,
  MongoServerError,
  MongoServerSelectionError,
} from '../src/index.js'
import { connect, type Monitored, sleep } from './helpers.js'

let m: Monitored
let coll: Collection<{ _id: number; name?: string }>

beforeAll(async () => {
  m = await connect('rx_errors')
  coll = m.db.collection('errors')
})

afterAll(async () => {
  await m?.close()
})

/** Subscribe and return what reached the error channel (fails if a value arrives instead). */
async function errorOf(observable: Observable<unknown>): Promise<unknown> {
  return lastValueFrom(observable).then(
    (value) => {
      throw new Error(`expected an error, got ${JSON.stringify(value)}`)
    },
    (error: unknown) => error,
  )
}

describe('server errors', () => {
  it('a duplicate key is a MongoServerError with code 11000 in the error channel', async () => {
    await firstValueFrom(coll.insertOne({ _id: 1 }))
    let observable: Observable<unknown> | undefined
    expect(() => {
      observable = coll.insertOne({ _id: 1 })
    }).not.toThrow()
    const error = await errorOf(observable!)
    expect(error).toBeInstanceOf(MongoServerError)
    expect((error as MongoServerError).code).toBe(11000)
    expect(describeError(error).reason).toBe('DuplicateKey')
  })

  it('can be recovered from with catchError', async () => {
    const result = await firstValueFrom(
      coll.insertOne({ _id: 1 }).pipe(catchError((e: MongoServerError) => of(`recovered from ${e.code}`))),
    )
    expect(result).toBe('recovered from 11000')
  })
})

describe('bad arguments', () => {
  it('insertOne(42) fails in the channel with a TypeError', async () => {
    let observable: Observable<unknown> | undefined
    expect(() => {
      observable = coll.insertOne(42 as any)
    }).not.toThrow()
    const error = await errorOf(observable!)
    expect(error).toBeInstanceOf(TypeError)
    expect(describeError(error).reason).toBe('InvalidArgument')
  })

  it("find('x').toArray() fails in the channel with MongoInvalidArgumentError", async () => {
    const since = m.mark()
    let observable: Observable<unknown> | undefined
    expect(() => {
      observable = coll.find('x' as any).toArray()
    }).not.toThrow()
    expect(await errorOf(observable!)).toBeInstanceOf(MongoInvalidArgumentError)
    expect(m.commands('find', since)).toEqual([]) // rejected before reaching the server
  })

  it('insertMany of a non-array and an update that is not a document fail in the channel', async () => {
    expect(await errorOf(coll.insertMany('abc' as any))).toBeInstanceOf(MongoInvalidArgumentError)
    expect(await errorOf(coll.updateOne({ _id: 1 }, 5 as any))).toBeInstanceOf(MongoInvalidArgumentError)
  })

  it('withSession / withTransaction without a function fail in the channel', async () => {
    expect(await errorOf(m.client.withSession(42 as any))).toBeInstanceOf(MongoInvalidArgumentError)
    const session = m.client.startSession()
    try {
      expect(await errorOf(session.withTransaction('work' as any))).toBeInstanceOf(MongoInvalidArgumentError)
    } finally {
      await firstValueFrom(session.endSession())
    }
  })
})

describe('connection failures', () => {
  it('new MongoClient with an invalid URL throws synchronously, as the driver does', () => {
    let thrown: unknown
    try {
      new MongoClient('notmongo://x')
    } catch (error) {
      thrown = error
    }
    expect((thrown as Error)?.name).toBe('MongoParseError')
  })

  it('the static MongoClient.connect reports an invalid URL in the error channel, lazily', async () => {
    let observable: Observable<unknown> | undefined
    expect(() => {
      observable = MongoClient.connect('notmongo://x')
    }).not.toThrow()
    const error = await errorOf(observable!)
    expect((error as Error).name).toBe('MongoParseError')
  })

  it('an unreachable server is a MongoServerSelectionError in the channel', async () => {
    const client = new MongoClient('mongodb://127.0.0.1:1/?directConnection=true', { serverSelectionTimeoutMS: 500 })
    try {
      const started = Date.now()
      const error = await errorOf(client.db('x').collection('y').insertOne({ a: 1 }))
      expect(error).toBeInstanceOf(MongoServerSelectionError)
      expect(Date.now() - started).toBeGreaterThanOrEqual(400)
      expect(describeError(error).reason).toBe('ServerSelection')
      expect(await errorOf(client.connect())).toBeInstanceOf(MongoServerSelectionError)
    } finally {
      await firstValueFrom(client.close())
    }
  })

  it('unsubscribing while server selection waits delivers nothing', async () => {
    const client = new MongoClient('mongodb://127.0.0.1:1/?directConnection=true', { serverSelectionTimeoutMS: 500 })
    const seen: unknown[] = []
    const subscription = client
      .db('x')
      .collection('y')
      .findOne({})
      .subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e) })
    await sleep(50)
    subscription.unsubscribe()
    await sleep(700)
    expect(seen).toEqual([])
    await firstValueFrom(client.close())
  })
})
