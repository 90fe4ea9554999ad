/**
 * The client and its sessions as resources whose lifetime is a subscription, in RxJS's own
 * style (as `using`, `webSocket` or `fromFetch` tie a resource to a subscription):
 * - `connect$(url, options)` connects on subscribe, emits the connected client once, and closes
 *   it when the subscription ends (unsubscribe, `take`, `takeUntil`, `switchMap` moving on, or
 *   an error). It never completes by itself: compose it with `switchMap` for long-lived work.
 * - `usingClient(url, options, work)` is the bounded form: it completes (or fails) with `work`,
 *   and only after the client has closed, so whoever sees the end also sees the client closed.
 * - `session$(client, options)` is a session, ended when the subscription ends; the bounded
 *   form is the client's own `withSession(work)`.
 * A failed close or end is reported through RxJS's `config.onUnhandledError`, never thrown.
 */
import type { ClientSessionOptions, MongoClientOptions } from 'mongodb'
import { config, from, lastValueFrom, Observable, type ObservableInput } from 'rxjs'
import { type ClientSession, MongoClient } from './client.js'
import { rxjsFramework } from './framework.js'

const report = (error: unknown) =>
  config.onUnhandledError
    ? config.onUnhandledError(error)
    : setTimeout(() => {
        throw error
      })

/** Connect a new client (closing it again if connecting fails). */
async function open(url: string, options?: MongoClientOptions): Promise<MongoClient> {
  const client = new MongoClient(url, options)
  try {
    await lastValueFrom(client.connect())
    return client
  } catch (error) {
    await lastValueFrom(client.close()).catch(() => undefined)
    throw error
  }
}

/** A client connected on subscribe and closed when the subscription ends. */
export function connect$(url: string, options?: MongoClientOptions): Observable<MongoClient> {
  return new Observable<MongoClient>((subscriber) => {
    let client: MongoClient | undefined
    let ended = false
    open(url, options).then(
      (connected) => {
        client = connected
        if (ended) void lastValueFrom(connected.close()).catch(report)
        else subscriber.next(connected)
      },
      (error) => subscriber.error(error),
    )
    return () => {
      ended = true
      if (client) void lastValueFrom(client.close()).catch(report)
    }
  })
}

/** Run `work` with a client connected for it; completes once the client is closed. */
export function usingClient<T>(
  url: string,
  options: MongoClientOptions | undefined,
  work: (client: MongoClient) => ObservableInput<T>,
): Observable<T> {
  return rxjsFramework.using(
    () => open(url, options),
    (client) => from(work(client)),
    async (client) => lastValueFrom(client.close()),
  )
}

/** A session of `client`, started on subscribe and ended when the subscription ends. */
export function session$(client: MongoClient, options?: ClientSessionOptions): Observable<ClientSession> {
  return new Observable<ClientSession>((subscriber) => {
    let session: ClientSession
    try {
      session = client.startSession(options)
    } catch (error) {
      subscriber.error(error)
      return
    }
    subscriber.next(session)
    return () => void lastValueFrom(session.endSession()).catch(report)
  })
}
