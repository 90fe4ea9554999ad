/**
 * The workloads `pnpm bench` measures. Each runs `units` operations (or documents, or change
 * events) on one target; `prepare` builds its input outside the timed section, and a
 * workload that needs setup inside its run (opening a change stream) starts the clock
 * itself with `clock.start()`.
 */
import type { AnyBulkWriteOperation, Document, MongoClient } from 'mongodb'
import type { Doc, Target } from './targets.ts'

export interface Clock {
  /** Start timing now (default: when `run` is called). */
  start(): void
  /** Stop timing now (default: when `run` settles). */
  stop(): void
}

export interface Workload {
  /** e.g. `findOne by _id`. */
  readonly name: string
  /** `seq`, `x32`, `x128` (operations in flight), or `per doc` / `per event`. */
  readonly mode: string
  readonly unit: 'op' | 'doc' | 'event'
  readonly units: number
  prepare?(): unknown
  run(t: Target, input: unknown, clock: Clock): Promise<void>
}

export interface Sizes {
  /** Operations per run, by mode, for single-document operations. */
  single: { seq: number; x32: number; x128: number }
  /** Operations per run of insertMany / bulkWrite (1,000 documents each), by mode. */
  batch: { seq: number; x32?: number }
  /** Operations per run of aggregate / countDocuments, by mode. */
  small: { seq: number; x32: number; x128: number }
  /** Documents read by toArray / streaming. */
  docs: number
  transactions: number
  events: number
}

export const FULL: Sizes = {
  single: { seq: 500, x32: 1000, x128: 1024 },
  batch: { seq: 5, x32: 32 },
  small: { seq: 300, x32: 640, x128: 640 },
  docs: 100_000,
  transactions: 100,
  events: 100,
}

export const QUICK: Sizes = {
  single: { seq: 64, x32: 96, x128: 256 },
  batch: { seq: 2 },
  small: { seq: 40, x32: 64, x128: 128 },
  docs: 6_000,
  transactions: 12,
  events: 16,
}

/** Collections the workloads use; `seed` fills the read-only ones. */
export const COLL = { reads: 'reads', writes: 'writes', small: 'small', many: 'many', tx: 'tx', events: 'events' } as const

/** Run `f(i)` for i in [0, n) with `width` calls in flight. */
async function inFlight(width: number, n: number, f: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < n) await f(next++)
  }
  await Promise.all(Array.from({ length: Math.min(width, n) }, worker))
}

const WIDTH: Record<string, number> = { seq: 1, x32: 32, x128: 128 }

/** A small document of the kind applications insert: a dozen fields, one nested. */
function smallDoc(i: number): Document {
  return {
    i,
    name: `user-${i}`,
    email: `user${i}@example.com`,
    active: i % 2 === 0,
    score: i * 1.5,
    tags: ['a', 'b', 'c'],
    address: { street: `${i} Main St`, city: 'Springfield', zip: '12345' },
    createdAt: new Date(1_700_000_000_000 + i),
    kind: 'bench',
    version: 1,
  }
}

export async function seed(client: MongoClient, dbName: string, sizes: Sizes): Promise<void> {
  const db = client.db(dbName)
  await db.collection(COLL.reads).insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: i as never, ...smallDoc(i) })))
  await db.collection(COLL.small).insertMany(Array.from({ length: 100 }, (_, i) => ({ _id: i as never, g: i % 10, v: i })))
  for (let from = 0; from < sizes.docs; from += 10_000) {
    const n = Math.min(10_000, sizes.docs - from)
    await db.collection(COLL.many).insertMany(Array.from({ length: n }, (_, k) => ({ _id: (from + k) as never, i: from + k, s: 'abcdefgh' })))
  }
}

