/**
 * `node --import tsx bench/cpu-idioms.ts`: client CPU per `findOne` (process.cpuUsage, user +
 * system) of the opt-in idioms, as a ratio to the raw driver measured in the same run, in
 * interleaved rounds; prints the median and the spread (min–max over rounds).
 * - promise: a plain collection (what everyone pays now that `withSchema` exists: nothing);
 * - promise + schema: the same read through `withSchema` with a Zod schema (the price of using it);
 * - effect (spans): every operation in a span, Effect's native tracer (the default);
 * - effect (tracer off): `References.TracerEnabled` false.
 * With `MOTOR_BASE_CORE=<path to another build of @motor-ts/core's dist/index.js>` it also runs
 * the same frameworks on that core (e.g. the commit before these features), for a before/after.
 * Then the span's own CPU cost without a server (`spanCost`), and the hooks' cost to everyone
 * (`hookCost`). Nothing is asserted: it prints
 * numbers for people to read.
 */
import * as core from '@motor-ts/core'
import { effectFramework } from '@motor-ts/effect'
import { promiseFramework } from '@motor-ts/promise'
import { Effect, References } from 'effect'
import { MongoClient as DriverClient } from 'mongodb'
import { z } from 'zod'
import { redact, selectServerKind, startServer } from '../tools/src/index.ts'

const OPS = Number(process.env.BENCH_OPS ?? 400)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9)
const DOCS = 100

type Op = (i: number) => Promise<unknown>
interface Target {
  name: string
  op: Op
  close(): Promise<void>
}

const Doc = z.object({ _id: z.number(), i: z.number(), pad: z.string() })

async function targets(uri: string, dbName: string): Promise<Target[]> {
  const driver = await new DriverClient(uri).connect()
  const out: Target[] = [
    { name: 'driver', op: (i) => driver.db(dbName).collection('r').findOne({ _id: i as never }), close: () => driver.close() },
  ]
  const cores: [string, typeof core][] = [['', core]]
  if (process.env.MOTOR_BASE_CORE) cores.push([' [base core]', (await import(process.env.MOTOR_BASE_CORE)) as typeof core])
  for (const [label, c] of cores) {
    const P = c.createMotor(promiseFramework)
    const p = new P.MongoClient(uri)
    await p.connect()
    const plain = p.db(dbName).collection('r')
    out.push({ name: `promise${label}`, op: (i) => plain.findOne({ _id: i as never }), close: () => p.close() })
    if (!label) {
      const checked = P.withSchema(plain, Doc)
      out.push({ name: 'promise + schema', op: (i) => checked.findOne({ _id: i }), close: async () => undefined })
    }
    const E = c.createMotor(effectFramework)
    const e = new E.MongoClient(uri)
    await Effect.runPromise(e.connect())
    const coll = e.db(dbName).collection('r')
    out.push({ name: `effect (spans)${label}`, op: (i) => Effect.runPromise(coll.findOne({ _id: i as never })), close: () => Effect.runPromise(e.close()) })
    if (!label)
      out.push({
        name: 'effect (tracer off)',
        op: (i) => Effect.runPromise(coll.findOne({ _id: i as never }).pipe(Effect.provideService(References.TracerEnabled, false))),
        close: async () => undefined,
      })
  }
  return out
}

