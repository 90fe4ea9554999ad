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
 */
import { readBatch } from './cursor-reads.js'
import type { Framework, FrameworkTypes, PullSource } from './framework.js'

/** How long a close waits for the operation in flight before closing under it. */
export const CLOSE_GRACE_MS = 250
/** The longest `settled()` waits. */
export const SETTLE_LIMIT_MS = 5_000
/** The longest a close waits for a cursor's opening command to reply (it is bounded by the driver's timeouts too). */
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
  closeWhenIdle(close: () => unknown, busy?: Promise<unknown>, opened?: () => boolean): Promise<void> {
    const done = new Promise<void>((resolve) => {
      this.fw.callSoon(() => {
        const grace = busy ? sleep(CLOSE_GRACE_MS) : undefined
        const idle = busy && grace ? Promise.race([busy.then(ignore, ignore), afterOpened(opened).then(() => grace.promise)]) : Promise.resolve()
        idle
          .then(() => {
            grace?.cancel()
            return close()
          })
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

  /** Resolves once the closes under way have finished, or after SETTLE_LIMIT_MS. */
  async settled(): Promise<void> {
    if (this.pending.size === 0) return
    const limit = sleep(SETTLE_LIMIT_MS)
    await Promise.race([Promise.all([...this.pending]), limit.promise])
    limit.cancel()
  }
}

/** Resolves once `opened()` is true (polled), or at once without it, or after OPEN_LIMIT_MS. */
async function afterOpened(opened: (() => boolean) | undefined): Promise<void> {
  for (const deadline = Date.now() + OPEN_LIMIT_MS; opened && !opened() && Date.now() < deadline; ) {
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

/**
 * A pull source over a driver cursor, `open()`ed on the first pull: each pull hands over a
 * whole batch (`readBatch`: one `next()` that may fetch, then what is buffered), so a
 * framework pays its per-pull cost once per batch and no per-document generator step is
 * paid either. A failed read closes the cursor, as the driver's own iterator does (the
 * driver already does so for a failed getMore or `map`; this covers any other failure).
 */
export function cursorSource<A>(closer: Closer, open: () => { readonly id?: unknown; close(): Promise<void> }): PullSource<A> {
  let cursor: { readonly id?: unknown; close(): Promise<void> } | undefined
  let inFlight: Promise<unknown> | undefined
  let closing: Promise<void> | undefined
  return {
    async next() {
      if (closing) return { done: true }
      const c = (cursor ??= open())
      const values: A[] = []
      const step = readBatch(c, values, MAX_BATCH)
      inFlight = step
      try {
        if ((await step) === 0) return { done: true }
        return { done: false, values: values as unknown as readonly [A, ...A[]] }
      } catch (error) {
        closing ??= closer.closeWhenIdle(() => c.close())
        throw error
      } finally {
        if (inFlight === step) inFlight = undefined
      }
    },
    close() {
      const c = cursor
      // Once the opening command has replied (the cursor has its id), a close need not wait
      // for the rest of a getMore; before that, closing would leave the server cursor open.
      closing ??= c ? closer.closeWhenIdle(() => c.close(), inFlight, () => c.id !== undefined) : Promise.resolve()
      return closing
    },
  }
}
