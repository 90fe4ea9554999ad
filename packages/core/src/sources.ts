/**
 * Releasing server cursors, and pull sources over the driver's iterables (cursors, change
 * streams, GridFS downloads) for a framework's `stream()`.
 *
 * Closing a driver cursor while one of its getMores is in flight races the driver's own
 * cleanup: the getMore's reply can end the cursor's implicit session before the
 * killCursors is sent, which then fails silently and leaves the cursor open on the server.
 * So `Closer.closeWhenIdle` waits for the operation in flight to settle (a getMore returns
 * quickly; a change stream or tailable cursor waiting on the server is closed after a
 * grace period anyway), schedules the close with `callSoon` so framework teardown stays
 * synchronous, and never rejects. `settled()` lets a session's release wait for the
 * closes under way, so the session is not ended under them.
 *
 * The grace period never cuts short a cursor's opening command (find, aggregate,
 * `$changeStream`): the driver, closed under it, ends the cursor's session before the reply
 * brings the cursor id, and never kills that cursor. Sources say when the opening has
 * replied (`opened`); until then a close waits for it, up to OPEN_LIMIT_MS.
 *
 * A read of a non-tailable cursor is one round trip, so a close waits for all of it
 * (`Step.whole`). Change streams step with `tryNext()` (`changeStreamSource`), one round trip
 * per step (a getMore waits at most the stream's `maxAwaitTimeMS`, 1 s by the server's
 * default), so a close always waits for the step in flight too. Closed under a getMore, the
 * driver's killCursors races the getMore's reply, which ends the implicit session first
 * whenever the killCursors still waits for a pooled connection; the server then keeps the
 * cursor (30 minutes on SecantusDB). The step in flight of every source is also known per
 * driver object (`stepOf`), so a `close()` the user calls directly waits for it the same way,
 * and no source starts another step once it is asked for (`closeAfterStep`); two closes at
 * once run one (`closeOnce`: the driver's second close would end the session under the
 * first one's killCursors).
 */
import { readBatch } from './cursor-reads.js'
import type { Framework, FrameworkTypes, PullSource } from './framework.js'

/** How long a close waits for the operation in flight before closing under it. */
export const CLOSE_GRACE_MS = 250
/** The longest `settled()` waits. */
export const SETTLE_LIMIT_MS = 5_000
/** The longest a close waits for a cursor's opening command, or a whole step, to reply (it is bounded by the driver's timeouts too). */
export const OPEN_LIMIT_MS = 60_000

const ignore = () => undefined

function sleep(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined
  const promise = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms)
    timer.unref?.()
  })
  return { promise, cancel: () => clearTimeout(timer) }
}

export class Closer {
  private readonly pending = new Set<Promise<void>>()

  constructor(private readonly fw: Framework<FrameworkTypes>) {}

  /**
   * Run `close` once `busy` (the operation in flight, if any) settles, or after the grace
   * period once `opened()` says the server-side cursor exists; never rejects.
   */
  closeWhenIdle(close: () => unknown, busy?: Promise<unknown> | Step, opened?: () => boolean): Promise<void> {
    const step: Step | undefined = busy && 'busy' in busy ? busy : busy && { busy, opened }
    const done = new Promise<void>((resolve) => {
      this.fw.callSoon(() => {
        whenIdle(step)
          .then(close)
          .then(
            () => resolve(),
            () => resolve(),
          )
      })
    })
    this.pending.add(done)
    void done.then(() => this.pending.delete(done))
    return done
  }

  /**
   * Counts `work` (a cancelled whole read finishing its round trip, then closing its cursor)
   * among the closes under way, so a session is not ended under it.
   */
  track(work: Promise<unknown>): void {
    const done = work.then(ignore, ignore)
    this.pending.add(done)
    void done.then(() => this.pending.delete(done))
  }

  /** Resolves once the closes under way have finished, or after SETTLE_LIMIT_MS. */
  async settled(): Promise<void> {
    if (this.pending.size === 0) return
    const limit = sleep(SETTLE_LIMIT_MS)
    await Promise.race([Promise.all([...this.pending]), limit.promise])
    limit.cancel()
  }
}

/**
 * A read in flight on a driver cursor or change stream: `whole` when it is one server round
 * trip at most (a close waits for all of it), else a close waits until `opened()` and then
 * at most the grace period.
 */
export interface Step {
  readonly busy: Promise<unknown>
  readonly whole?: boolean
  readonly opened?: () => boolean
}

