/**
 * The bridge between Node's `http` module and Observables, and the only place that
 * subscribes: one subscription per request, unsubscribed when the request or its response
 * goes away before the handler finished. Unsubscribing is what cancels the database work
 * (motor-ts aborts the driver call, kills the server cursor, closes the change stream).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { MongoError } from '@motor-ts/rxjs'
import { defer, fromEvent, type Observable, take } from 'rxjs'

/** A route handler: an Observable that writes the response and completes. */
export type Handler = (req: IncomingMessage, res: ServerResponse, params: URLSearchParams, match: RegExpExecArray) => Observable<unknown>

/** An HTTP error with its status; anything else is a 500 (or a 503 for database trouble). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
  }
}

/** Writes `chunk`; completes at once when the socket takes it, else when it drains (backpressure). */
export function write(res: ServerResponse, chunk: string): Observable<void> {
  return defer(() => {
    if (res.write(chunk)) return [undefined]
    return fromEvent(res, 'drain').pipe(take(1)) as Observable<unknown> as Observable<void>
  })
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end()
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

/** Runs `handler` for the request, cancelling it when the client disconnects. */
export function serve(handler: Handler, req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): void {
  const params = new URL(req.url ?? '/', 'http://localhost').searchParams
  const subscription = handler(req, res, params, match).subscribe({
    complete: () => res.end(),
    error: (error: unknown) => {
      const status = error instanceof HttpError ? error.status : error instanceof MongoError ? 503 : 500
      sendJson(res, status, { error: error instanceof Error ? error.message : String(error) })
    },
  })
  // 'close' fires when the response is done or the connection dropped; only the second cancels.
  res.once('close', () => {
    if (!res.writableFinished) subscription.unsubscribe()
  })
}
