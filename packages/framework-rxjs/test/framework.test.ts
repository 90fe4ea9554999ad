/**
 * The framework members on their own, without a server: what core relies on. Cold
 * futures run once per subscription and abort on unsubscribe; late failures are swallowed;
 * `chainFuture` has `Promise.then` semantics, cancels whichever step runs and is stack-safe
 * for long chains in both directions; `yieldable` follows an AbortSignal; `stream` pulls in
 * order and closes its source exactly once when stopped early; `using` releases exactly once
 * on every path; `getFuture` runs its cleanup on cancellation.
 */
import type { PullSource } from '@motor-ts/core'
import { firstValueFrom, lastValueFrom, map, NEVER, Observable, of, take, throwError, toArray } from 'rxjs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { rxjsFramework as fw } from '../src/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// Any unhandled rejection during a test fails it.
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown) => unhandled.push(reason)
beforeEach(() => {
  unhandled.length = 0
  process.on('unhandledRejection', onUnhandled)
})
afterEach(async () => {
  await sleep(20)
  process.off('unhandledRejection', onUnhandled)
  expect(unhandled).toEqual([])
})

/** A future that counts its runs and exposes each run's signal. */
function probe<A>(result: (signal: AbortSignal) => Promise<A>) {
  const signals: AbortSignal[] = []
  const future = fw.runOnExecutor((signal) => {
    signals.push(signal)
    return result(signal)
  })
  return { future, signals }
}

const never = () => new Promise<never>(() => undefined)

describe('runOnExecutor', () => {
  it('is cold: runs once per subscription, never before', async () => {
    const { future, signals } = probe(async () => 42)
    expect(signals).toHaveLength(0)
    expect(await firstValueFrom(future)).toBe(42)
    expect(await firstValueFrom(future)).toBe(42)
    expect(signals).toHaveLength(2)
    expect(signals.some((s) => s.aborted)).toBe(false) // completion does not abort
  })

  it('emits one value then completes', async () => {
    const events: string[] = []
    await new Promise<void>((resolve) =>
      fw.runOnExecutor(async () => 'v').subscribe({
        next: (v) => events.push(v),
        complete: () => {
          events.push('done')
          resolve()
        },
      }),
    )
    expect(events).toEqual(['v', 'done'])
  })

  it('aborts the signal on unsubscribe and swallows the late rejection', async () => {
    const { future, signals } = probe(
      (signal) =>
        new Promise<never>((_, reject) => signal.addEventListener('abort', () => setTimeout(() => reject(new Error('late')), 5))),
    )
    const seen: unknown[] = []
    const subscription = future.subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e) })
    subscription.unsubscribe()
    expect(signals[0]?.aborted).toBe(true)
    await sleep(30)
    expect(seen).toEqual([])
  })

  it('reports rejections and synchronous throws in the error channel', async () => {
    const boom = new Error('boom')
    await expect(firstValueFrom(fw.runOnExecutor(async () => Promise.reject(boom)))).rejects.toBe(boom)
    await expect(
      firstValueFrom(
        fw.runOnExecutor(() => {
          throw boom
        }),
      ),
    ).rejects.toBe(boom)
  })
})

describe('getFuture', () => {
  it('is cold and runs the cleanup only on cancellation', async () => {
    let registered = 0
    let cleaned = 0
    const future = fw.getFuture<number>((resolve, _reject, signal) => {
      registered++
      const timer = setTimeout(() => resolve(registered), 10)
      signal.addEventListener('abort', () => clearTimeout(timer))
      return () => {
        cleaned++
      }
    })
    expect(registered).toBe(0)
    expect(await firstValueFrom(future)).toBe(1)
    expect(cleaned).toBe(0)
    future.subscribe().unsubscribe()
    expect(registered).toBe(2)
    expect(cleaned).toBe(1)
  })

  it('delivers reject and a throwing register in the error channel', async () => {
    const boom = new Error('boom')
    await expect(firstValueFrom(fw.getFuture((_resolve, reject) => reject(boom)))).rejects.toBe(boom)
    await expect(
      firstValueFrom(
        fw.getFuture(() => {
          throw boom
        }),
      ),
    ).rejects.toBe(boom)
  })
})

