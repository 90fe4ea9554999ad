/**
 * `pnpm demo`: starts the embedded test server (SecantusDB, or MONGODB_URI / MOTOR_TEST_SERVER),
 * runs the query code of `orders.ts` — inserts, an index, an indexed query, an aggregation,
 * a streamed cursor, a change stream and a transaction — through Promises, RxJS and Effect,
 * and prints the results side by side with how long each step took. Steps the server cannot
 * do (FerretDB: change streams, transactions) are shown as skipped, with the reason.
 */
import { type FrameworkTypes, type Future, type MotorDb, type MotorMongoClient, type Stream as MotorStream } from '@motor-ts/core'
import { MongoClient as EffectClient } from '@motor-ts/effect'
import { MongoClient as PromiseClient } from '@motor-ts/promise'
import { MongoClient as RxClient } from '@motor-ts/rxjs'
import { Effect, Stream } from 'effect'
import { lastValueFrom, take, toArray } from 'rxjs'
import { type RunningServer, redact, selectServerKind, startServer } from '../tools/src/index.ts'
import { orderQueries } from './orders.ts'

/** How one framework is driven from plain async code: its futures and streams run to Promises. */
interface Runner<F extends FrameworkTypes> {
  name: string
  client: (uri: string) => MotorMongoClient<F>
  run: <A>(future: Future<F, A>) => Promise<A>
  first: <A>(stream: MotorStream<F, A>, n: number) => Promise<A[]>
}

const promiseRunner: Runner<any> = {
  name: 'promise',
  client: (uri) => new PromiseClient(uri),
  run: (future) => future,
  first: async (stream, n) => {
    const out = []
    if (n > 0) for await (const item of stream) if (out.push(item) >= n) break
    return out
  },
}

const rxjsRunner: Runner<any> = {
  name: 'rxjs',
  client: (uri) => new RxClient(uri),
  run: (future) => lastValueFrom(future),
  first: (stream, n) => lastValueFrom(stream.pipe(take(n), toArray())),
}

const effectRunner: Runner<any> = {
  name: 'effect',
  client: (uri) => new EffectClient(uri),
  run: (future) => Effect.runPromise(future),
  first: (stream, n) => Effect.runPromise(Stream.runCollect(Stream.take(stream, n))),
}

/** `promise`, or a clear failure after `ms` (a demo never hangs). */
function within<A>(ms: number, promise: Promise<A>, what: string): Promise<A> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

interface Cell {
  text: string
  ms?: number
}
type Row = { step: string; cells: Cell[] }

async function timed(fn: () => Promise<string>): Promise<Cell> {
  const start = performance.now()
  try {
    const text = await fn()
    return { text, ms: performance.now() - start }
  } catch (error) {
    return { text: `ERROR ${(error as Error).name}: ${(error as Error).message}`, ms: performance.now() - start }
  }
}

async function runAll<F extends FrameworkTypes>(r: Runner<F>, uri: string, server: RunningServer): Promise<Map<string, Cell>> {
  const client = r.client(uri)
  await r.run(client.connect())
  const db = client.db(`motor_demo_${r.name}`) as MotorDb<F>
  const q = orderQueries(db)
  const caps = server.info.capabilities
  const lacks = (what: string) => ({ text: `skipped: ${server.info.name} lacks ${what}` })
  const cells = new Map<string, Cell>()
  try {
    await r.run(q.reset())
    cells.set('insert 2,000 orders', await timed(async () => `${(await r.run(q.insert())).insertedCount} inserted`))
    cells.set('create index', await timed(async () => `index ${await r.run(q.index())}`))
    cells.set('indexed query', await timed(async () => JSON.stringify(await r.run(q.topParis()))))
    cells.set('aggregation', await timed(async () => {
      const rows = await r.run(q.revenue())
      return rows.map((row) => `${row._id} ${row.revenue}`).join(', ')
    }))
    cells.set('streamed cursor', await timed(async () => {
      const docs = await r.first(q.streamed(), 1000)
      return `${docs.length} docs, ids ${docs.slice(0, 4).map((d) => d._id).join(',')}...`
    }))
    cells.set(
      'change stream',
      caps.changeStreams
        ? await timed(async () => {
            const events = r.first(q.changes(), 3)
            await new Promise((resolve) => setTimeout(resolve, 300))
            for (const id of [1, 3, 4]) await r.run(q.touch(id))
            return (await within(10_000, events, 'three change events')).map((e) => `${e.operationType}#${(e as { documentKey?: { _id: number } }).documentKey?._id}`).join(' ')
          })
        : lacks('change streams'),
    )
    cells.set(
      'transaction',
      caps.transactions
        ? await timed(async () => {
            await r.run(q.transfer(10, 11, 25))
            return (await r.run(q.totals([10, 11]))).map((d) => `#${d._id}=${d.total}`).join(' ')
          })
        : lacks('transactions'),
    )
    await r.run(q.reset())
  } finally {
    await r.run(client.close())
  }
  return cells
}

function print(rows: Row[], names: string[]) {
  const width = 44
  const fit = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width))
  const stepWidth = Math.max(...rows.map((r) => r.step.length))
  console.log(`${''.padEnd(stepWidth)} | ${names.map(fit).join(' | ')}`)
  console.log(`${'-'.repeat(stepWidth)}-+-${names.map(() => '-'.repeat(width)).join('-+-')}`)
  for (const row of rows) {
    console.log(`${row.step.padEnd(stepWidth)} | ${row.cells.map((c) => fit(c.text)).join(' | ')}`)
    const times = row.cells.map((c) => fit(c.ms === undefined ? '' : `  ${c.ms.toFixed(1)} ms`))
    console.log(`${''.padEnd(stepWidth)} | ${times.join(' | ')}`)
  }
}

async function main() {
  const server = await startServer(selectServerKind())
  try {
    const uri = server.info.uri
    console.log(`server: ${server.info.name} ${server.info.version} at ${redact(uri)}\n`)
    const runners = [promiseRunner, rxjsRunner, effectRunner]
    const results: Map<string, Cell>[] = []
    for (const r of runners) {
      process.stderr.write(`running the queries through ${r.name}...\n`)
      results.push(await runAll(r, uri, server))
    }
    const steps = [...results[0]!.keys()]
    const rows = steps.map((step) => ({ step, cells: results.map((m) => m.get(step) ?? { text: 'missing' }) }))
    print(rows, runners.map((r) => r.name))
    const differing = rows.filter((row) => new Set(row.cells.map((c) => c.text)).size > 1).map((r) => r.step)
    const failed = rows.filter((row) => row.cells.some((c) => c.text.startsWith('ERROR'))).map((r) => r.step)
    console.log(
      `\n${differing.length ? `results differ between frameworks in: ${differing.join(', ')}` : 'all three frameworks returned the same results'}`,
    )
    if (failed.length) {
      console.error(`steps that failed: ${failed.join(', ')}`)
      process.exitCode = 1
    }
  } finally {
    await server.stop()
  }
}

await main()
