/**
 * `withTransaction`, written once over the framework interface so it runs natively in
 * every framework: the work is a framework future re-run on each attempt (a cold
 * Observable is re-subscribed, an Effect re-executed, a Promise-returning callback called
 * again), and cancelling the whole cancels whichever step is running; the session's
 * `endSession` then aborts the open transaction on the server.
 *
 * The rules are the driver's (Convenient Transactions spec, as in mongodb 7.x):
 * retry the whole transaction on `TransientTransactionError`, retry the commit on
 * `UnknownTransactionCommitResult` (unless MaxTimeMSExpired), jittered exponential backoff
 * between attempts (5 ms growing 1.5x to 500 ms), all within 120 seconds.
 */
import { type ClientSession, MongoError, MongoInvalidArgumentError, type TransactionOptions } from 'mongodb'
import type { Framework, FrameworkTypes, Future } from './framework.js'

export const TRANSACTION_TIME_LIMIT_MS = 120_000
const BACKOFF_INITIAL_MS = 5
const BACKOFF_MAX_MS = 500
const BACKOFF_GROWTH = 1.5

const hasLabel = (error: unknown, label: string): boolean =>
  error instanceof MongoError && !(error instanceof MongoInvalidArgumentError) && error.hasErrorLabel(label)

function isMaxTimeMSExpired(error: unknown): boolean {
  if (!(error instanceof MongoError)) return false
  const e = error as MongoError & { writeConcernError?: { code?: number } }
  return e.code === 50 || e.writeConcernError?.code === 50
}

/** Run `work` in a transaction on `session`, retrying as the driver does. */
export function runTransaction<F extends FrameworkTypes, A>(
  fw: Framework<F>,
  session: ClientSession,
  work: () => Future<F, A>,
  options?: TransactionOptions,
): Future<F, A> {
  const deadline = performance.now() + TRANSACTION_TIME_LIMIT_MS
  const run = <T>(fn: () => T | Promise<T>): Future<F, T> => fw.runOnExecutor(async () => fn())
  const fail = <T>(error: unknown): Future<F, T> =>
    run<T>(() => {
      throw error
    })

  const start = (attempt: number, lastError: unknown): Future<F, void> =>
    run(async () => {
      if (attempt > 0) {
        const backoff = Math.random() * Math.min(BACKOFF_INITIAL_MS * BACKOFF_GROWTH ** attempt, BACKOFF_MAX_MS)
        if (performance.now() + backoff >= deadline) throw lastError
        await new Promise((resolve) => setTimeout(resolve, backoff))
      }
      session.startTransaction(options)
    })

  const abortQuietly = (): Future<F, void> =>
    run(async () => {
      if (session.inTransaction()) await session.abortTransaction().catch(() => undefined)
    })

  const commit = (result: A, attempt: number): Future<F, A> =>
    fw.chainFuture(
      run(() => session.commitTransaction()),
      () => run(() => result),
      (error) => {
        if (hasLabel(error, 'UnknownTransactionCommitResult') && !isMaxTimeMSExpired(error))
          return performance.now() < deadline ? commit(result, attempt) : fail<A>(error)
        if (hasLabel(error, 'TransientTransactionError'))
          return performance.now() < deadline ? attemptTransaction(attempt + 1, error) : fail<A>(error)
        return fail<A>(error)
      },
    )

  const attemptTransaction = (attempt: number, lastError: unknown): Future<F, A> =>
    fw.chainFuture(start(attempt, lastError), () =>
      fw.chainFuture(
        fw.chainFuture(run(() => undefined), () => work()),
        (result) => (session.inTransaction() ? commit(result, attempt) : run(() => result)),
        (error) =>
          fw.chainFuture(abortQuietly(), () =>
            hasLabel(error, 'TransientTransactionError') && performance.now() < deadline
              ? attemptTransaction(attempt + 1, error)
              : fail<A>(error),
          ),
      ),
    )

  return attemptTransaction(0, undefined)
}