describe('chainFuture', () => {
  it('continues with onValue', async () => {
    expect(await firstValueFrom(fw.chainFuture(of(2), (n) => of(n * 21)))).toBe(42)
  })

  it('recovers with onError from the first step only', async () => {
    const first = new Error('first')
    const second = new Error('second')
    expect(await firstValueFrom(fw.chainFuture(throwError(() => first), () => of('no'), (e) => of(`recovered ${(e as Error).message}`)))).toBe(
      'recovered first',
    )
    let handled = 0
    const chained = fw.chainFuture(
      of(1),
      () => throwError(() => second),
      () => {
        handled++
        return of('wrong')
      },
    )
    await expect(firstValueFrom(chained)).rejects.toBe(second)
    expect(handled).toBe(0)
  })

  it('turns a throwing handler into an error', async () => {
    const boom = new Error('boom')
    const chained = fw.chainFuture(of(1), () => {
      throw boom
    })
    await expect(firstValueFrom(chained)).rejects.toBe(boom)
  })

  it('passes an error through when there is no onError', async () => {
    const boom = new Error('boom')
    let called = false
    const chained = fw.chainFuture(
      throwError(() => boom),
      () => {
        called = true
        return of(1)
      },
    )
    await expect(firstValueFrom(chained)).rejects.toBe(boom)
    expect(called).toBe(false)
  })

  it('takes the last value of the first step, or undefined when it is empty', async () => {
    expect(await firstValueFrom(fw.chainFuture(of(1, 2, 3), (n) => of(n)))).toBe(3)
    expect(await firstValueFrom(fw.chainFuture(new Observable<number>((o) => o.complete()), (n) => of(n)))).toBeUndefined()
  })

  it('is cold and re-runs both steps per subscription', async () => {
    const a = probe(async () => 1)
    const b = probe(async () => 2)
    const chained = fw.chainFuture(a.future, () => b.future)
    expect(a.signals).toHaveLength(0)
    await firstValueFrom(chained)
    await firstValueFrom(chained)
    expect(a.signals).toHaveLength(2)
    expect(b.signals).toHaveLength(2)
  })

  it('cancels whichever step is running', async () => {
    const first = probe(never)
    const sub1 = fw.chainFuture(first.future, () => of(1)).subscribe()
    sub1.unsubscribe()
    expect(first.signals[0]?.aborted).toBe(true)

    const second = probe(never)
    const seen: unknown[] = []
    const sub2 = fw.chainFuture(fw.runOnExecutor(async () => 1), () => second.future).subscribe({ next: (v) => seen.push(v) })
    await sleep(5)
    expect(second.signals).toHaveLength(1)
    sub2.unsubscribe()
    expect(second.signals[0]?.aborted).toBe(true)
    expect(seen).toEqual([])
  })

  it('is stack-safe for long right-nested (recursive) chains', async () => {
    const loop = (n: number): Observable<number> => (n === 0 ? of(0) : fw.chainFuture(of(n), (k) => loop(k - 1)))
    expect(await firstValueFrom(loop(100_000))).toBe(0)
    // The same through recovery handlers, as the transaction retry loop does.
    const retry = (n: number): Observable<string> =>
      fw.chainFuture(n === 0 ? of('done') : throwError(() => n), (v) => of(v), (e) => retry((e as number) - 1))
    expect(await firstValueFrom(retry(100_000))).toBe('done')
  })

  it('is stack-safe for long left-nested chains', async () => {
    let chain: Observable<number> = of(0)
    for (let i = 0; i < 100_000; i++) chain = fw.chainFuture(chain, (n) => of(n + 1))
    expect(await firstValueFrom(chain)).toBe(100_000)
    // An error travels past many frames without onError to the one that has it.
    let failing: Observable<number> = throwError(() => 'deep')
    for (let i = 0; i < 100_000; i++) failing = fw.chainFuture(failing, (n) => of(n + 1))
    expect(await firstValueFrom(fw.chainFuture(failing, (n) => of(n), () => of(-1)))).toBe(-1)
  })

  it('handles asynchronous steps in a long loop', async () => {
    const loop = (n: number): Observable<number> =>
      n === 0 ? of(0) : fw.chainFuture(fw.runOnExecutor(async () => n), (k) => loop(k - 1))
    expect(await firstValueFrom(loop(10_000))).toBe(0)
  })
})

