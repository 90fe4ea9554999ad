/**
 * The small HTTP service of the web-load scenario (node:http), with its handlers written the
 * way each framework's users write them: an `async` function for Promises, an Observable per
 * request (unsubscribed if the client goes away) for RxJS, an Effect per request run on a
 * fiber (interrupted if the client goes away) for Effect. Routes: `GET /item/:id` (findOne),
 * `GET /list/:id` (ten documents from id on), `POST /bump/:id` (updateOne $inc).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Collection as EffectCollection } from '@motor-ts/effect'
import type { Collection as PromiseCollection } from '@motor-ts/promise'
import type { Collection as RxCollection } from '@motor-ts/rxjs'
import { Effect, Fiber } from 'effect'
import { map, type Observable } from 'rxjs'
import type { AnyClient } from '../frameworks.ts'
import type { FrameworkName } from '../report.ts'

export interface Item {
  _id: number
  name: string
  hits: number
}

interface Reply {
  status: number
  body: string
}

type Route = { name: 'item' | 'list' | 'bump'; id: number } | undefined

const json = (value: unknown): Reply => ({ status: 200, body: JSON.stringify(value) })
const notFound: Reply = { status: 404, body: '{"error":"not found"}' }
const failed = (error: unknown): Reply => ({ status: 500, body: JSON.stringify({ error: (error as Error)?.message ?? String(error) }) })

function route(req: IncomingMessage): Route {
  const [, name, idText] = (req.url ?? '').split('/')
  const id = Number(idText)
  if (!Number.isInteger(id)) return undefined
  if ((name === 'item' || name === 'list') && req.method === 'GET') return { name, id }
  if (name === 'bump' && req.method === 'POST') return { name, id }
  return undefined
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return
  res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply.body) })
  res.end(reply.body)
}

export interface Counters {
  served: number
  failures: number
  lastFailure?: string
}

type Handler = (req: IncomingMessage, res: ServerResponse, counters: Counters) => void

function promiseHandler(items: PromiseCollection<Item>): Handler {
  const answer = async (r: NonNullable<Route>): Promise<Reply> => {
    if (r.name === 'item') {
      const doc = await items.findOne({ _id: r.id })
      return doc ? json(doc) : notFound
    }
    if (r.name === 'list') return json(await items.find({ _id: { $gte: r.id } }).sort({ _id: 1 }).limit(10).toArray())
    const result = await items.updateOne({ _id: r.id }, { $inc: { hits: 1 } })
    return json({ modified: result.modifiedCount })
  }
  return (req, res, counters) => {
    const r = route(req)
    if (!r) return send(res, notFound)
    answer(r).then(
      (reply) => send(res, reply),
      (error) => {
        counters.failures++
        counters.lastFailure = String(error)
        send(res, failed(error))
      },
    )
  }
}

function rxjsHandler(items: RxCollection<Item>): Handler {
  const answer$ = (r: NonNullable<Route>): Observable<Reply> => {
    if (r.name === 'item') return items.findOne({ _id: r.id }).pipe(map((doc) => (doc ? json(doc) : notFound)))
    if (r.name === 'list') return items.find({ _id: { $gte: r.id } }).sort({ _id: 1 }).limit(10).toArray().pipe(map(json))
    return items.updateOne({ _id: r.id }, { $inc: { hits: 1 } }).pipe(map((result) => json({ modified: result.modifiedCount })))
  }
  return (req, res, counters) => {
    const r = route(req)
    if (!r) return send(res, notFound)
    const subscription = answer$(r).subscribe({
      next: (reply) => send(res, reply),
      error: (error) => {
        counters.failures++
        counters.lastFailure = String(error)
        send(res, failed(error))
      },
    })
    res.once('close', () => subscription.unsubscribe())
  }
}

function effectHandler(items: EffectCollection<Item>): Handler {
  const answer = (r: NonNullable<Route>) =>
    Effect.gen(function* () {
      if (r.name === 'item') {
        const doc = yield* items.findOne({ _id: r.id })
        return doc ? json(doc) : notFound
      }
      if (r.name === 'list') return json(yield* items.find({ _id: { $gte: r.id } }).sort({ _id: 1 }).limit(10).toArray())
      const result = yield* items.updateOne({ _id: r.id }, { $inc: { hits: 1 } })
      return json({ modified: result.modifiedCount })
    })
  return (req, res, counters) => {
    const r = route(req)
    if (!r) return send(res, notFound)
    const program = answer(r).pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          counters.failures++
          counters.lastFailure = `${error._tag}: ${error.message}`
        }),
      ),
      Effect.catch((error) => Effect.succeed(failed(error))),
      Effect.flatMap((reply) => Effect.sync(() => send(res, reply))),
    )
    const fiber = Effect.runFork(program)
    res.once('close', () => {
      if (!fiber.pollUnsafe()) Effect.runFork(Fiber.interrupt(fiber))
    })
  }
}

/** Starts the service on a free loopback port; `close()` stops it and drops idle keep-alive sockets. */
export async function startService(
  framework: FrameworkName,
  client: AnyClient,
  dbName: string,
  counters: Counters,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const handler =
    framework === 'promise'
      ? promiseHandler((client as any).db(dbName).collection('items'))
      : framework === 'rxjs'
        ? rxjsHandler((client as any).db(dbName).collection('items'))
        : effectHandler((client as any).db(dbName).collection('items'))
  const server = createServer((req, res) => {
    counters.served++
    handler(req, res, counters)
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}
