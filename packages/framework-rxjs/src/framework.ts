/**
 * The RxJS framework: futures and streams are cold Observables. Nothing reaches the server
 * until you subscribe; each subscription runs the operation afresh; unsubscribing cancels
 * it (the driver call's AbortSignal fires, an open cursor or change stream is closed on the
 * server). Failures, including bad arguments, arrive in the error channel, never thrown
 * synchronously and never as unhandled rejections. A future emits exactly one value (void
 * operations emit `undefined`) and then completes.
 *
 * `chainFuture` carries most of the care: it is an interpreter that unfolds nested chains
 * onto an explicit continuation stack and trampolines synchronous completions, so core's
 * transaction retry loop neither grows the call stack nor piles up forwarding subscribers.
 * When to close a cursor safely, and ending sessions only after, is core's business
 * (`PullSource.close`, the release given to `using`).
 */
import type { Framework, FrameworkTypes, PullSource } from '@motor-ts/core'
import { asapScheduler, config, Observable, type Subscriber, type Subscription } from 'rxjs'

export interface RxTypes extends FrameworkTypes {
  readonly Future: Observable<this['A']>
  readonly Stream: Observable<this['A']>
}

const ignore = (): void => undefined

/** The reason an aborted signal carries, or a standard AbortError when it has none. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError')
}

/** Report an error nobody can receive any more, the way RxJS reports its own. */
function reportUnhandled(error: unknown): void {
  if (config.onUnhandledError) config.onUnhandledError(error)
  else
    setTimeout(() => {
      throw error
    })
}

/** Call `fn`, turning a synchronous throw into an Observable that errors. */
function attempt<T>(fn: () => Observable<T>): Observable<T> {
  try {
    return fn()
  } catch (error) {
    return new Observable<T>((subscriber) => subscriber.error(error))
  }
}

// ---------------------------------------------------------------------------------------
// chainFuture: a small interpreter over a continuation stack.

type Handler = (value: unknown) => Observable<unknown>

/** `head` followed by `onValue` / `onError`, as `Promise.prototype.then`. */
class Chained<B> extends Observable<B> {
  constructor(
    readonly head: Observable<unknown>,
    readonly onValue: Handler,
    readonly onError: Handler | undefined,
  ) {
    super((subscriber) => runChain(this as Chained<unknown>, subscriber as Subscriber<unknown>))
  }
}

interface Frame {
  readonly onValue: Handler
  readonly onError: Handler | undefined
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown }

/**
 * Run a chain for one subscriber. Nested `Chained` values (left-nested heads and chains
 * returned by handlers alike) are unfolded onto `frames` instead of being subscribed, so
 * every step runs at the same depth. A step's result is its last value (`undefined` if it
 * completes empty), as in `yieldable`; only the final result is emitted. Steps that settle
 * synchronously are handled by the running loop rather than by recursion.
 */
function runChain(chain: Chained<unknown>, subscriber: Subscriber<unknown>): () => void {
  const frames: Frame[] = []
  let current: Observable<unknown> = chain
  let step: Subscription | undefined
  let pending: Outcome | undefined // an outcome not yet handled
  let looping = false
  let closed = false

  const settle = (outcome: Outcome): void => {
    if (closed) return
    pending = outcome
    if (!looping) loop()
  }

  const loop = (): void => {
    looping = true
    try {
      while (!closed) {
        if (pending === undefined) {
          while (current instanceof Chained) {
            frames.push({ onValue: current.onValue, onError: current.onError })
            current = current.head
          }
          let last: unknown
          let settled = false
          const once = (outcome: Outcome) => {
            if (settled) return
            settled = true
            settle(outcome)
          }
          step = current.subscribe({
            next: (value) => {
              last = value
            },
            error: (error) => once({ ok: false, error }),
            complete: () => once({ ok: true, value: last }),
          })
          if (pending === undefined) return // asynchronous: `settle` re-enters `loop` later
        }
        const outcome: Outcome = pending
        pending = undefined
        step = undefined
        // The next handler for this outcome; an error skips frames without `onError`.
        let frame = frames.pop()
        while (frame && !outcome.ok && !frame.onError) frame = frames.pop()
        if (!frame) {
          closed = true
          if (outcome.ok) {
            subscriber.next(outcome.value)
            subscriber.complete()
          } else subscriber.error(outcome.error)
          return
        }
        try {
          current = outcome.ok ? frame.onValue(outcome.value) : (frame.onError as Handler)(outcome.error)
        } catch (error) {
          pending = { ok: false, error }
        }
      }
    } finally {
      looping = false
    }
  }

  loop()
  return () => {
    closed = true
    step?.unsubscribe()
    step = undefined
  }
}

// ---------------------------------------------------------------------------------------

