/**
 * Pull sources over the driver's iterables (cursors, change streams, GridFS downloads),
 * handed to a framework's `stream()`. Each source iterates the driver object's own async
 * iterator, so resumption of change streams and getMore batching stay the driver's.
 * Closing is scheduled with `callSoon` and never rejects: teardown stays synchronous for
 * the framework, and a failing close cannot become an unhandled rejection.
 */
import type { Framework, FrameworkTypes, PullSource } from './framework.js'

export interface Iterated<A> {
  [Symbol.asyncIterator](): AsyncIterator<A>
}

/** A pull source over `open()`'s iterator; `release` frees the server-side resource. */
export function iteratorSource<F extends FrameworkTypes, A>(
  fw: Framework<F>,
  open: () => Iterated<A>,
  release: (opened: Iterated<A>) => Promise<unknown>,
): PullSource<A> {
  let opened: Iterated<A> | undefined
  let iterator: AsyncIterator<A> | undefined
  let closing: Promise<void> | undefined
  return {
    async next() {
      if (closing) return { done: true }
      if (!iterator) {
        opened = open()
        iterator = opened[Symbol.asyncIterator]()
      }
      const step = await iterator.next()
      return step.done ? { done: true } : { done: false, value: step.value }
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        fw.callSoon(() => {
          const target = opened
          if (!target) return resolve()
          release(target).then(
            () => resolve(),
            () => resolve(),
          )
        })
      })
      return closing
    },
  }
}