/** Resolves when it is safe to close under `step` (see `Step`); at once without one. */
export async function whenIdle(step: Step | undefined): Promise<void> {
  if (!step) return
  let settled = false
  const done = step.busy.then(
    () => void (settled = true),
    () => void (settled = true),
  )
  const limit = sleep(step.whole ? OPEN_LIMIT_MS : CLOSE_GRACE_MS)
  const cut = step.whole ? limit.promise : afterOpened(step.opened, () => settled).then(() => limit.promise)
  await Promise.race([done, cut])
  limit.cancel()
}

/** The step of a core source in flight on each driver cursor or change stream. */
const stepping = new WeakMap<object, Step>()

/** The read in flight on `driverObject` by one of core's sources, if any. */
export function stepOf(driverObject: object): Step | undefined {
  return stepping.get(driverObject)
}

/** Driver objects whose `close()` the user called and that core is about to close. */
const closeRequested = new WeakSet<object>()

/**
 * The user's own `close()` of a cursor or change stream: no source starts another step on it
 * from now on, and it closes once the step in flight allows (see `whenIdle`).
 */
export async function closeAfterStep(driverObject: object, close: () => Promise<unknown>): Promise<void> {
  closeRequested.add(driverObject)
  try {
    await whenIdle(stepOf(driverObject))
    await closeOnce(driverObject, close)
  } finally {
    closeRequested.delete(driverObject)
  }
}

/** Closes under way, per driver cursor or change stream. */
const closingNow = new WeakMap<object, Promise<void>>()

/**
 * Runs `close` of a driver cursor or change stream unless a close of it is already under way,
 * and then waits for that one: the driver's second `close()` ends the cursor's implicit
 * session while the first one's killCursors still waits for a connection, which then fails
 * silently and leaves the cursor open on the server.
 */
export function closeOnce(driverObject: object, close: () => Promise<unknown>): Promise<void> {
  const under = closingNow.get(driverObject)
  if (under) return under
  const closing = close().then(ignore)
  closingNow.set(driverObject, closing)
  const forget = () => closingNow.get(driverObject) === closing && closingNow.delete(driverObject)
  closing.then(forget, forget)
  return closing
}

/** Makes `step` the read in flight on `driverObject` until it settles. */
export function track(driverObject: object, step: Step): void {
  stepping.set(driverObject, step)
  void step.busy.then(
    () => stepping.get(driverObject) === step && stepping.delete(driverObject),
    () => stepping.get(driverObject) === step && stepping.delete(driverObject),
  )
}

/** Resolves once `opened()` is true (polled) or `stop()`, or at once without it, or after OPEN_LIMIT_MS. */
async function afterOpened(opened: (() => boolean) | undefined, stop: () => boolean): Promise<void> {
  for (const deadline = Date.now() + OPEN_LIMIT_MS; opened && !opened() && !stop() && Date.now() < deadline; ) {
    await sleep(20).promise
  }
}

export interface Iterated<A> {
  [Symbol.asyncIterator](): AsyncIterator<A>
}

/** The most values one pull hands over. */
const MAX_BATCH = 1000

/**
 * A pull source over `open()`'s iterator; `release` frees the server-side resource,
 * `buffered` (when the iterable can tell) says how many values are ready without I/O, and
 * `serverOpened` (for server cursors) whether the command opening it has replied.
 */
export function iteratorSource<A, I extends Iterated<A> = Iterated<A>>(
  closer: Closer,
  open: () => I,
  release: (opened: I) => Promise<unknown>,
  buffered?: (opened: I) => number,
  serverOpened?: (opened: I) => boolean,
): PullSource<A> {
  let opened: I | undefined
  let iterator: AsyncIterator<A> | undefined
  let inFlight: Promise<unknown> | undefined
  let closing: Promise<void> | undefined
  return {
    async next() {
      if (closing) return { done: true }
      if (!iterator) {
        opened = open()
        iterator = opened[Symbol.asyncIterator]()
      }
      const step = iterator.next()
      inFlight = step
      try {
        const first = await step
        if (first.done) return { done: true }
        const values: [A, ...A[]] = [first.value]
        // Values already in memory cost no I/O: hand them over in the same pull.
        while (buffered && values.length < MAX_BATCH && !closing && buffered(opened as I) > 0) {
          const more = await iterator.next()
          if (more.done) break
          values.push(more.value)
        }
        return { done: false, values }
      } finally {
        if (inFlight === step) inFlight = undefined
      }
    },
    close() {
      closing ??= opened
        ? closer.closeWhenIdle(() => release(opened as I), inFlight, serverOpened && (() => serverOpened(opened as I)))
        : Promise.resolve()
      return closing
    },
  }
}

