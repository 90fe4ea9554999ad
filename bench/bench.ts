/**
 * `pnpm bench`: what motor-ts costs over the raw driver, measured in the same run on the
 * same server. Each workload runs on the raw `mongodb` driver and through Promises, RxJS
 * and Effect (each driven the way its users would: await, lastValueFrom, runPromise), in
 * rotating order over several rounds; the median time per target is printed with its
 * ratio to the raw driver, plus the heap retained while a large cursor is streamed.
 * Nothing here asserts a timing: it prints numbers for people to read.
 */
import { MongoClient as EffectClient } from '@motor-ts/effect'
import { MongoClient as PromiseClient } from '@motor-ts/promise'
import { MongoClient as RxClient } from '@motor-ts/rxjs'
import { Effect, Stream } from 'effect'
import { MongoClient as DriverClient } from 'mongodb'
import { lastValueFrom, count as rxCount } from 'rxjs'
import { redact, selectServerKind, startServer } from '../tools/src/index.ts'

const N = Number(process.env.BENCH_OPS ?? 2000)
const DOCS = Number(process.env.BENCH_DOCS ?? 10000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

/** One target: how to build each workload's run as a plain async function. */
interface Target {
  name: string
  close(): Promise<void>
  insertOne(doc: object): Promise<unknown>
  findOne(id: number): Promise<unknown>
  toArray(): Promise<unknown[]>
  stream(): Promise<number>
}

async function targets(uri: string, dbName: string): Promise<Target[]> {
  const driver = await new DriverClient(uri).connect()
  const p = new PromiseClient(uri)
  await p.connect()
  const rx = new RxClient(uri)
  await lastValueFrom(rx.connect())
  const ef = new EffectClient(uri)
  await Effect.runPromise(ef.connect())
  const writes = 'writes'
  const reads = 'reads'
  return [
    {
      name: 'driver',
      close: () => driver.close(),
      insertOne: (doc) => driver.db(dbName).collection(writes).insertOne(doc),
      findOne: (id) => driver.db(dbName).collection(reads).findOne({ _id: id as never }),
      toArray: () => driver.db(dbName).collection(reads).find({}).toArray(),
      stream: async () => {
        let n = 0
        for await (const _ of driver.db(dbName).collection(reads).find({})) n++
        return n
      },
    },
    {
      name: 'promise',
      close: () => p.close(),
      insertOne: (doc) => p.db(dbName).collection(writes).insertOne(doc),
      findOne: (id) => p.db(dbName).collection(reads).findOne({ _id: id as never }),
      toArray: () => p.db(dbName).collection(reads).find({}).toArray(),
      stream: async () => {
        let n = 0
        for await (const _ of p.db(dbName).collection(reads).find({}).toStream()) n++
        return n
      },
    },
    {
      name: 'rxjs',
      close: () => lastValueFrom(rx.close()),
      insertOne: (doc) => lastValueFrom(rx.db(dbName).collection(writes).insertOne(doc)),
      findOne: (id) => lastValueFrom(rx.db(dbName).collection(reads).findOne({ _id: id as never })),
      toArray: () => lastValueFrom(rx.db(dbName).collection(reads).find({}).toArray()),
      stream: () => lastValueFrom(rx.db(dbName).collection(reads).find({}).toStream().pipe(rxCount())),
    },
    {
      name: 'effect',
      close: () => Effect.runPromise(ef.close()),
      insertOne: (doc) => Effect.runPromise(ef.db(dbName).collection(writes).insertOne(doc)),
      findOne: (id) => Effect.runPromise(ef.db(dbName).collection(reads).findOne({ _id: id as never })),
      toArray: () => Effect.runPromise(ef.db(dbName).collection(reads).find({}).toArray()),
      stream: () => Effect.runPromise(Stream.runCount(ef.db(dbName).collection(reads).find({}).toStream())),
    },
  ]
}

interface Workload {
  name: string
  ops: number
  run(t: Target): Promise<void>
}

const workloads: Workload[] = [
  {
    name: `insertOne x${N}`,
    ops: N,
    async run(t) {
      for (let i = 0; i < N; i++) await t.insertOne({ i, at: 'bench' })
    },
  },
  {
    name: `findOne by _id x${N}`,
    ops: N,
    async run(t) {
      for (let i = 0; i < N; i++) await t.findOne(i % DOCS)
    },
  },
  {
    name: `find().toArray() of ${DOCS} docs x5`,
    ops: 5 * DOCS,
    async run(t) {
      for (let i = 0; i < 5; i++) if ((await t.toArray()).length !== DOCS) throw new Error('short read')
    },
  },
  {
    name: `stream ${DOCS} docs x5`,
    ops: 5 * DOCS,
    async run(t) {
      for (let i = 0; i < 5; i++) if ((await t.stream()) !== DOCS) throw new Error('short stream')
    },
  },
]

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

async function heapWhileStreaming(t: Target): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc
  gc?.()
  const before = process.memoryUsage().heapUsed
  let peak = before
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().heapUsed)
  }, 2)
  await t.stream()
  clearInterval(timer)
  return (peak - before) / 1024 / 1024
}

async function main() {
  const server = await startServer(selectServerKind())
  const dbName = `motor_bench_${process.pid}`
  const ts = await targets(server.info.uri, dbName)
  try {
    console.log(`server: ${server.info.name} ${server.info.version} at ${redact(server.info.uri)}; ${ROUNDS} rounds, median`)
    await (async () => {
      const c = await new DriverClient(server.info.uri).connect()
      await c
        .db(dbName)
        .collection('reads')
        .insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: i as never, i, pad: 'x'.repeat(100) })))
      await c.close()
    })()
    for (const t of ts) await t.toArray() // warm up every target
    const header = ['workload'.padEnd(34), ...ts.map((t) => t.name.padStart(20))].join('')
    console.log(`\n${header}`)
    for (const w of workloads) {
      const times = new Map<string, number[]>(ts.map((t) => [t.name, []]))
      for (let round = 0; round < ROUNDS; round++) {
        const order = ts.map((_, i) => ts[(i + round) % ts.length]!)
        for (const t of order) {
          const start = performance.now()
          await w.run(t)
          times.get(t.name)!.push(performance.now() - start)
        }
      }
      const base = median(times.get('driver')!)
      const cells = ts.map((t) => {
        const ms = median(times.get(t.name)!)
        return `${ms.toFixed(0)} ms ${t.name === 'driver' ? '(1.00x)' : `(${(ms / base).toFixed(2)}x)`}`.padStart(20)
      })
      console.log(`${w.name.padEnd(34)}${cells.join('')}`)
    }
    const heap = []
    for (const t of ts) heap.push(`${(await heapWhileStreaming(t)).toFixed(1)} MB`.padStart(20))
    console.log(`${`peak heap growth, stream ${DOCS}`.padEnd(34)}${heap.join('')}`)
  } finally {
    for (const t of ts) await t.close()
    const c = await new DriverClient(server.info.uri).connect()
    await c.db(dbName).dropDatabase()
    await c.close()
    await server.stop()
  }
}

await main()
