/**
 * The example service against the test server, through real HTTP on 127.0.0.1. What the
 * server does is observed through the driver's command monitoring (getMore, killCursors,
 * failed commands), never through the app's own bookkeeping.
 */
import { once } from 'node:events'
import { type ClientRequest, get, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { type CommandFailedEvent, type CommandStartedEvent, type CommandSucceededEvent, MongoClient } from '@motor-ts/rxjs'
import { requires, server, uniqueName } from '@motor-ts/tools'
import { lastValueFrom } from 'rxjs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp, type Item } from '../src/app.js'

const started: CommandStartedEvent[] = []
const succeeded: CommandSucceededEvent[] = []
const failed: CommandFailedEvent[] = []
let client: MongoClient
let base: string
let app: ReturnType<typeof createApp>
const dbName = uniqueName('rxjs_http')

beforeAll(async () => {
  client = new MongoClient(server().uri, { monitorCommands: true })
  client.on('commandStarted', (e) => started.push(e))
  client.on('commandSucceeded', (e) => succeeded.push(e))
  client.on('commandFailed', (e) => failed.push(e))
  app = createApp(client.db(dbName))
  app.listen(0, '127.0.0.1')
  await once(app, 'listening')
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`
})

afterAll(async () => {
  app?.closeAllConnections()
  app?.close()
  await lastValueFrom(client.db(dbName).dropDatabase()).catch(() => undefined)
  await lastValueFrom(client.close())
})

/** The cursor part of a command's reply (`find`, `aggregate`, `getMore`). */
const cursorOf = (event: CommandSucceededEvent) => (event.reply as { cursor?: { ns?: string; id?: unknown } }).cursor

const items = () => client.db(dbName).collection<Item>('items')

function request(path: string): { req: ClientRequest; response: Promise<IncomingMessage> } {
  const req = get(`${base}${path}`)
  const response = once(req, 'response').then(([res]) => res as IncomingMessage)
  response.catch(() => undefined) // a test that destroys the request does not wait for a response
  return { req, response }
}

async function body(res: IncomingMessage): Promise<string> {
  let text = ''
  for await (const chunk of res) text += chunk
  return text
}

/** Resolves when `events()` has an entry matching `match` (polled; bounded by the test timeout). */
async function until<T>(events: () => T[], match: (event: T) => boolean): Promise<T> {
  for (;;) {
    const found = events().find(match)
    if (found) return found
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('rxjs-http example', () => {
  it('GET /items/:id answers the document, 404 for none, 400 for a bad id', async () => {
    await lastValueFrom(items().deleteMany({}))
    await lastValueFrom(items().insertOne({ _id: 7, name: 'seven' }))
    const ok = await request('/items/7').response
    expect([ok.statusCode, JSON.parse(await body(ok))]).toEqual([200, { _id: 7, name: 'seven' }])
    const missing = await request('/items/8').response
    expect(missing.statusCode).toBe(404)
    await body(missing)
    const bad = await request('/items/seven').response
    expect([bad.statusCode, JSON.parse(await body(bad)).error]).toEqual([400, 'item id must be an integer, got "seven"'])
  })

  it('GET /items streams NDJSON no faster than the client reads: no getMore while it is not reading', async () => {
    const count = 400
    const batchSize = 10
    const payload = 'x'.repeat(32 * 1024) // 400 x 32 KB: far more than the socket buffers hold
    await lastValueFrom(items().deleteMany({}))
    for (let i = 0; i < count; i += 100)
      await lastValueFrom(items().insertMany(Array.from({ length: 100 }, (_, j) => ({ _id: i + j, name: `item ${i + j}`, payload }))))
    const getMores = () => succeeded.filter((e) => e.commandName === 'getMore' && cursorOf(e)?.ns?.startsWith(`${dbName}.`)).length
    const before = getMores()

    const res = await request(`/items?batchSize=${batchSize}`).response
    expect(res.headers['content-type']).toBe('application/x-ndjson')
    res.pause()
    // Wait until the server stops asking for more: the cursor is held back by the client.
    let seen = -1
    while (seen !== getMores()) {
      seen = getMores()
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
    const whilePaused = seen - before
    expect(whilePaused).toBeLessThan(count / batchSize / 2)

    const ids = (await body(res))
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as Item)._id)
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => i))
    // every batch was fetched in the end (the driver may send one last, empty getMore)
    expect(getMores() - before).toBeGreaterThanOrEqual(count / batchSize - 1)
    console.log(`NDJSON backpressure: ${whilePaused} of ${count / batchSize - 1} getMores sent while the client was not reading`)
  })

  it('GET /events sends changes as server-sent events and closes the change stream when the client leaves', async (ctx) => {
    requires(ctx, 'changeStreams')
    await lastValueFrom(items().deleteMany({}))
    const { req, response } = request('/events')
    const res = await response
    expect(res.headers['content-type']).toBe('text/event-stream')
    res.setEncoding('utf8')
    let text = ''
    res.on('data', (chunk: string) => {
      text += chunk
    })
    const opened = await until(() => succeeded, (e) => e.commandName === 'aggregate' && cursorOf(e)?.ns === `${dbName}.items`)
    const cursorId = cursorOf(opened)?.id
    await lastValueFrom(items().insertOne({ _id: 1001, name: 'first' }))
    await lastValueFrom(items().insertOne({ _id: 1002, name: 'second' }))
    while ((text.match(/^event: insert$/gm) ?? []).length < 2) await once(res, 'data')
    expect(text).toContain('"name":"second"')

    req.destroy() // the client disconnects
    const kill = await until(() => started, (e) => e.commandName === 'killCursors' && e.command.cursors?.some((id: unknown) => String(id) === String(cursorId)))
    expect(kill.command.killCursors).toBe('items')
  })

  it('a request aborted by the client aborts the database call it was waiting for', async (ctx) => {
    requires(ctx, 'failCommand')
    await lastValueFrom(items().deleteMany({}))
    await lastValueFrom(items().insertOne({ _id: 5, name: 'five' }))
    const admin = client.db('admin')
    // The server holds the next find for 5 s; the client gives up long before.
    await lastValueFrom(admin.command({ configureFailPoint: 'failCommand', mode: { times: 1 }, data: { failCommands: ['find'], blockConnection: true, blockTimeMS: 5000 } }))
    const from = started.length
    const { req } = request('/items/5')
    const find = await until(() => started.slice(from), (e) => e.commandName === 'find' && e.command.filter?._id === 5)
    req.destroy()
    const outcome = await until<CommandFailedEvent | CommandSucceededEvent>(() => [...failed, ...succeeded], (e) => e.requestId === find.requestId)
    expect('failure' in outcome ? (outcome.failure as Error).name : 'succeeded').toBe('AbortError')
  })
})