/** How core reads a cursor it created: how a close waits for a read, and the caller's signal (`cursor-signals.ts`). */
export interface CursorPolicy {
  step(cursor: { readonly id?: unknown }, busy: Promise<unknown>): Step
  signal(cursor: object): AbortSignal | undefined
}

/**
 * A pull source over a driver cursor, `open()`ed on the first pull: each pull hands over a
 * whole batch (`readBatch`: one `next()` that may fetch, then what is buffered), so a
 * framework pays its per-pull cost once per batch and no per-document generator step is
 * paid either. A failed read closes the cursor, as the driver's own iterator does (the
 * driver already does so for a failed getMore or `map`; this covers any other failure).
 * Each read is the cursor's step in flight (`track`); the caller's signal on the cursor, if
 * any, rejects a pull at once (the cursor then closes after the read, see `cursor-signals.ts`).
 */
export function cursorSource<A>(closer: Closer, open: () => { readonly id?: unknown; close(): Promise<void> }, policy?: CursorPolicy): PullSource<A> {
  let cursor: { readonly id?: unknown; close(): Promise<void> } | undefined
  let inFlight: Step | undefined
  let closing: Promise<void> | undefined
  return {
    async next() {
      if (closing) return { done: true }
      const c = (cursor ??= open())
      if (closeRequested.has(c)) return { done: true }
      const own = policy?.signal(c)
      const values: A[] = []
      const read = readBatch(c, values, MAX_BATCH)
      inFlight = policy ? policy.step(c, read) : { busy: read, opened: () => c.id !== undefined }
      track(c, inFlight)
      try {
        if ((await (own ? raceAbort(read, own) : read)) === 0) return { done: true }
        return { done: false, values: values as unknown as readonly [A, ...A[]] }
      } catch (error) {
        // (Aborted by the caller's signal, the read is still in flight: that close waits for it.)
        if (!own?.aborted) closing ??= closer.closeWhenIdle(() => closeOnce(c, () => c.close()))
        throw error
      } finally {
        if (inFlight?.busy === read) inFlight = undefined
      }
    },
    close() {
      const c = cursor
      // Never under the opening command (the server would keep the cursor), nor under a
      // getMore of a non-tailable cursor (see the header).
      closing ??= c ? closer.closeWhenIdle(() => closeAfterStep(c, () => c.close()), inFlight) : Promise.resolve()
      return closing
    },
  }
}

/** `work`, unless `signal` aborts first: then its reason (the work goes on, unobserved). */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason)
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

/** What a change-stream source needs of the driver's `ChangeStream`. */
export interface SteppedStream<A> {
  tryNext(): Promise<A | null>
  /** Missing in mongodb 7.0: one change per pull there. */
  bufferedCount?(): number
  readonly closed: boolean
  close(): Promise<void>
}

/**
 * A pull source over a change stream, stepping with `tryNext()` (one round trip a step, see
 * the header) and checking for a close between steps. An empty batch steps again; the
 * stream ends once the driver has closed it by itself (after an `invalidate` event).
 */
export function changeStreamSource<A>(closer: Closer, stream: SteppedStream<A>): PullSource<A> {
  let inFlight: Step | undefined
  let closing: Promise<void> | undefined
  const step = (): Promise<A | null> => {
    const busy = stream.tryNext()
    inFlight = { busy, whole: true }
    track(stream, inFlight)
    return busy
  }
  return {
    async next() {
      while (!closing && !closeRequested.has(stream)) {
        const first = await step()
        if (first === null) {
          if (stream.closed) return { done: true }
          continue
        }
        const values: [A, ...A[]] = [first]
        while (values.length < MAX_BATCH && !closing && !closeRequested.has(stream) && (stream.bufferedCount?.() ?? 0) > 0) {
          const more = await step()
          if (more === null) break
          values.push(more)
        }
        return { done: false, values }
      }
      return { done: true }
    },
    close() {
      closing ??= closer.closeWhenIdle(() => closeOnce(stream, () => stream.close()), inFlight)
      return closing
    },
  }
}
