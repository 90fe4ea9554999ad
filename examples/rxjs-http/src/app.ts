/**
 * The service: three routes whose handlers are Observables built from motor-ts's cold
 * Observables. Nothing touches the database until the request subscribes (in `serve`), and
 * everything is cancelled when the client goes away.
 *
 *   GET /items/:id  one document as JSON; an aborted request aborts the driver's `find`.
 *   GET /items      every document as NDJSON, pulled from the cursor one document at a time
 *                   and only as fast as the client reads (backpressure reaches the server:
 *                   no getMore is sent while the response is not draining).
 *   GET /events     the collection's change stream as server-sent events; the server-side
 *                   change stream cursor is closed when the client disconnects.
 */
import { createServer, type Server } from 'node:http'
import type { Db, FindCursor } from '@motor-ts/rxjs'
import { concatMap, defer, EMPTY, expand, finalize, ignoreElements, interval, map, merge, of, takeWhile, throwError } from 'rxjs'
import { type Handler, HttpError, sendJson, serve, write } from './http.js'

export interface Item {
  _id: number
  name: string
  payload?: string
}

/** Streams a cursor as NDJSON, asking the cursor for the next document only once the last one was written. */
function ndjson<T>(cursor: FindCursor<T>, res: Parameters<Handler>[1]) {
  let exhausted = false
  return cursor.next().pipe(
    expand((doc) => (doc === null ? EMPTY : write(res, `${JSON.stringify(doc)}\n`).pipe(concatMap(() => cursor.next())))),
    takeWhile((doc) => {
      exhausted = doc === null
      return !exhausted
    }),
    ignoreElements(),
    // Stopped early (client gone, write failed): kill the server cursor now, not at its timeout.
    finalize(() => {
      if (!exhausted) cursor.close().subscribe({ error: () => undefined })
    }),
  )
}

export function routes(db: Db): [RegExp, Handler][] {
  const items = db.collection<Item>('items')
  const getItem: Handler = (_req, res, _params, match) => {
    const id = Number(match[1])
    if (!Number.isSafeInteger(id)) return throwError(() => new HttpError(400, `item id must be an integer, got "${match[1]}"`))
    return items.findOne({ _id: id }).pipe(
      map((item) => (item ? sendJson(res, 200, item) : sendJson(res, 404, { error: `no item ${id}` }))),
    )
  }
  const listItems: Handler = (_req, res, params) => {
    const batchSize = Number(params.get('batchSize') ?? 100)
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) return throwError(() => new HttpError(400, 'batchSize must be a positive integer'))
    return defer(() => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' })
      return ndjson(items.find({}, { batchSize }).sort({ _id: 1 }), res)
    })
  }
  const events: Handler = (_req, res) =>
    defer(() => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
      const changes = items
        .watch([], { fullDocument: 'updateLookup' })
        .toStream()
        .pipe(map((change) => `id: ${JSON.stringify(change._id)}\nevent: ${change.operationType}\ndata: ${JSON.stringify(change)}\n\n`))
      const keepAlive = interval(15_000).pipe(map(() => ': keep-alive\n\n'))
      return merge(of(': connected\n\n'), changes, keepAlive).pipe(concatMap((chunk) => write(res, chunk)))
    })
  return [
    [/^\/items\/([^/]+)$/, getItem],
    [/^\/items$/, listItems],
    [/^\/events$/, events],
  ]
}

/** The HTTP server over `db` (not yet listening). */
export function createApp(db: Db): Server {
  const table = routes(db)
  return createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname
    for (const [pattern, handler] of table) {
      const match = req.method === 'GET' ? pattern.exec(path) : null
      if (match) return serve(handler, req, res, match)
    }
    sendJson(res, 404, { error: `no route for ${req.method} ${path}` })
  })
}