describe('callSoon', () => {
  it('runs later, outside the caller', async () => {
    const order: string[] = []
    fw.callSoon(() => order.push('soon'))
    order.push('now')
    await sleep(0)
    expect(order).toEqual(['now', 'soon'])
  })
})

describe('yieldable', () => {
  it('resolves the last value, or undefined for an empty future', async () => {
    expect(await fw.yieldable(of(1, 2))).toBe(2)
    expect(await fw.yieldable(new Observable<void>((o) => o.complete()))).toBeUndefined()
  })

  it('rejects with the error', async () => {
    const boom = new Error('boom')
    await expect(fw.yieldable(throwError(() => boom))).rejects.toBe(boom)
  })

  it('unsubscribes and rejects with the reason when the signal aborts', async () => {
    const { future, signals } = probe(never)
    const controller = new AbortController()
    const promise = fw.yieldable(future, controller.signal)
    const reason = new Error('stop')
    controller.abort(reason)
    await expect(promise).rejects.toBe(reason)
    expect(signals[0]?.aborted).toBe(true)
  })

  it('rejects with an AbortError for an already aborted signal, without subscribing', async () => {
    const { future, signals } = probe(async () => 1)
    const controller = new AbortController()
    controller.abort()
    await expect(fw.yieldable(future, controller.signal)).rejects.toMatchObject({ name: 'AbortError' })
    expect(signals).toHaveLength(0)
  })
})

/** A pull source over an array that records its use; `delayMs` makes each pull take time. */
function arraySource<A>(values: A[], options: { delayMs?: number; failAt?: number; rejectAfterClose?: boolean } = {}) {
  const log = { opened: 0, pulls: 0, closes: 0, signals: [] as AbortSignal[] }
  const open = (): PullSource<A> => {
    log.opened++
    let i = 0
    let closed = false
    return {
      async next(signal) {
        log.pulls++
        log.signals.push(signal)
        if (options.delayMs) await sleep(options.delayMs)
        if (closed && options.rejectAfterClose) throw new Error('cursor closed under a pending next')
        if (options.failAt !== undefined && i === options.failAt) throw new Error(`failed at ${i}`)
        if (i >= values.length) return { done: true }
        return { done: false, values: [values[i++] as A] }
      },
      async close() {
        log.closes++
        closed = true
      },
    }
  }
  return { open, log }
}

describe('stream', () => {
  it('is cold, emits in order and completes; an exhausted source is not closed', async () => {
    const { open, log } = arraySource([1, 2, 3])
    const stream = fw.stream(open)
    expect(log.opened).toBe(0)
    expect(await lastValueFrom(stream.pipe(toArray()))).toEqual([1, 2, 3])
    expect(await lastValueFrom(stream.pipe(toArray()))).toEqual([1, 2, 3])
    expect(log.opened).toBe(2)
    expect(log.closes).toBe(0)
  })

  it('closes the source once and aborts the signal when stopped early', async () => {
    const { open, log } = arraySource([1, 2, 3, 4, 5])
    expect(await lastValueFrom(fw.stream(open).pipe(take(2), toArray()))).toEqual([1, 2])
    await sleep(5)
    expect(log.closes).toBe(1)
    expect(log.pulls).toBe(2) // no read-ahead
    expect(log.signals.at(-1)?.aborted).toBe(true)
  })

  it('closes under a pull that never settles after the grace period, swallowing its rejection', async () => {
    let rejectPending: (e: unknown) => void = () => undefined
    let closes = 0
    const source: PullSource<number> = {
      next: () => new Promise((_, reject) => (rejectPending = reject)),
      close: async () => {
        closes++
        rejectPending(new Error('closed'))
      },
    }
    const seen: unknown[] = []
    const subscription = fw.stream(() => source).subscribe({ next: (v) => seen.push(v), error: (e) => seen.push(e) })
    await sleep(5)
    subscription.unsubscribe()
    await sleep(400)
    expect(closes).toBe(1)
    expect(seen).toEqual([])
  })

  it('delivers a failing pull in the error channel and closes the source', async () => {
    const { open, log } = arraySource([1, 2, 3], { failAt: 1 })
    const seen: unknown[] = []
    await new Promise<void>((resolve) =>
      fw.stream(open).subscribe({
        next: (v) => seen.push(v),
        error: (e) => {
          seen.push((e as Error).message)
          resolve()
        },
      }),
    )
    expect(seen).toEqual([1, 'failed at 1'])
    await sleep(5)
    expect(log.closes).toBe(1)
  })

  it('delivers a throwing open in the error channel', async () => {
    const boom = new Error('open failed')
    await expect(
      firstValueFrom(
        fw.stream(() => {
          throw boom
        }),
      ),
    ).rejects.toBe(boom)
  })
})

