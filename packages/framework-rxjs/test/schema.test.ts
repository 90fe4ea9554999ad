/**
 * Schema-checked collections through RxJS, on the real server: the same query code as in the
 * other frameworks, with failures as `SchemaValidationError`s in the Observable's error channel.
 */
import { requires, uniqueName } from '@motor-ts/tools'
import { firstValueFrom, lastValueFrom, take, toArray } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ObjectId, SchemaValidationError, withSchema } from '../src/index.js'
import { connect, eventually, type Monitored } from './helpers.js'

const User = z.object({ _id: z.instanceof(ObjectId), name: z.string(), age: z.number().int().min(0) })

let m: Monitored
beforeAll(async () => {
  m = await connect('rx_schema')
})
afterAll(async () => {
  await m?.close()
})

const failure = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('expected a SchemaValidationError')
    },
    (e: unknown) => {
      expect(e).toBeInstanceOf(SchemaValidationError)
      return e as SchemaValidationError
    },
  )

describe('withSchema (RxJS)', () => {
  it('checks writes before they leave and reads as they arrive', async () => {
    const raw = m.db.collection(uniqueName('u'))
    const users = withSchema(raw, User)
    const good = new ObjectId()
    const bad = new ObjectId()
    const since = m.mark()
    const rejected = await failure(firstValueFrom(users.insertOne({ _id: bad, name: 'x', age: -1 })))
    expect(rejected).toMatchObject({ direction: 'write', documentId: bad, path: 'age' })
    expect(m.commands('insert', since)).toEqual([])
    await firstValueFrom(users.insertOne({ _id: good, name: 'Ada', age: 36 }))
    await firstValueFrom(raw.insertOne({ _id: bad, name: 'Bob', age: 'old' }))
    expect(await firstValueFrom(users.findOne({ _id: good }))).toEqual({ _id: good, name: 'Ada', age: 36 })
    const read = await failure(lastValueFrom(users.find().sort({ name: 1 }).toStream().pipe(toArray())))
    expect(read).toMatchObject({ direction: 'read', documentId: bad, path: 'age' })
    // A re-subscription runs the query again, still checked.
    const rerun = users.find({ _id: bad }).toArray()
    await failure(firstValueFrom(rerun))
    await failure(firstValueFrom(rerun))
  })

  it("checks change streams' fullDocument", async (ctx) => {
    requires(ctx, 'changeStreams')
    const raw = m.db.collection(uniqueName('cs'))
    await firstValueFrom(m.db.createCollection(raw.collectionName))
    const since = m.mark()
    const changes = lastValueFrom(withSchema(raw, User).watch().toStream().pipe(take(2), toArray()))
    const opened = () => m.commands('aggregate', since).some((e) => m.succeeded.some((s) => s.requestId === e.requestId))
    expect(await eventually(opened)).toBe(true)
    const bad = new ObjectId()
    await firstValueFrom(raw.insertOne({ _id: new ObjectId(), name: 'ok', age: 1 }))
    await firstValueFrom(raw.insertOne({ _id: bad, name: 'bad', age: 0.5 }))
    expect(await failure(changes)).toMatchObject({ documentId: bad, path: 'age' })
  })
})
