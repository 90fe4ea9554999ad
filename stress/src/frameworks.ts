/**
 * The three motor-ts clients the scenarios drive, and how the harness (not the code under
 * test) waits for one of their futures: `await` a Promise, `lastValueFrom` an Observable,
 * `Effect.runPromise` an Effect. Scenario code uses each framework in its native style;
 * these helpers only bridge back to the harness.
 */
import { MongoClient as EffectClient } from '@motor-ts/effect'
import { MongoClient as PromiseClient } from '@motor-ts/promise'
import { MongoClient as RxClient } from '@motor-ts/rxjs'
import { Effect } from 'effect'
import type { MongoClientOptions } from 'mongodb'
import { lastValueFrom, type Observable } from 'rxjs'
import type { FrameworkName } from './report.ts'

export type AnyClient = PromiseClient | RxClient | EffectClient

/** A connected client of `framework`. */
export async function connect(framework: FrameworkName, uri: string, options: MongoClientOptions): Promise<AnyClient> {
  const client = newClient(framework, uri, options)
  await settle(framework, client.connect())
  return client
}

export function newClient(framework: FrameworkName, uri: string, options: MongoClientOptions): AnyClient {
  if (framework === 'promise') return new PromiseClient(uri, options)
  if (framework === 'rxjs') return new RxClient(uri, options)
  return new EffectClient(uri, options)
}

/** The single result of a framework future, as a Promise (for the harness). */
export function settle<A>(framework: FrameworkName, future: unknown): Promise<A> {
  if (framework === 'promise') return future as Promise<A>
  if (framework === 'rxjs') return lastValueFrom(future as Observable<A>)
  return Effect.runPromise(future as Effect.Effect<A, unknown>)
}

/** Closes the client, ignoring a failure (the server may be gone). */
export async function closeQuietly(framework: FrameworkName, client: AnyClient): Promise<void> {
  await settle(framework, client.close()).catch(() => undefined)
}
