/**
 * `close()` called by the user while a read of the same cursor or change stream is on the
 * server, where the driver alone would leave the cursor open (found by the cancellation
 * storm of `pnpm stress`):
 * - closing a change stream whose `for await` is waiting for its opening `$changeStream`
 *   aggregate: the driver ends the session before the reply brings the cursor id;
 * - closing twice at once (a timer's `close()`, then the loop's `finally`): the second close
 *   ends the implicit session while the first one's killCursors is on its way.
 * - aborting the AbortSignal given to `find` / `aggregate` while its opening command or a
 *   getMore is on the server: the driver drops the connection under the command, never
 *   learning the new cursor's id, or races its killCursors with the getMore's failure.
 * Core waits for the read in flight, and runs one close per cursor; it honours a cursor's
 * signal itself (the read rejects at once with the signal's reason). The `failCommand` fail
 * point holds the command on the server.
 */
import { getEventListeners } from 'node:events'
import { requires, server, uniqueName } from '@motor-ts/tools'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Collection, type CommandStartedEvent, type CommandSucceededEvent, type Db, Long, MongoClient, MongoServerError } from '../src/index.js'

const HOLD_MS = 800
const appName = 'promise-close-under-read'

let client: MongoClient
let db: Db
let items: Collection<{ _id: number }>
const started: CommandStartedEvent[] = []
const succeeded: CommandSucceededEvent[] = []

beforeAll(async () => {
  client = await MongoClient.connect(server().uri, { monitorCommands: true, appName })
  client.on('commandStarted', (e) => started.push(e))
  client.on('commandSucceeded', (e) => succeeded.push(e))
  db = client.db(uniqueName('promise_close'))
  items = db.collection('items')
  await items.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i })))
})

afterAll(async () => {
  await client?.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' }).catch(() => undefined)
  await db?.dropDatabase()
  await client?.close()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(10)) if (check()) return true
  return check()
}

/** Asserts that the cursor opened by the first `command` since `since` is killed and gone from the server. */
async function expectKilled(command: string, since: number) {
  const opening = started.slice(since).find((e) => e.commandName === command && e.databaseName === db.databaseName)
  expect(opening).toBeDefined()
  const reply = () => succeeded.find((e) => e.requestId === opening!.requestId)?.reply as { cursor?: { id?: Long | number } } | undefined
  expect(await eventually(() => reply()?.cursor?.id !== undefined, HOLD_MS * 4)).toBe(true)
  const id = Long.fromValue(reply()!.cursor!.id!)
  expect(id.isZero()).toBe(false)
  // Killed once the server has replied (a command started may not have reached it yet).
  const killed = () =>
    succeeded.some((e) => e.commandName === 'killCursors' && ((e.reply as { cursorsKilled?: Long[] }).cursorsKilled ?? []).some((c) => id.equals(c)))
  expect(await eventually(killed)).toBe(true)
  const error = await db.command({ getMore: id, collection: 'items' }).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(MongoServerError)
  expect((error as MongoServerError).code).toBe(43)
}

describe('close() while a read is on the server', () => {
  it('kills a change stream closed while its opening aggregate is held, closed again by the loop', async (ctx) => {
    requires(ctx, 'failCommand', 'changeStreams')
    await client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['aggregate'], blockConnection: true, blockTimeMS: HOLD_MS, appName },
    })
    const since = started.length
    const stream = items.watch([], { maxAwaitTimeMS: 50 })
    const timer = setTimeout(() => void stream.close(), 50)
    try {
      for await (const _ of stream.toStream()) break
    } finally {
      clearTimeout(timer)
      await stream.close()
    }
    expect(stream.closed).toBe(true)
    await expectKilled('aggregate', since)
  })

  it('rejects a find aborted during its opening command at once, and kills its cursor', async (ctx) => {
    requires(ctx, 'failCommand')
    await client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: ['find'], blockConnection: true, blockTimeMS: HOLD_MS, appName },
    })
    const since = started.length
    const controller = new AbortController()
    const reading = items.find({}, { batchSize: 2, signal: controller.signal }).toArray()
    await sleep(50)
    const reason = new Error('stop reading')
    controller.abort(reason)
    const t0 = Date.now()
    await expect(reading).rejects.toBe(reason)
    expect(Date.now() - t0).toBeLessThan(HOLD_MS / 2)
    await expectKilled('find', since)
  })

  it('kills an aggregate cursor aborted during a getMore while another operation waits for the only connection', async (ctx) => {
    requires(ctx, 'failCommand')
    const single = await MongoClient.connect(server().uri, { monitorCommands: true, appName: `${appName}-single`, maxPoolSize: 1 })
    try {
      single.on('commandStarted', (e) => started.push(e))
      single.on('commandSucceeded', (e) => succeeded.push(e))
      const coll = single.db(db.databaseName).collection('items')
      const controller = new AbortController()
      const since = started.length
      const cursor = coll.aggregate([{ $match: {} }], { batchSize: 2, signal: controller.signal })
      await cursor.next()
      await client.db('admin').command({
        configureFailPoint: 'failCommand',
        mode: { times: 2 },
        data: { failCommands: ['getMore', 'insert'], blockConnection: true, blockTimeMS: HOLD_MS, appName: `${appName}-single` },
      })
      const reading = cursor.toArray()
      await eventually(() => started.slice(since).some((e) => e.commandName === 'getMore'))
      const other = single.db(db.databaseName).collection<{ _id: number }>('other').insertOne({ _id: 1 })
      await sleep(50)
      controller.abort()
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' })
      await other
      await expectKilled('aggregate', since)
    } finally {
      await single.close()
    }
  })

  it("keeps a cursor's signal on its clone, as the driver does", async () => {
    const controller = new AbortController()
    const reason = new Error('stop the clone')
    const copy = items.find({}, { batchSize: 2, signal: controller.signal }).clone()
    controller.abort(reason)
    await expect(copy.toArray()).rejects.toBe(reason)
    await expect(copy.next()).rejects.toBe(reason)
  })

  it('leaves no listener on a signal shared by many cursors once they are read or closed', async () => {
    const controller = new AbortController()
    const { signal } = controller
    for (let i = 0; i < 15; i++) {
      expect(await items.find({}, { batchSize: 7, signal }).toArray()).toHaveLength(20)
      for await (const _ of items.aggregate([], { batchSize: 3, signal })) {
      }
      const early = items.find({}, { batchSize: 2, signal })
      await early.next()
      await early.close()
    }
    expect(getEventListeners(signal, 'abort')).toHaveLength(0)
  })

  it('kills a cursor closed twice at once', async () => {
    const since = started.length
    const cursor = items.find({}, { batchSize: 2 })
    await cursor.next()
    await Promise.all([cursor.close(), cursor.close()])
    await expectKilled('find', since)
  })
})
