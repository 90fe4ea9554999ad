/**
 * Whole-cursor reads (`toArray`, `forEach`, `toStream`) under frameworks with cold,
 * re-runnable futures. A future's first run reads the cursor as the user left it, exactly
 * as the driver does (a second `cursor.toArray()` call on an exhausted cursor yields []).
 * Running the same future again (re-subscribing an Observable, re-running an Effect) runs
 * the query again: on the cursor rewound once the earlier run closed it (keeping its
 * session, `map` and options), or on a clone while the earlier run is still reading.
 *
 * A cancellable read iterates document by document and stops at the next document once
 * aborted; leaving the loop closes the cursor between getMores (see `sources.ts` for why
 * not under one).
 */
import { isFailedDelegate } from './registry.js'

type Cursor = {
  closed: boolean
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

/** `toArray` / `forEach` honouring `signal` (or the driver's own when there is nothing to cancel). */
export async function readWhole(cursor: unknown, args: unknown[], signal: AbortSignal | undefined, forEach: boolean): Promise<unknown> {
  const c = cursor as Cursor
  const each = forEach ? args[0] : undefined
  if (!signal || isFailedDelegate(c) || (forEach && typeof each !== 'function'))
    return forEach ? c.forEach(args[0]) : c.toArray() // the driver's own, errors included
  const docs: unknown[] = []
  signal.throwIfAborted()
  for await (const doc of c) {
    if (typeof each === 'function' ? each(doc) === false : docs.push(doc) < 0) break
    if (signal.aborted) break
  }
  signal.throwIfAborted()
  return forEach ? undefined : docs
}