export const rxjsFramework: Framework<RxTypes> = {
  name: 'rxjs',

  runOnExecutor: <A>(run: (signal: AbortSignal) => Promise<A>) =>
    new Observable<A>((subscriber) => {
      const controller = new AbortController()
      let settled = false
      let promise: Promise<A>
      try {
        promise = run(controller.signal)
      } catch (error) {
        settled = true
        subscriber.error(error)
        return
      }
      // Late outcomes (after unsubscribe) are dropped: handled here, so never unhandled.
      promise.then(
        (value) => {
          settled = true
          if (subscriber.closed) return
          subscriber.next(value)
          subscriber.complete()
        },
        (error) => {
          settled = true
          if (!subscriber.closed) subscriber.error(error)
        },
      )
      return () => {
        if (!settled) controller.abort()
      }
    }),

  getFuture: (register) =>
    new Observable((subscriber) => {
      const controller = new AbortController()
      let settled = false
      let cleanup: ReturnType<typeof register>
      try {
        cleanup = register(
          (value) => {
            if (settled) return
            settled = true
            subscriber.next(value)
            subscriber.complete()
          },
          (error) => {
            if (settled) return
            settled = true
            subscriber.error(error)
          },
          controller.signal,
        )
      } catch (error) {
        if (!settled) {
          settled = true
          subscriber.error(error)
        }
      }
      // The cleanup is for cancellation: it runs when unsubscribed before settling.
      return () => {
        if (settled) return
        settled = true
        controller.abort()
        if (typeof cleanup === 'function') cleanup()
      }
    }),

  chainFuture: <A, B>(future: Observable<A>, onValue: (value: A) => Observable<B>, onError?: (error: unknown) => Observable<B>) =>
    new Chained<B>(future, onValue as Handler, onError as Handler | undefined),

  callSoon: (fn) => {
    asapScheduler.schedule(() => {
      try {
        fn()
      } catch (error) {
        reportUnhandled(error)
      }
    })
  },

  yieldable: <A>(future: Observable<A>, signal?: AbortSignal) =>
    new Promise<A>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal))
      let last: A | undefined
      let done = false
      let subscription: Subscription | undefined
      const onAbort = () => {
        if (done) return
        done = true
        subscription?.unsubscribe()
        reject(abortReason(signal as AbortSignal))
      }
      const finish = () => {
        done = true
        signal?.removeEventListener('abort', onAbort)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      subscription = future.subscribe({
        next: (value) => {
          last = value
        },
        error: (error) => {
          if (done) return
          finish()
          reject(error)
        },
        complete: () => {
          if (done) return
          finish()
          resolve(last as A)
        },
      })
      // Aborted while subscribing (before `subscription` was known): cancel now.
      if (done && signal?.aborted) subscription.unsubscribe()
    }),

  stream: <A>(open: () => PullSource<A>) =>
    new Observable<A>((subscriber) => {
      const controller = new AbortController()
      let source: PullSource<A>
      try {
        source = open()
      } catch (error) {
        subscriber.error(error)
        return
      }
      let exhausted = false
      const pull = async () => {
        try {
          while (!subscriber.closed) {
            const result = await source.next(controller.signal)
            if (subscriber.closed) return // unsubscribed while waiting: drop the value
            if (result.done) {
              exhausted = true
              subscriber.complete()
              return
            }
            for (const value of result.values) {
              if (subscriber.closed) return // unsubscribed by a consumer of an earlier value
              subscriber.next(value)
            }
          }
        } catch (error) {
          // A pending `next` rejecting after unsubscribe (cursor closed under it) is expected.
          if (!subscriber.closed) subscriber.error(error)
        }
      }
      void pull()
      // On unsubscribe or error: cancel, then release the server cursor. The close runs in
      // the background (`close` never rejects); teardown stays synchronous.
      return () => {
        if (exhausted) return
        controller.abort()
        void source.close()
      }
    }),

  using: <R, A>(acquire: () => Promise<R>, use: (resource: R) => Observable<A>, release: (resource: R) => Promise<void>) =>
    new Observable<A>((subscriber) => {
      let inner: Subscription | undefined
      let acquired: { readonly resource: R } | undefined
      let released: Promise<void> | undefined
      let cancelled = false

      // Release at most once, a microtask after the trigger so that teardowns caused by the
      // same event have run. A failed release reaches the consumer when one is listening,
      // and is never an unhandled rejection.
      const doRelease = (): Promise<void> => {
        if (!acquired) return Promise.resolve()
        if (!released) {
          const { resource } = acquired
          released = Promise.resolve().then(() => release(resource))
          released.catch(ignore)
        }
        return released
      }

      const startUse = (resource: R) => {
        acquired = { resource }
        if (cancelled) {
          void doRelease()
          return
        }
        // Values pass through as they come; completion and errors wait for the release,
        // so a consumer that sees the end also sees the resource released.
        inner = attempt(() => use(resource)).subscribe({
          next: (value) => subscriber.next(value),
          error: (error) => {
            doRelease().then(
              () => subscriber.error(error),
              () => subscriber.error(error), // the work's error is the one that matters
            )
          },
          complete: () => {
            doRelease().then(
              () => subscriber.complete(),
              (releaseError) => subscriber.error(releaseError),
            )
          },
        })
      }

      let acquiring: Promise<R>
      try {
        acquiring = acquire()
      } catch (error) {
        subscriber.error(error)
        return
      }
      acquiring.then(startUse, (error) => {
        if (!cancelled) subscriber.error(error)
      })

      return () => {
        cancelled = true
        inner?.unsubscribe()
        if (acquired) void doRelease()
      }
    }),
}
