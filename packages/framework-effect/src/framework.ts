/**
 * The Effect framework: every driver call is a lazy `Effect` that runs the call once per
 * execution, aborts it when the fiber is interrupted, and fails with a tagged `MotorError`
 * (never a defect); cursors and change streams are `Stream`s that open on each run and close
 * the server cursor when the consumer stops early or is interrupted. Built on Effect 4:
 * `Effect.tryPromise` (with its AbortSignal), `Effect.callback`, `Effect.matchEffect`,
 * `Effect.acquireUseRelease`, `Stream.unwrap` + `Effect.acquireRelease` + `Stream.fromPull`.
 * Each driver method call runs in a span (`tracing.ts`).
 */
import type { Framework, FrameworkTypes, PullSource } from '@motor-ts/core'
import { Cause, Effect, Exit, Option, Stream } from 'effect'
import { type MotorError, originalError, toMotorError } from './errors.js'
import { traced } from './tracing.js'

export interface EffectTypes extends FrameworkTypes {
  readonly Future: Effect.Effect<this['A'], MotorError>
  readonly Stream: Stream.Stream<this['A'], MotorError>
}

const abortReason = (signal: AbortSignal | undefined): unknown =>
  signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError')

/** A source as a Stream's pull: one batch per pull, the end as `Cause.done()`. */
const pullOf = <A>(source: PullSource<A>) =>
  Effect.flatMap(
    Effect.tryPromise({ try: (signal: AbortSignal) => source.next(signal), catch: toMotorError }),
    (step) => (step.done ? Cause.done() : Effect.succeed(step.values)),
  )

export const effectFramework: Framework<EffectTypes> = {
  name: 'effect',

  // Driver method calls (those with an `operation`) run in a span, with the method named on failures.
  runOnExecutor: (run, operation) =>
    operation
      ? traced(Effect.tryPromise({ try: run, catch: (error) => toMotorError(error, operation.name) }), operation)
      : Effect.tryPromise({ try: run, catch: toMotorError }),

  getFuture: (register) =>
    Effect.callback((resume, signal) => {
      try {
        const cleanup = register(
          (value) => resume(Effect.succeed(value)),
          (error) => resume(Effect.fail(toMotorError(error))),
          signal,
        )
        return typeof cleanup === 'function' ? Effect.sync(cleanup) : undefined
      } catch (error) {
        resume(Effect.fail(toMotorError(error)))
        return undefined
      }
    }),

  // Core's continuations inspect driver errors (`instanceof MongoError`, `hasErrorLabel`),
  // so `onError` receives the original; if core fails with it again it maps back to the
  // same tagged failure (see `toMotorError`).
  chainFuture: (future, onValue, onError) =>
    onError
      ? Effect.matchEffect(future, { onSuccess: onValue, onFailure: (error) => onError(originalError(error)) })
      : Effect.flatMap(future, onValue),

  // A detached fiber that first yields to Effect's scheduler, so `fn` never runs on the
  // caller's stack; a throw is logged, never rethrown into the consumer.
  callSoon: (fn) => {
    Effect.runFork(
      Effect.yieldNow.pipe(
        Effect.andThen(Effect.sync(fn)),
        Effect.catchCause((cause) => Effect.logWarning('motor-ts: background release failed', cause)),
      ),
    )
  },

  yieldable: (future, signal) => {
    if (signal?.aborted) return Promise.reject(abortReason(signal))
    return Effect.runPromiseExit(future, signal ? { signal } : undefined).then((exit) => {
      if (Exit.isSuccess(exit)) return exit.value
      const cause = exit.cause
      const failure = Cause.findErrorOption(cause)
      if (Option.isSome(failure)) throw originalError(failure.value)
      if (Cause.hasInterruptsOnly(cause)) throw abortReason(signal)
      throw Cause.squash(cause)
    })
  },

  // Opened per run inside the stream's scope; the scope's finalizer closes the source on
  // exhaustion, failure, early stop (`Stream.take`) and interruption alike (core waits for
  // a read in flight before closing, and `close` never fails).
  stream: <A>(open: () => PullSource<A>) =>
    Stream.unwrap(
      Effect.map(
        Effect.acquireRelease(Effect.try({ try: open, catch: toMotorError }), (source) => Effect.promise(() => source.close())),
        (source) => Stream.fromPull(Effect.succeed(pullOf(source))),
      ),
    ),

  using: (acquire, use, release) =>
    Effect.acquireUseRelease(Effect.tryPromise({ try: () => acquire(), catch: toMotorError }), use, (resource) =>
      Effect.tryPromise({ try: () => release(resource), catch: toMotorError }),
    ),
}