export function workloads(sizes: Sizes, writer: () => MongoClient, dbName: string): Workload[] {
  const out: Workload[] = []
  let counter = 0
  const modes = ['seq', 'x32', 'x128'] as const
  for (const mode of modes) {
    const n = sizes.single[mode]
    const w = WIDTH[mode]!
    out.push({ name: 'findOne by _id', mode, unit: 'op', units: n, run: (t) => inFlight(w, n, (i) => t.findOne(COLL.reads, i % 1000)) })
    out.push({
      name: 'insertOne',
      mode,
      unit: 'op',
      units: n,
      prepare: () => Array.from({ length: n }, (_, i) => smallDoc(i)),
      run: (t, docs) => inFlight(w, n, (i) => t.insertOne(COLL.writes, (docs as Document[])[i]!)),
    })
    out.push({ name: 'updateOne', mode, unit: 'op', units: n, run: (t) => inFlight(w, n, (i) => t.updateOne(COLL.reads, i % 1000, counter++)) })
  }
  for (const mode of ['seq', 'x32'] as const) {
    const n = sizes.batch[mode]
    if (!n) continue
    const w = WIDTH[mode]!
    out.push({
      name: 'insertMany of 1,000',
      mode,
      unit: 'op',
      units: n,
      prepare: () => Array.from({ length: n }, () => Array.from({ length: 1000 }, (_, i) => smallDoc(i))),
      run: (t, batches) => inFlight(w, n, (i) => t.insertMany(COLL.writes, (batches as Document[][])[i]!)),
    })
    out.push({
      name: 'bulkWrite of 1,000',
      mode,
      unit: 'op',
      units: n,
      // Inserts only: the test servers scan a collection for each update or delete, which
      // would time the server rather than the client as the collection grows.
      prepare: () => Array.from({ length: n }, () => Array.from({ length: 1000 }, (_, i): AnyBulkWriteOperation<Doc> => ({ insertOne: { document: smallDoc(i) } }))),
      run: (t, batches) => inFlight(w, n, (i) => t.bulkWrite(COLL.writes, (batches as AnyBulkWriteOperation<Doc>[][])[i]!)),
    })
  }
  for (const mode of modes) {
    const n = sizes.small[mode]
    const w = WIDTH[mode]!
    const pipeline = [{ $match: { g: 3 } }, { $group: { _id: '$g', n: { $sum: 1 }, total: { $sum: '$v' } } }]
    out.push({ name: 'aggregate (small)', mode, unit: 'op', units: n, run: (t) => inFlight(w, n, () => t.aggregate(COLL.small, pipeline)) })
    out.push({ name: 'countDocuments', mode, unit: 'op', units: n, run: (t) => inFlight(w, n, () => t.countDocuments(COLL.small, { g: 3 })) })
  }
  const docs = sizes.docs
  out.push({
    name: `find().toArray() of ${docs / 1000}k`,
    mode: 'per doc',
    unit: 'doc',
    units: docs,
    run: async (t) => {
      if ((await t.toArray(COLL.many)).length !== docs) throw new Error('short toArray')
    },
  })
  out.push({
    name: `native stream of ${docs / 1000}k`,
    mode: 'per doc',
    unit: 'doc',
    units: docs,
    run: async (t) => {
      if ((await t.stream(COLL.many)) !== docs) throw new Error('short stream')
    },
  })
  const tx = sizes.transactions
  out.push({
    name: 'transaction of 3 writes',
    mode: 'seq',
    unit: 'op',
    units: tx,
    run: async (t) => {
      for (let i = 0; i < tx; i++) await t.transaction(COLL.tx, counter++)
    },
  })
  out.push(changeEvents(sizes.events, writer, dbName))
  return out
}

/** Change events delivered through the target's native stream; an insert by another client per event. */
function changeEvents(events: number, writer: () => MongoClient, dbName: string): Workload {
  return {
    name: 'change event delivery',
    mode: 'per event',
    unit: 'event',
    units: events,
    async run(t, _input, clock) {
      const coll = writer().db(dbName).collection(COLL.events)
      let waiting: { key: number; arrived: (ok: boolean) => void } | undefined
      const stop = t.watch(COLL.events, (event) => {
        const doc = (event as { fullDocument?: { key?: number } }).fullDocument
        if (waiting && doc?.key === waiting.key) waiting.arrived(true)
      })
      const deliver = async (key: number, timeoutMs?: number) => {
        const got = new Promise<boolean>((resolve) => {
          waiting = { key, arrived: resolve }
          if (timeoutMs) setTimeout(() => resolve(false), timeoutMs)
        })
        await coll.insertOne({ key })
        return got
      }
      try {
        let key = 0
        while (!(await deliver(--key, 500))) {} // the stream is open once an insert comes through
        clock.start()
        for (let i = 0; i < events; i++) await deliver(i)
        clock.stop()
      } finally {
        waiting = undefined
        await stop()
      }
    },
  }
}
