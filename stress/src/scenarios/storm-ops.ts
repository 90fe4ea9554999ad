/**
 * The operations of the cancellation storm, each cancelled the way its framework's users
 * cancel: an AbortSignal, breaking out of `for await` or closing a change stream (Promise);
 * unsubscribing or `take(n)` (RxJS); interrupting the fiber, `Effect.timeoutOption` or
 * `Stream.take` (Effect). Each resolves `done` (it finished first) or `cancelled`; any other
 * failure is thrown, for the storm to count as unexpected.
 */
import { isAbortError } from '@motor-ts/core'
import { Cause, Effect, Exit, Fiber, Stream } from 'effect'
import { MongoAPIError } from 'mongodb'
import { count, lastValueFrom, type Observable, switchMap, take } from 'rxjs'
import type { FrameworkName } from '../report.ts'

export type Outcome = 'done' | 'cancelled'

export interface StormOps {
  /** One of four single reads (findOne, find().toArray(), countDocuments, aggregate().toArray()), cancelled after `delay` ms. */
  read(variant: number, delay: number): Promise<Outcome>
  /** A streamed cursor, stopped after `take` documents or cancelled after `delay` ms. */
  cursor(variant: number, take: number, delay: number): Promise<Outcome>
  /** A change stream, stopped after `take` events or cancelled after `delay` ms. */
  change(take: number, delay: number): Promise<Outcome>
  /** Two reads in `withSession`, cancelled after `delay` ms; the session must still end. */
  session(delay: number): Promise<Outcome>
  /** Every explicit session handed to the storm's work, to check each has ended. */
  readonly sessions: { readonly hasEnded: boolean }[]
}

/** A cursor closed under a pending read: what a Promise user sees after `close()`. */
const isClosedError = (e: unknown) => e instanceof MongoAPIError && /closed/i.test(e.message)

const READ_FILTER = { n: { $gte: 0 } }

/** `raw`: the same operations as Promise users write them, on the driver's own client (the baseline). */
export function stormOps(framework: FrameworkName | 'raw', client: unknown, dbName: string): StormOps {
  const c = client as any
  const coll = c.db(dbName).collection('docs')
  const watched = c.db(dbName).collection('watched')
  const sessions: { hasEnded: boolean }[] = []
  if (framework === 'raw') return promiseOps(c, coll, watched, sessions, (iterable) => iterable)
  if (framework === 'promise') return promiseOps(c, coll, watched, sessions)
  if (framework === 'rxjs') return rxjsOps(c, coll, watched, sessions)
  return effectOps(c, coll, watched, sessions)
}

function promiseOps(client: any, coll: any, watched: any, sessions: any[], iterate = (iterable: any): AsyncIterable<unknown> => iterable.toStream()): StormOps {
  const withAbort = async (delay: number, run: (signal: AbortSignal) => Promise<unknown>): Promise<Outcome> => {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), delay)
    try {
      await run(controller.signal)
      return controller.signal.aborted ? 'cancelled' : 'done'
    } catch (error) {
      if (controller.signal.aborted && isAbortError(error)) return 'cancelled'
      throw error
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    sessions,
    read: (variant, delay) =>
      withAbort(delay, (signal) => {
        if (variant === 0) return coll.findOne({ _id: 3 }, { signal })
        if (variant === 1) return coll.find(READ_FILTER, { signal, batchSize: 50 }).toArray()
        if (variant === 2) return coll.countDocuments(READ_FILTER, { signal })
        return coll.aggregate([{ $match: READ_FILTER }, { $limit: 120 }], { signal }).toArray()
      }),
    cursor: async (variant, n) => {
      let seen = 0
      const cursor = coll.find(READ_FILTER, { batchSize: 7 })
      // Both ways the README shows: `for await` over `toStream()`, or over the cursor itself.
      for await (const _ of variant % 2 ? iterate(cursor) : cursor) if (++seen >= n) break
      return seen >= n ? 'cancelled' : 'done'
    },
    change: async (n, delay) => {
      const stream = watched.watch([], { maxAwaitTimeMS: 100 })
      const timer = setTimeout(() => void stream.close().catch(() => undefined), delay)
      let seen = 0
      try {
        for await (const _ of iterate(stream)) if (++seen >= n) break
        return 'cancelled'
      } catch (error) {
        if (isClosedError(error)) return 'cancelled'
        throw error
      } finally {
        clearTimeout(timer)
        await stream.close()
      }
    },
    session: (delay) =>
      withAbort(delay, (signal) =>
        client.withSession(async (session: any) => {
          sessions.push(session)
          await coll.findOne({ _id: 1 }, { session, signal })
          await coll.find(READ_FILTER, { session, signal, batchSize: 20 }).toArray()
        }),
      ),
  }
}

