/**
 * A test written for the official driver — it imports `mongodb` and nothing else of
 * motor-ts — run by the root vitest config once per framework with Synchro's masquerade
 * (`motorMasquerade()`), so `mongodb` here is Synchro over the framework in
 * MOTOR_FRAMEWORK. It checks that the redirect happened, and that `instanceof` against the
 * driver's classes and error classes still holds.
 */
import { server } from '@motor-ts/tools'
import * as mongodb from 'mongodb'
import { Collection, FindCursor, MongoClient, MongoServerError } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let client: MongoClient

beforeAll(async () => {
  client = new MongoClient(server().uri)
  await client.connect()
})
afterAll(() => client?.close())

describe(`the driver's API through ${process.env.MOTOR_FRAMEWORK}`, () => {
  it('is Synchro over the chosen framework', () => {
    expect((mongodb as unknown as { motorFramework?: string }).motorFramework).toBe(process.env.MOTOR_FRAMEWORK)
  })

  it('keeps instanceof for the driver classes and errors', async () => {
    const col = client.db('masquerade').collection<{ _id: number }>(`c_${process.env.MOTOR_FRAMEWORK}`)
    await col.deleteMany({})
    expect(col).toBeInstanceOf(Collection)
    const cursor = col.find({})
    expect(cursor).toBeInstanceOf(FindCursor)
    await col.insertOne({ _id: 1 })
    const error = await col.insertOne({ _id: 1 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MongoServerError)
    expect((error as MongoServerError).code).toBe(11000)
    expect(await cursor.toArray()).toEqual([{ _id: 1 }])
  })
})
