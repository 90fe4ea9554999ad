/**
 * Unsubscribing while a cursor's opening command is still on the server (found by the
 * cancellation storm of `pnpm stress`): the driver, closed under its opening `find` or
 * `$changeStream` aggregate, ends the cursor's session before the reply brings the cursor id
 * and never kills it, so the server keeps the cursor. Core must wait for the opening reply,
 * however long it takes, before closing. The `failCommand` fail point holds the opening
 * command on the server for longer than core's close grace period.
 */
import { requires } from '@motor-ts/tools'
import { firstValueFrom } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Collection, type Long, MongoServerError } from '../src/index.js'
import { connect, cursorIdOf, eventually, type Monitored, sleep } from './helpers.js'

const appName = 'rx-cancel-while-opening'
const HOLD_MS = 800

let m: Monitored
let items: Collection<{ _id: number }>

beforeAll(async () => {
  m = await connect('rx_opening', { appName })
  items = m.db.collection('items')
  await firstValueFrom(items.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i }))))
})

afterAll(async () => {
  await firstValueFrom(m.client.db('admin').command({ configureFailPoint: 'failCommand', mode: 'off' })).catch(() => undefined)
  await m?.close()
})

/** Holds the next `command` of this client on the server for HOLD_MS. */
async function holdNext(command: string) {
  await firstValueFrom(
    m.client.db('admin').command({
      configureFailPoint: 'failCommand',
      mode: { times: 1 },
      data: { failCommands: [command], blockConnection: true, blockTimeMS: HOLD_MS, appName },
    }),
  )
}

/** The cursor the opening `command` created is killed (a killCursors names it) and the server no longer has it. */
async function expectKilled(command: string, since: number) {
  const opening = m.commands(command, since)[0]
  expect(opening).toBeDefined()
  let id: Long | undefined
  expect(await eventually(() => (id = cursorIdOf(m.succeeded, opening!.requestId)) !== undefined, HOLD_MS * 4)).toBe(true)
  const killed = () => m.commands('killCursors', since).some((e) => (e.command.cursors as Long[]).some((c) => id!.equals(c)))
  expect(await eventually(killed, 5_000)).toBe(true)
  const error = await firstValueFrom(m.db.command({ getMore: id!, collection: 'items' })).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(MongoServerError)
  expect((error as MongoServerError).code).toBe(43)
}

describe('unsubscribing while the opening command is in flight', () => {
  it('kills a streamed cursor whose find had not replied yet', async (ctx) => {
    requires(ctx, 'failCommand')
    await holdNext('find')
    const since = m.mark()
    const subscription = items.find({}, { batchSize: 2 }).toStream().subscribe()
    await sleep(50)
    subscription.unsubscribe()
    await expectKilled('find', since)
  })

  it('kills a change stream whose $changeStream aggregate had not replied yet', async (ctx) => {
    requires(ctx, 'failCommand', 'changeStreams')
    await holdNext('aggregate')
    const since = m.mark()
    const subscription = items.watch().toStream().subscribe()
    await sleep(50)
    subscription.unsubscribe()
    await expectKilled('aggregate', since)
  })
})
