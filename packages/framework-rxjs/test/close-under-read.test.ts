/**
 * Cancelling while a read is on the server, where the driver would leave the cursor open
 * (found by the cancellation storm of `pnpm stress`):
 * - a change stream unsubscribed during a getMore, with the pool busy: the driver's
 *   killCursors waits for a connection behind another operation, the getMore's reply ends
 *   the stream's implicit session first, and the killCursors then fails silently. Core waits
 *   for the getMore and closes between round trips.
 * - `withSession` unsubscribed during a whole read (`toArray`): the session ended at once,
 *   so the read, stopping at its next document, could no longer kill its cursor with it.
 *   Core ends the session once the read has closed its cursor.
 * The `failCommand` fail point holds the command on the server (`blockTimeMS`), longer than
 * core's close grace period.
 */
import { requires } from '@motor-ts/tools'
import { firstValueFrom } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Collection, type Long, MongoServerError } from '../src/index.js'
import { connect, cursorIdOf, eventually, type Monitored, sleep } from './helpers.js'

const HOLD_MS = 800

let m: Monitored
let items: Collection<{ _id: number }>

beforeAll(async () => {
  m = await connect('rx_close_under_read', { appName: 'rx-close-under-read', maxPoolSize: 1 })
  items = m.db.collection('items')
  await firstValueFrom(items.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i }))))
})

afterAll(async () => {
  await firstValueFrom(m.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' })).catch(() => undefined)
  await m?.close()
})

/** Holds the next `times` of `commands` of this client on the server for HOLD_MS each. */
async function holdNext(commands: string[], times = 1) {
  await firstValueFrom(
    m.client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times },
      data: { failCommands: commands, blockConnection: true, blockTimeMS: HOLD_MS, appName: 'rx-close-under-read' },
    }),
  )
}

/** The cursor `opening` (a find or aggregate) created is killed, and the server no longer has it. */
async function expectKilled(opening: { requestId: number } | undefined, collection: string) {
  expect(opening).toBeDefined()
  let id: Long | undefined
  expect(await eventually(() => (id = cursorIdOf(m.succeeded, opening!.requestId)) !== undefined, HOLD_MS * 4)).toBe(true)
  expect(id!.isZero()).toBe(false)
  // Killed once the server has replied (a command started may not have reached it yet).
  const killed = () =>
    m.succeeded.some((e) => e.commandName === 'killCursors' && ((e.reply as { cursorsKilled?: Long[] }).cursorsKilled ?? []).some((c) => id!.equals(c)))
  expect(await eventually(killed, 5_000)).toBe(true)
  const error = await firstValueFrom(m.db.command({ getMore: id!, collection })).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MongoServerError)
  expect((error as MongoServerError).code).toBe(43)
}

describe('cancelling during a read on the server, with one pooled connection', () => {
  it('kills a change stream unsubscribed while its getMore waits on the server', async (ctx) => {
    requires(ctx, 'failCommand', 'changeStreams')
    const since = m.mark()
    const subscription = items.watch([], { maxAwaitTimeMS: 50 }).toStream().subscribe()
    expect(await eventually(() => m.commands('aggregate', since).length > 0 && m.succeeded.some((e) => e.commandName === 'aggregate'))).toBe(true)
    await holdNext(['getMore', 'insert'], 2)
    const held = m.mark()
    expect(await eventually(() => m.commands('getMore', held).length > 0)).toBe(true)
    // Another operation waits for the only connection, ahead of any killCursors.
    const other = firstValueFrom(m.db.collection<{ _id: number }>('other').insertOne({ _id: 1 }))
    await sleep(50)
    subscription.unsubscribe()
    await other
    await expectKilled(m.commands('aggregate', since)[0], 'items')
  })

  it('ends a session unsubscribed during toArray only after the read killed its cursor', async (ctx) => {
    requires(ctx, 'failCommand', 'sessions')
    await holdNext(['find'])
    const since = m.mark()
    const subscription = m.client.withSession((session) => items.find({}, { session, batchSize: 2 }).toArray()).subscribe()
    await sleep(50)
    subscription.unsubscribe()
    await expectKilled(m.commands('find', since)[0], 'items')
  })
})
