/**
 * `toStream()` under the Promise framework reads a cursor batch by batch. A `for await`
 * consumer never calls `return()` when the stream itself fails, so a failed read must
 * release the cursor by itself: a `map` that throws in the middle of a batch rejects the
 * loop and the server cursor is killed (a `killCursors` naming the cursor the `find` opened).
 */
import { server, uniqueName } from '@motor-ts/tools'
import type { CommandStartedEvent, CommandSucceededEvent } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { type Db, MongoClient } from '../src/index.js'

let client: MongoClient
let db: Db
const started: CommandStartedEvent[] = []
const succeeded: CommandSucceededEvent[] = []

beforeAll(async () => {
  client = await MongoClient.connect(server().uri, { monitorCommands: true })
  client.on('commandStarted', (e) => started.push(e))
  client.on('commandSucceeded', (e) => succeeded.push(e))
  db = client.db(uniqueName('stream_batches'))
})
afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

describe('toStream', () => {
  it('delivers every mapped document across batches, in order', async () => {
    const coll = db.collection<{ _id: number }>(uniqueName('c'))
    await coll.insertMany(Array.from({ length: 7 }, (_, i) => ({ _id: i })))
    const seen: string[] = []
    for await (const d of coll
      .find({}, { batchSize: 3 })
      .sort({ _id: 1 })
      .map((doc) => `#${doc._id}`)
      .toStream())
      seen.push(d)
    expect(seen).toEqual(['#0', '#1', '#2', '#3', '#4', '#5', '#6'])
  })

  it('a map throwing in the middle of a batch rejects the loop and kills the cursor', async () => {
    const coll = db.collection<{ _id: number }>(uniqueName('c'))
    await coll.insertMany(Array.from({ length: 12 }, (_, i) => ({ _id: i })))
    started.length = 0
    succeeded.length = 0
    const seen: number[] = []
    const loop = async () => {
      for await (const id of coll
        .find({}, { batchSize: 5 })
        .sort({ _id: 1 })
        .map((doc) => {
          if (doc._id === 2) throw new Error('bad document 2')
          return doc._id
        })
        .toStream())
        seen.push(id)
    }
    await expect(loop()).rejects.toThrow('bad document 2')
    expect(seen).toEqual([])
    const find = started.find((e) => e.commandName === 'find')!
    const reply = succeeded.find((e) => e.requestId === find.requestId)!.reply as { cursor: { id: unknown } }
    const id = String(reply.cursor.id)
    expect(id).not.toBe('0')
    await vi.waitFor(() => {
      const killed = started.filter((e) => e.commandName === 'killCursors').flatMap((e) => (e.command.cursors as unknown[]).map(String))
      expect(killed).toContain(id)
    })
  })
})