describe('using', () => {
  function resource() {
    const log = { acquired: 0, released: 0 }
    const acquire = async () => {
      log.acquired++
      return { id: log.acquired }
    }
    const release = async () => {
      log.released++
    }
    return { log, acquire, release }
  }

  it('is cold and releases before completing', async () => {
    const { log, acquire, release } = resource()
    const used = fw.using(acquire, (r) => of(r.id).pipe(map((id) => ({ id, releasedYet: log.released }))), release)
    expect(log.acquired).toBe(0)
    const value = await lastValueFrom(used)
    expect(value).toEqual({ id: 1, releasedYet: 0 })
    expect(log).toEqual({ acquired: 1, released: 1 })
  })

  it('releases once on error and keeps the work error', async () => {
    const { log, acquire } = resource()
    const boom = new Error('work')
    const used = fw.using(acquire, () => throwError(() => boom), async () => {
      log.released++
      throw new Error('release failed too')
    })
    await expect(lastValueFrom(used)).rejects.toBe(boom)
    expect(log.released).toBe(1)
  })

  it('releases once when use throws synchronously', async () => {
    const { log, acquire, release } = resource()
    const boom = new Error('sync')
    await expect(
      lastValueFrom(
        fw.using(
          acquire,
          () => {
            throw boom
          },
          release,
        ),
      ),
    ).rejects.toBe(boom)
    expect(log.released).toBe(1)
  })

  it('a failing release after success goes to the error channel', async () => {
    const { acquire } = resource()
    const failure = new Error('release failed')
    await expect(lastValueFrom(fw.using(acquire, () => of(1), () => Promise.reject(failure)))).rejects.toBe(failure)
  })

  it('releases once on unsubscribe, and a failing release is not unhandled', async () => {
    const { log, acquire } = resource()
    const subscription = fw
      .using(acquire, () => NEVER, async () => {
        log.released++
        throw new Error('release failed')
      })
      .subscribe()
    await sleep(5)
    subscription.unsubscribe()
    await sleep(5)
    expect(log).toEqual({ acquired: 1, released: 1 })
  })

  it('releases a resource acquired after the consumer left', async () => {
    const log = { released: 0 }
    let finishAcquire: (r: string) => void = () => undefined
    const subscription = fw
      .using(
        () => new Promise<string>((resolve) => (finishAcquire = resolve)),
        () => of(1),
        async () => {
          log.released++
        },
      )
      .subscribe()
    subscription.unsubscribe()
    finishAcquire('late')
    await sleep(5)
    expect(log.released).toBe(1)
  })

  it('a failing acquire reaches the error channel and nothing is released', async () => {
    const boom = new Error('acquire')
    let released = 0
    await expect(
      lastValueFrom(
        fw.using(
          () => Promise.reject(boom),
          () => of(1),
          async () => {
            released++
          },
        ),
      ),
    ).rejects.toBe(boom)
    expect(released).toBe(0)
  })

})