/** Subscribes, unsubscribing after `delay` ms unless it finished first. */
function unsubscribeAfter(source: Observable<unknown>, delay: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const subscription = source.subscribe({
      error: (error) => {
        clearTimeout(timer)
        reject(error)
      },
      complete: () => {
        clearTimeout(timer)
        resolve('done')
      },
    })
    const timer = setTimeout(() => {
      subscription.unsubscribe()
      resolve('cancelled')
    }, delay)
  })
}

function rxjsOps(client: any, coll: any, watched: any, sessions: any[]): StormOps {
  return {
    sessions,
    read: (variant, delay) => {
      const op: Observable<unknown> =
        variant === 0
          ? coll.findOne({ _id: 3 })
          : variant === 1
            ? coll.find(READ_FILTER, { batchSize: 50 }).toArray()
            : variant === 2
              ? coll.countDocuments(READ_FILTER)
              : coll.aggregate([{ $match: READ_FILTER }, { $limit: 120 }]).toArray()
      return unsubscribeAfter(op, delay)
    },
    cursor: async (variant, n, delay) => {
      const docs: Observable<unknown> = coll.find(READ_FILTER, { batchSize: 7 }).toStream()
      if (variant % 2) return unsubscribeAfter(docs, delay)
      await lastValueFrom(docs.pipe(take(n), count()))
      return 'cancelled'
    },
    change: (n, delay) => unsubscribeAfter(watched.watch([], { maxAwaitTimeMS: 100 }).toStream().pipe(take(n)), delay),
    session: (delay) =>
      unsubscribeAfter(
        client.withSession((session: any) => {
          sessions.push(session)
          return coll.findOne({ _id: 1 }, { session }).pipe(switchMap(() => coll.find(READ_FILTER, { session, batchSize: 20 }).toArray()))
        }),
        delay,
      ),
  }
}

/** Runs `effect` on a fiber and interrupts the fiber after `delay` ms unless it finished first. */
async function interruptAfter(effect: Effect.Effect<unknown, unknown>, delay: number): Promise<Outcome> {
  const fiber = Effect.runFork(effect)
  const timer = setTimeout(() => Effect.runFork(Fiber.interrupt(fiber)), delay)
  const exit = await Effect.runPromise(Fiber.await(fiber))
  clearTimeout(timer)
  if (Exit.isSuccess(exit)) return 'done'
  if (Cause.hasInterruptsOnly(exit.cause)) return 'cancelled'
  throw Cause.squash(exit.cause)
}

function effectOps(client: any, coll: any, watched: any, sessions: any[]): StormOps {
  return {
    sessions,
    read: async (variant, delay) => {
      if (variant === 0) return interruptAfter(coll.findOne({ _id: 3 }), delay)
      if (variant === 1) return interruptAfter(coll.find(READ_FILTER, { batchSize: 50 }).toArray(), delay)
      if (variant === 2) return interruptAfter(coll.countDocuments(READ_FILTER), delay)
      // Also the declarative way: a timeout that interrupts the read.
      const result = await Effect.runPromise(Effect.timeoutOption(coll.aggregate([{ $match: READ_FILTER }, { $limit: 120 }]).toArray(), delay))
      return result._tag === 'None' ? 'cancelled' : 'done'
    },
    cursor: async (variant, n, delay) => {
      const docs: Stream.Stream<unknown, unknown> = coll.find(READ_FILTER, { batchSize: 7 }).toStream()
      if (variant % 2) return interruptAfter(Stream.runDrain(docs), delay)
      await Effect.runPromise(Stream.runDrain(Stream.take(docs, n)))
      return 'cancelled'
    },
    change: (n, delay) => interruptAfter(Stream.runDrain(Stream.take(watched.watch([], { maxAwaitTimeMS: 100 }).toStream(), n)), delay),
    session: (delay) =>
      interruptAfter(
        client.withSession((session: any) => {
          sessions.push(session)
          return Effect.flatMap(coll.findOne({ _id: 1 }, { session }), () => coll.find(READ_FILTER, { session, batchSize: 20 }).toArray())
        }),
        delay,
      ),
  }
}
