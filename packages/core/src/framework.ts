/**
 * The framework interface: the one contract a framework package (Promise, RxJS, Effect,
 * or a third party's) implements so that core's agnostic classes produce that framework's
 * values. Core speaks the driver's Promises and async iterators inside; a framework only
 * converts at the edge. Keep it small: every member here is called by core.
 *
 * Types are higher-kinded through a type-lambda encoding: a framework declares its
 * `FrameworkTypes` with `Future` and `Stream` written in terms of `this['A']`, and
 * `Future<F, A>` / `Stream<F, A>` apply it. So `MotorCollection<F, TSchema>.findOne()`
 * is a `Promise`, an `Observable` or an `Effect` depending on `F`.
 */

/** A framework's type lambdas. `A` is the slot; `Future` and `Stream` read `this['A']`. */
export interface FrameworkTypes {
  readonly A: unknown
  readonly Future: unknown
  readonly Stream: unknown
}

/** The framework's single-result type applied to `A` (Promise<A>, Observable<A>, Effect<A, E>). */
export type Future<F extends FrameworkTypes, A> = (F & { readonly A: A })['Future']

/** The framework's many-results type applied to `A` (AsyncIterable<A>, Observable<A>, Stream<A, E>). */
export type Stream<F extends FrameworkTypes, A> = (F & { readonly A: A })['Stream']

/**
 * A pull-based source of values that core builds from a driver cursor, change stream or
 * GridFS download stream, for a framework to turn into its own stream type.
 * `next` resolves the next values in order — at least one, and all those the driver already
 * holds in memory (the rest of a getMore's batch), so a framework pays its per-pull cost once
 * per batch — or `done` at exhaustion. `close` must be called when the consumer stops early;
 * it releases the server-side cursor and never rejects.
 */
export interface PullSource<A> {
  next(signal: AbortSignal): Promise<{ done: false; values: readonly [A, ...A[]] } | { done: true }>
  close(): Promise<void>
}

/**
 * What an operation is, for frameworks that trace or log: handed to `runOnExecutor` for every
 * driver method call. `target` is the driver object the method runs on; read only its public
 * API (`telemetry.ts` turns it into OpenTelemetry attributes). Never holds documents.
 */
export interface Operation {
  /** The method, as the driver names it (`insertOne`, `find`, `toArray`). */
  readonly name: string
  /** The table class that declares it (`Collection`, `AbstractCursor`, `Db`...). */
  readonly className: string
  /** The driver object it runs on. */
  readonly target: object
}

/** The contract a framework implements. */
export interface Framework<F extends FrameworkTypes> {
  /** Shown in error messages and conformance reports. */
  readonly name: string

  /**
   * Run a driver call as this framework's deferred result. `run` receives an AbortSignal
   * that fires when the consumer cancels; core hands it to the driver where the driver
   * accepts a `signal`, and closes cursors with it where it does not.
   * - Promise: calls `run` at once and returns its Promise (the driver's own eagerness).
   * - Observable: calls `run` once per subscription; unsubscribing aborts the signal.
   * - Effect: calls `run` once per execution; interruption aborts the signal, and
   *   failures land in the typed error channel.
   * `operation` describes driver method calls (absent for core's own steps); a framework may
   * ignore it, or trace with it (Effect runs each call in a span).
   */
  runOnExecutor<A>(run: (signal: AbortSignal) => Promise<A>, operation?: Operation): Future<F, A>

  /**
   * A future completed by callbacks rather than a Promise: `register` receives `resolve`,
   * `reject` and the cancellation signal, and may return a cleanup run on cancellation.
   * Core uses it for completions signalled by events (a GridFS upload's `finish`).
   * - Promise: `new Promise`; Observable: `new Observable` emitting once; Effect: `Effect.callback`.
   */
  getFuture<A>(
    // biome-ignore lint/suspicious/noConfusingVoidType: a register callback may return nothing or a teardown
    register: (resolve: (value: A) => void, reject: (error: unknown) => void, signal: AbortSignal) => void | (() => void),
  ): Future<F, A>

  /**
   * Sequence two steps: when `future` succeeds continue with `onValue`, when it fails with
   * `onError` (which may recover or fail again). The continuation's future replaces the
   * first; cancellation of the whole cancels whichever step is running. Like
   * `Promise.prototype.then(onValue, onError)`; core writes the transaction retry loop with it.
   * - Observable: a cold Observable that subscribes to the continuation; Effect: `Effect.matchEffect`.
   */
  chainFuture<A, B>(
    future: Future<F, A>,
    onValue: (value: A) => Future<F, B>,
    onError?: (error: unknown) => Future<F, B>,
  ): Future<F, B>

  /**
   * Schedule fire-and-forget work outside the caller's stack, on the framework's scheduler.
   * Core uses it to release server resources (close a cursor) from synchronous teardown
   * paths such as an RxJS unsubscribe or an Effect finalizer, so teardown never blocks and
   * failures of the release are reported rather than thrown into the consumer.
   * - Promise: `queueMicrotask`; Observable: `asapScheduler`; Effect: a forked fiber.
   */
  callSoon(fn: () => void): void

  /**
   * Make a framework future awaitable by the driver and by Synchro: run it and return a
   * Promise of its single result; aborting `signal` cancels it (unsubscribe / interrupt).
   * - Promise: the Promise itself; Observable: last value (a future emits exactly one);
   *   Effect: `Effect.runPromise` with the signal.
   */
  yieldable<A>(future: Future<F, A>, signal?: AbortSignal): Promise<A>

  /**
   * Lift a pull source into the framework's stream type. `open` is called once per
   * consumption (a cold stream opens afresh each time); when the consumer stops early the
   * framework must call `source.close()`.
   * - Promise: an AsyncIterable; Observable: a cold Observable; Effect: a `Stream`.
   */
  stream<A>(open: () => PullSource<A>): Stream<F, A>

  /**
   * Acquire, use, release — release is guaranteed once acquire succeeded, whether `use`
   * succeeds, fails or is cancelled. Core uses it for `withSession` (sessions always end).
   */
  using<R, A>(acquire: () => Promise<R>, use: (resource: R) => Future<F, A>, release: (resource: R) => Promise<void>): Future<F, A>
}
