/**
 * The Promise framework: futures are the driver's own Promises (eager, as the driver is),
 * streams are async iterables. Cancellation is the driver's: pass `signal` in options
 * where the driver accepts one. Breaking out of a `for await` over `toStream()` closes the
 * server cursor.
 */
import { type Framework, type FrameworkTypes, NEVER_ABORTED, type PullSource } from '@motor-ts/core'

export interface PromiseTypes extends FrameworkTypes {
  readonly Future: Promise<this['A']>
  readonly Stream: AsyncIterable<this['A']>
}

export const promiseFramework: Framework<PromiseTypes> = {
  name: 'promise',
  runOnExecutor: (run) => run(NEVER_ABORTED),
  getFuture: (register) =>
    new Promise((resolve, reject) => {
      register(resolve, reject, NEVER_ABORTED)
    }),
  chainFuture: (future, onValue, onError) => future.then(onValue, onError),
  callSoon: (fn) => queueMicrotask(fn),
  yieldable: (future) => future,
  stream: <A>(open: () => PullSource<A>) => ({
    [Symbol.asyncIterator](): AsyncIterator<A> {
      const source = open()
      let ready: readonly A[] = []
      let at = 0
      return {
        next: async () => {
          if (at === ready.length) {
            const step = await source.next(NEVER_ABORTED)
            if (step.done) return { done: true, value: undefined }
            ready = step.values
            at = 0
          }
          return { done: false, value: ready[at++] as A }
        },
        return: async () => {
          await source.close()
          return { done: true, value: undefined }
        },
      }
    },
  }),
  using: async (acquire, use, release) => {
    const resource = await acquire()
    try {
      return await use(resource)
    } finally {
      await release(resource)
    }
  },
}