/** Microseconds of client CPU per op over `OPS` sequential ops. */
async function cpuPerOp(op: Op): Promise<number> {
  const start = process.cpuUsage()
  for (let i = 0; i < OPS; i++) await op(i % DOCS)
  const used = process.cpuUsage(start)
  return (used.user + used.system) / OPS
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/**
 * The span's own price, without a server: CPU per `runOnExecutor` of an already-resolved call,
 * with and without an operation (so with and without a span), tracer on and off.
 */
async function spanCost(collection: object): Promise<void> {
  const run = async () => 1
  const operation = { name: 'findOne', className: 'Collection', target: collection }
  const cases: [string, () => Promise<unknown>][] = [
    ['no span (core step)', () => Effect.runPromise(effectFramework.runOnExecutor(run))],
    ['span, native tracer', () => Effect.runPromise(effectFramework.runOnExecutor(run, operation))],
    [
      'span, tracer off',
      () => Effect.runPromise(effectFramework.runOnExecutor(run, operation).pipe(Effect.provideService(References.TracerEnabled, false))),
    ],
  ]
  const n = 20_000
  const results = new Map<string, number[]>(cases.map(([name]) => [name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, op] of cases) {
      const start = process.cpuUsage()
      for (let i = 0; i < n; i++) await op()
      const used = process.cpuUsage(start)
      results.get(name)!.push((used.user + used.system) / n)
    }
  }
  console.log(`\nEffect runOnExecutor without I/O, ${ROUNDS} rounds x ${n}: CPU µs/op median (min-max)`)
  for (const [name, xs] of results)
    console.log(`${name.padEnd(28)}${median(xs).toFixed(2).padStart(12)}   (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`)
}

/**
 * The price of the hook itself for everyone (schema unused, operation metadata passed): CPU per
 * `cursor.next()` on documents already buffered (no I/O but one `find` per 2000), through
 * Promises on this core and, with MOTOR_BASE_CORE, on the other.
 */
async function hookCost(uri: string, dbName: string): Promise<void> {
  const cores: [string, typeof core][] = [['this core', core]]
  if (process.env.MOTOR_BASE_CORE) cores.push(['base core', (await import(process.env.MOTOR_BASE_CORE)) as typeof core])
  const clients = await Promise.all(
    cores.map(async ([name, c]) => {
      const P = c.createMotor(promiseFramework)
      const client = new P.MongoClient(uri)
      await client.connect()
      return { name, client, coll: client.db(dbName).collection('big') }
    }),
  )
  const results = new Map<string, number[]>(clients.map((c) => [c.name, []]))
  for (let round = 0; round < ROUNDS; round++) {
    for (const { name, coll } of round % 2 ? [...clients].reverse() : clients) {
      const cursor = coll.find({}, { batchSize: 2000 })
      const start = process.cpuUsage()
      while ((await cursor.next()) !== null);
      const used = process.cpuUsage(start)
      results.get(name)!.push((used.user + used.system) / 2000)
    }
  }
  console.log(`\ncursor.next() on buffered documents (Promise), ${ROUNDS} rounds x 2000: CPU µs/op median (min-max)`)
  for (const [name, xs] of results)
    console.log(`${name.padEnd(28)}${median(xs).toFixed(2).padStart(12)}   (${Math.min(...xs).toFixed(2)}-${Math.max(...xs).toFixed(2)})`)
  for (const { client } of clients) await client.close()
}

async function main() {
  const server = await startServer(selectServerKind())
  const dbName = `motor_cpu_${process.pid}`
  const seed = await new DriverClient(server.info.uri).connect()
  await seed.db(dbName).collection('r').insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: i as never, i, pad: 'x'.repeat(100) })))
  const ts = await targets(server.info.uri, dbName)
  try {
    console.log(`server: ${server.info.name} ${server.info.version} at ${redact(server.info.uri)}; ${ROUNDS} rounds x ${OPS} findOne`)
    for (const t of ts) await cpuPerOp(t.op) // warm up
    const samples = new Map<string, number[]>(ts.map((t) => [t.name, []]))
    const ratios = new Map<string, number[]>(ts.map((t) => [t.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      const order = ts.map((_, i) => ts[(i + round) % ts.length]!)
      const us = new Map<string, number>()
      for (const t of order) us.set(t.name, await cpuPerOp(t.op))
      for (const t of ts) {
        samples.get(t.name)!.push(us.get(t.name)!)
        ratios.get(t.name)!.push(us.get(t.name)! / us.get('driver')!)
      }
    }
    console.log(`${'target'.padEnd(28)}${'CPU µs/op'.padStart(12)}${'x driver'.padStart(10)}${'spread (min-max)'.padStart(20)}`)
    for (const t of ts) {
      const r = ratios.get(t.name)!
      const spread = `${Math.min(...r).toFixed(2)}-${Math.max(...r).toFixed(2)}`
      console.log(
        `${t.name.padEnd(28)}${median(samples.get(t.name)!).toFixed(1).padStart(12)}${median(r).toFixed(2).padStart(10)}${spread.padStart(20)}`,
      )
    }
    await spanCost(seed.db(dbName).collection('r'))
    await seed.db(dbName).collection('big').insertMany(Array.from({ length: 2000 }, (_, i) => ({ _id: i as never, i })))
    await hookCost(server.info.uri, dbName)
  } finally {
    for (const t of ts) await t.close()
    await seed.db(dbName).dropDatabase()
    await seed.close()
    await server.stop()
  }
}

await main()
