/**
 * Whole-cursor reads (`toArray`, `forEach`, `toStream`) under frameworks with cold,
 * re-runnable futures. A future's first run reads the cursor as the user left it, exactly
 * as the driver does (a second `cursor.toArray()` call on an exhausted cursor yields []).
 * Running the same future again (re-subscribing an Observable, re-running an Effect) runs
 * the query again: on the cursor rewound once the earlier run closed it (keeping its
 * session, `map` and options), or on a clone while the earlier run is still reading.
 *
 * Cancellable reads go batch by batch (`readBatch`): one `next()` that may fetch, then the
 * documents already buffered, read with the cursor's public `next()` (so a `map` applies)
 * without the async iterator's per-document generator steps. They stop at the next batch
 * once aborted and close the cursor then, between getMores (see `sources.ts` for why not
 * under one).
 */
import { isFailedDelegate } from './registry.js'

type Cursor = {
  closed: boolean
  next(): Promise<unknown>
  bufferedCount(): number
  close(): Promise<void>
  rewind(): void
  clone(): Cursor
  toArray(): Promise<unknown[]>
  forEach(fn: unknown): Promise<void>
} & AsyncIterable<unknown>

/** The cursor a re-run of a whole read should use. */
export function cursorForRerun<C>(cursor: C): C {
  const c = cursor as unknown as Cursor
  if (isFailedDelegate(c)) return cursor
  if (c.closed) {
    try {
      c.rewind()
      return cursor
    } catch {}
  }
  return c.clone() as unknown as C
}

/**
 * Append the cursor's next documents to `into`: the next one (fetching a batch if none is
 * buffered) and those buffered behind it, at most `max` in all. Resolves how many were
 * added; 0 once the cursor is exhausted or closed, as its async iterator would end.
 */
export async function readBatch(cursor: unknown, into: unknown[], max = Number.POSITIVE_INFINITY): Promise<number> {
  const c = cursor as Cursor
  if (!isFailedDelegate(c) && c.closed) return 0 // (a failed cursor's next() rejects with its error)
  const first = await c.next()
  if (first === null) return 0
  into.push(first)
  const n = Math.min(c.bufferedCount(), max - 1)
  for (let i = 0; i < n; i++) into.push(await c.next())
  return n + 1
}

/**
 * `toArray` / `forEach` honouring `fwSignal` (the framework's) and `own` (the caller's signal
 * on the cursor, see `cursor-signals.ts`: `guard` races each read against it), or the
 * driver's own when there is nothing to cancel.
 */
export async function readWhole(
  cursor: unknown,
  args: unknown[],
  fwSignal: AbortSignal | undefined,
  forEach: boolean,
  own?: AbortSignal,
  guard: (read: Promise<number>) => Promise<number> = (read) => read,
): Promise<unknown> {
  const c = cursor as Cursor
  const each = forEach ? args[0] : undefined
  const signal = fwSignal && own ? AbortSignal.any([fwSignal, own]) : (fwSignal ?? own)
  if (!signal || isFailedDelegate(c) || (forEach && typeof each !== 'function'))
    return forEach ? c.forEach(args[0]) : c.toArray() // the driver's own, errors included
  signal.throwIfAborted()
  const docs: unknown[] = []
  try {
    if (typeof each === 'function') {
      const batch: unknown[] = []
      reading: while (!signal.aborted && (await guard(readBatch(c, batch))) > 0) {
        for (const doc of batch) if (each(doc) === false || signal.aborted) break reading
        batch.length = 0
      }
    } else while (!signal.aborted && (await guard(readBatch(c, docs))) > 0) {}
  } finally {
    // Stopped early (aborted, `false` from forEach) or failed: close now, between getMores,
    // as the driver's own loop would on leaving it. (Aborted by the caller's signal, a read
    // may still be in flight: the cursor then closes after it, see `cursor-signals.ts`.)
    if (!c.closed && !own?.aborted) await c.close().catch(() => undefined)
  }
  signal.throwIfAborted()
  return forEach ? undefined : docs
}
