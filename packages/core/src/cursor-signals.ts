/**
 * A caller's AbortSignal on a cursor (`find(filter, { signal })`, `aggregate(pipeline,
 * { signal })`, `listCollections(filter, { signal })`), honoured by core instead of the driver.
 *
 * The driver, aborted, cancels the command in flight by closing its connection. Aborted
 * during the opening find or aggregate, the server has made the cursor but the driver never
 * learns its id; aborted during a getMore, its killCursors races the getMore's failure, which
 * ends the cursor's implicit session first. Either way the server keeps the cursor (for ten
 * minutes). So core takes the signal out of the driver's options and honours it itself:
 * every read of the cursor rejects with the signal's reason as soon as it aborts, and the
 * cursor is closed once the round trip in flight has replied (`closeAfterStep`), when the
 * killCursors has the cursor id and a live session. What the caller sees is the driver's:
 * reads reject with the signal's reason, a read started after the abort rejects at once.
 * (`cursorPolicy` hands this to `cursorSource`; `abortableDocuments` to `for await`.)
 */
import { type Closer, closeAfterStep, raceAbort, type Step, track } from './sources.js'

const signals = new WeakMap<object, AbortSignal>()

/**
 * Cursors whose driver `next()` may take many round trips: tailable ones (a getMore on them
 * may come back empty, and the driver asks again) and command cursors (whose command may make
 * them tailable). A read of any other cursor is one round trip at most, so a close waits for
 * all of it (`Step.whole`); one of these is closed after the grace period.
 */
const manyRoundTrips = new WeakSet<object>()

/** Notes what core must know of a cursor it created: is it tailable (see `manyRoundTrips`)? */
export function noteCursor(cursor: object, args: unknown[], className: string | undefined): void {
  const options = args.findLast((a) => a !== null && typeof a === 'object') as { tailable?: unknown } | undefined
  if (className === 'RunCommandCursor' || options?.tailable === true) manyRoundTrips.add(cursor)
}

/** A clone of `from` (the user's `clone()`, or a re-run's) keeps what core knew of it: its signal, its tailability. */
export function inherit(closer: Closer, from: object, to: Closable): void {
  if (from === to) return
  if (manyRoundTrips.has(from)) manyRoundTrips.add(to)
  const signal = signals.get(from)
  if (signal) remember(closer, to, signal)
}

/** `cursor.addCursorFlag(flag, value)`, seen by core. */
export function noteFlag(cursor: object, flag: unknown, value: unknown): void {
  if (flag === 'tailable' && value === true) manyRoundTrips.add(cursor)
}

/** How a close waits for a read in flight on `cursor` (see `Step`). */
export function stepOfCursor(cursor: { readonly id?: unknown }, busy: Promise<unknown>): Step {
  return { busy, whole: !manyRoundTrips.has(cursor), opened: () => cursor.id !== undefined }
}

/** The caller's signal of a cursor core created, if any. */
export function signalOf(cursor: object): AbortSignal | undefined {
  return signals.get(cursor)
}

/** `args` without the `signal` of its options (the last object argument carrying one), and that signal. */
export function takeSignal(args: unknown[]): { args: unknown[]; signal?: AbortSignal } {
  const at = args.findLastIndex((a) => a !== null && typeof a === 'object' && (a as { signal?: unknown }).signal instanceof AbortSignal)
  if (at < 0) return { args }
  const { signal, ...options } = args[at] as { signal: AbortSignal }
  const rest = [...args]
  rest[at] = options
  return { args: rest, signal }
}

/** What `remember` needs of a driver cursor: its close, and its `close` event (emitted once it is closed or exhausted). */
interface Closable {
  close(): Promise<void>
  once?(event: 'close', listener: () => void): unknown
}

/**
 * Owns `signal` for `cursor`: once it aborts, the cursor closes after its round trip in
 * flight. The listener goes once the cursor has closed (as the driver's own does), so a
 * signal shared by many cursors does not gather listeners.
 */
export function remember(closer: Closer, cursor: Closable, signal: AbortSignal): void {
  signals.set(cursor, signal)
  const close = () => closer.track(closeAfterStep(cursor, () => cursor.close()))
  if (signal.aborted) {
    close()
    return
  }
  signal.addEventListener('abort', close, { once: true })
  cursor.once?.('close', () => signal.removeEventListener('abort', close))
}

/**
 * The documents of `cursor` (the driver's own iteration), each step known to core's closes
 * (`track`) and raced against `signal`.
 */
export async function* abortableDocuments<T>(cursor: AsyncIterable<T> & { readonly id?: unknown }, signal: AbortSignal): AsyncGenerator<T> {
  signal.throwIfAborted()
  const iterator = cursor[Symbol.asyncIterator]()
  let finished = false
  try {
    for (;;) {
      const step = iterator.next()
      track(cursor, stepOfCursor(cursor, step))
      const result = await raceAbort(step, signal)
      if (result.done) {
        finished = true
        return
      }
      yield result.value
    }
  } finally {
    // Left early between steps (nothing in flight): the driver's iteration closes the cursor.
    // Aborted: `remember` closes it once the step in flight has replied.
    if (!finished && !signal.aborted) await iterator.return?.(undefined)
  }
}

/** What `cursorSource` needs to know of a cursor core created. */
export const cursorPolicy = { step: stepOfCursor, signal: signalOf }
