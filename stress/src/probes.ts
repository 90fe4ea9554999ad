/**
 * What the scenarios measure on the client and the server: the driver's connection pool from
 * its CMAP events, open cursors from the server's `serverStatus`, unhandled rejections,
 * uncaught exceptions and warnings of this process, and its resident memory over time.
 */
import { MongoClient } from 'mongodb'

interface Emitter {
  on(event: string, listener: (...args: any[]) => void): unknown
}

/** Connection-pool figures from the driver's pool events (created/closed, checked out/in). */
export class PoolMonitor {
  open = 0
  peakOpen = 0
  checkedOut = 0
  peakCheckedOut = 0
  cleared = 0

  constructor(client: Emitter) {
    client.on('connectionCreated', () => {
      this.open++
      this.peakOpen = Math.max(this.peakOpen, this.open)
    })
    client.on('connectionClosed', () => this.open--)
    client.on('connectionCheckedOut', () => {
      this.checkedOut++
      this.peakCheckedOut = Math.max(this.peakCheckedOut, this.checkedOut)
    })
    client.on('connectionCheckedIn', () => this.checkedOut--)
    client.on('connectionPoolCleared', () => this.cleared++)
  }

  /** Waits (up to `ms`) for every connection to be checked in; returns how many are still out. */
  async settledCheckedOut(ms = 5000): Promise<number> {
    const deadline = Date.now() + ms
    while (this.checkedOut > 0 && Date.now() < deadline) await sleep(20)
    return this.checkedOut
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Open cursors on the server (`serverStatus.metrics.cursor.open.total`), or undefined if it does not say. */
export async function serverOpenCursors(uri: string): Promise<number | undefined> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000, maxPoolSize: 1 })
  try {
    const status = await client.db('admin').command({ serverStatus: 1 })
    const total = status.metrics?.cursor?.open?.total
    return typeof total === 'number' ? total : undefined
  } catch {
    return undefined
  } finally {
    await client.close()
  }
}

/** Waits (up to `ms`) for the server's open cursors to fall to `baseline`; returns the last count. */
export async function cursorsBackTo(uri: string, baseline: number, ms = 10_000): Promise<number | undefined> {
  const deadline = Date.now() + ms
  let open = await serverOpenCursors(uri)
  while (open !== undefined && open > baseline && Date.now() < deadline) {
    await sleep(200)
    open = await serverOpenCursors(uri)
  }
  return open
}

/** Counts what this process must never see: unhandled rejections, uncaught exceptions, listener leaks. */
export class ProcessWatch {
  unhandled = 0
  uncaught = 0
  maxListenerWarnings = 0
  readonly samples: string[] = []

  constructor() {
    process.on('unhandledRejection', (reason) => {
      this.unhandled++
      this.keep('unhandledRejection', reason)
    })
    process.on('uncaughtException', (error) => {
      this.uncaught++
      this.keep('uncaughtException', error)
    })
    process.on('warning', (warning) => {
      if (warning.name === 'MaxListenersExceededWarning') {
        this.maxListenerWarnings++
        this.keep('warning', warning)
      }
    })
  }

  private keep(kind: string, value: unknown): void {
    if (this.samples.length < 3) this.samples.push(`${kind}: ${value instanceof Error ? `${value.name}: ${value.message}` : String(value)}`)
  }
}

/** Samples resident memory every `everyMs` until stopped. */
export class RssSampler {
  readonly samples: { at: number; rss: number; requests: number }[] = []
  private timer: ReturnType<typeof setInterval> | undefined

  constructor(private readonly served: () => number) {}

  start(everyMs = 200): void {
    this.take()
    this.timer = setInterval(() => this.take(), everyMs)
  }

  take(): number {
    const rss = process.memoryUsage.rss()
    this.samples.push({ at: Date.now(), rss, requests: this.served() })
    return rss
  }

  stop(): void {
    clearInterval(this.timer)
    this.take()
  }

  /** Least-squares slope of RSS over requests served, in MB per 10,000 requests, over the samples from `from`. */
  trendPer10k(from = 0): number {
    const points = this.samples.slice(from)
    const n = points.length
    if (n < 3) return 0
    const mx = points.reduce((s, p) => s + p.requests, 0) / n
    const my = points.reduce((s, p) => s + p.rss, 0) / n
    let num = 0
    let den = 0
    for (const p of points) {
      num += (p.requests - mx) * (p.rss - my)
      den += (p.requests - mx) ** 2
    }
    return den === 0 ? 0 : ((num / den) * 10_000) / 2 ** 20
  }
}

export const mb = (bytes: number): string => (bytes / 2 ** 20).toFixed(0)
