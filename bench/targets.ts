/**
 * The targets a workload runs on, each driven the way its users drive it (await,
 * `lastValueFrom`, `Effect.runPromise`):
 * - `driver`: the raw `mongodb` driver; every ratio is against it.
 * - `promise`, `rxjs`, `effect`: motor-ts through each framework.
 * - `rxjs-hand`, `effect-hand`: what a careful user writes instead of installing motor-ts:
 *   the driver call inside the framework's own primitive, with cancellation (an Observable
 *   around the driver's Promise with an AbortController; `Effect.tryPromise` with its
 *   signal). The Promise framework's hand-written equivalent is the driver itself.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import * as effectPkg from '@motor-ts/effect'
import * as promisePkg from '@motor-ts/promise'
import * as rxPkg from '@motor-ts/rxjs'
import * as effectLib from 'effect'
import { Effect, Stream } from 'effect'
import { type AnyBulkWriteOperation, type ChangeStreamDocument, type Document, MongoClient as DriverClient } from 'mongodb'
import * as rxLib from 'rxjs'
import { lastValueFrom, Observable, count as rxCount, type Subscription, tap } from 'rxjs'

export type Doc = { _id?: number; [key: string]: any }

/** One target's operations, each a plain async function. `coll` names a collection in the bench db. */
export interface Target {
  readonly name: string
  /** The target this one is compared with as "by hand" (the driver for promise). */
  readonly hand: string
  findOne(coll: string, id: number): Promise<unknown>
  insertOne(coll: string, doc: Doc): Promise<unknown>
  updateOne(coll: string, id: number, n: number): Promise<unknown>
  insertMany(coll: string, docs: Doc[]): Promise<unknown>
  bulkWrite(coll: string, ops: AnyBulkWriteOperation<Doc>[]): Promise<unknown>
  aggregate(coll: string, pipeline: Doc[]): Promise<unknown[]>
  countDocuments(coll: string, filter: Doc): Promise<number>
  toArray(coll: string): Promise<unknown[]>
  /** Consume `find({})` through the target's native stream; `each` sees every document. */
  stream(coll: string, each?: (doc: unknown) => void): Promise<number>
  /** insertOne, updateOne, deleteOne in one transaction. */
  transaction(coll: string, id: number): Promise<unknown>
  /** Deliver change events to `each` until the returned stop is called. */
  watch(coll: string, each: (event: ChangeStreamDocument) => void): () => Promise<void>
  close(): Promise<void>
}

/** The motor-ts packages (and the framework libraries they are used with) a set of targets runs on. */
export interface MotorBuild {
  promise: typeof promisePkg
  rxjs: typeof rxPkg
  effect: typeof effectPkg
  rxLib: typeof rxLib
  effectLib: typeof effectLib
}

const thisBuild: MotorBuild = { promise: promisePkg, rxjs: rxPkg, effect: effectPkg, rxLib, effectLib }

/**
 * Another checkout's build of motor-ts (e.g. the commit before a change), loaded with that
 * checkout's own framework libraries, to compare in the same run: `--compare DIR`.
 */
export async function loadBuild(dir: string): Promise<MotorBuild> {
  const load = async (pkg: string, from: string) => {
    const req = createRequire(`${dir}/packages/${from}/package.json`)
    return import(pathToFileURL(req.resolve(pkg).replace(/\.cjs$/, '.js')).href)
  }
  const esm = async (pkg: string, from: string) => {
    const req = createRequire(`${dir}/packages/${from}/package.json`)
    const main = req.resolve(pkg)
    return import(pathToFileURL(main).href)
  }
  return {
    promise: await load(`${dir}/packages/framework-promise`, 'framework-promise'),
    rxjs: await load(`${dir}/packages/framework-rxjs`, 'framework-rxjs'),
    effect: await load(`${dir}/packages/framework-effect`, 'framework-effect'),
    rxLib: await esm('rxjs', 'framework-rxjs'),
    effectLib: await esm('effect', 'framework-effect'),
  }
}

const txDocs = (id: number) => [{ _id: id, step: 1 }, { $set: { step: 2 } }] as const

/** An Observable around a driver Promise, aborting the call on unsubscribe. */
function observe<A>(run: (signal: AbortSignal) => Promise<A>): Observable<A> {
  return new Observable<A>((subscriber) => {
    const controller = new AbortController()
    let settled = false
    run(controller.signal).then(
      (value) => {
        settled = true
        subscriber.next(value)
        subscriber.complete()
      },
      (error) => {
        settled = true
        subscriber.error(error)
      },
    )
    return () => {
      if (!settled) controller.abort()
    }
  })
}

/** An Observable over a driver async iterable, closing it on unsubscribe. */
function observeIterable<A>(open: () => AsyncIterable<A> & { close(): Promise<void> }): Observable<A> {
  return new Observable<A>((subscriber) => {
    const source = open()
    void (async () => {
      try {
        for await (const value of source) {
          if (subscriber.closed) return
          subscriber.next(value)
        }
        subscriber.complete()
      } catch (error) {
        subscriber.error(error)
      }
    })()
    return () => void source.close()
  })
}

/** An Effect Stream over a driver async iterable, closed when the stream's scope ends. */
function streamIterable<A>(open: () => AsyncIterable<A> & { close(): Promise<void> }): Stream.Stream<A, unknown> {
  const { Stream } = effectLib
  return Stream.unwrap(
    Effect.map(
      Effect.acquireRelease(Effect.sync(open), (source) => Effect.promise(() => source.close())),
      (source) => Stream.fromAsyncIterable(source, (error) => error),
    ),
  )
}

const tried = <A>(run: (signal: AbortSignal) => Promise<A>) => Effect.tryPromise({ try: run, catch: (error) => error })

/** Every target, in table order; `compare` adds another build's motor-ts targets, tagged `@before`. */
export async function allTargets(uri: string, dbName: string, compare?: MotorBuild): Promise<Target[]> {
  const driver = await rawDriver(uri, dbName, 'driver')
  // A second, identical raw-driver target: its "ratio" to the driver is the measurement's own
  // noise floor and bias in this run (an A/A control).
  const control = await rawDriver(uri, dbName, 'driver-aa')
  const [rxHand, effectHand] = await baselineTargets(uri, dbName)
  const [p, rx, ef] = await motorTargets(uri, dbName, thisBuild, '')
  const before = compare ? await motorTargets(uri, dbName, compare, '@before') : []
  return [driver, control, p!, ...before.slice(0, 1), rx!, ...before.slice(1, 2), rxHand!, ef!, ...before.slice(2), effectHand!]
}

/**
 * Every target's client options: pools of 64, so the ten clients of a `--compare` run stay
 * under the thousand connections the test servers take (past that SecantusDB resets new ones).
 * The same for every target, so ratios are unaffected; x128 queues for a connection on each.
 */
const CLIENT_OPTIONS = { maxPoolSize: 64 } as const

/** The raw driver on its own client, as target `name`. */
async function rawDriver(uri: string, dbName: string, name: string): Promise<Target> {
  const driver = await new DriverClient(uri, CLIENT_OPTIONS).connect()
  const dc = (coll: string) => driver.db(dbName).collection<Doc>(coll)
  return {
    name,
    hand: 'driver',
    findOne: (c, id) => dc(c).findOne({ _id: id }),
    insertOne: (c, doc) => dc(c).insertOne(doc),
    updateOne: (c, id, n) => dc(c).updateOne({ _id: id }, { $set: { n } }),
    insertMany: (c, docs) => dc(c).insertMany(docs),
    bulkWrite: (c, ops) => dc(c).bulkWrite(ops),
    aggregate: (c, pipeline) => dc(c).aggregate(pipeline).toArray(),
    countDocuments: (c, filter) => dc(c).countDocuments(filter),
    toArray: (c) => dc(c).find({}).toArray(),
    stream: async (c, each) => {
      let n = 0
      for await (const doc of dc(c).find({})) {
        each?.(doc)
        n++
      }
      return n
    },
    transaction: (c, id) =>
      driver.withSession((s) =>
        s.withTransaction(async () => {
          const [doc, update] = txDocs(id)
          await dc(c).insertOne(doc, { session: s })
          await dc(c).updateOne({ _id: id }, update, { session: s })
          await dc(c).deleteOne({ _id: id }, { session: s })
        }),
      ),
    watch: (c, each) => {
      const cs = dc(c).watch()
      const done = (async () => {
        for await (const event of cs) each(event)
      })().catch(() => undefined)
      return async () => {
        await cs.close()
        await done
      }
    },
    close: () => driver.close(),
  }
}

async function baselineTargets(uri: string, dbName: string): Promise<Target[]> {
  const hand = await new DriverClient(uri, CLIENT_OPTIONS).connect()
  const hc = (name: string) => hand.db(dbName).collection<Doc>(name)
  const hand2 = await new DriverClient(uri, CLIENT_OPTIONS).connect()
  const h2 = (name: string) => hand2.db(dbName).collection<Doc>(name)


  const rxHand: Target = {
    name: 'rxjs-hand',
    hand: 'rxjs-hand',
    findOne: (c, id) => lastValueFrom(observe((signal) => hc(c).findOne({ _id: id }, { signal }))),
    insertOne: (c, doc) => lastValueFrom(observe(() => hc(c).insertOne(doc))),
    updateOne: (c, id, n) => lastValueFrom(observe(() => hc(c).updateOne({ _id: id }, { $set: { n } }))),
    insertMany: (c, docs) => lastValueFrom(observe(() => hc(c).insertMany(docs))),
    bulkWrite: (c, ops) => lastValueFrom(observe(() => hc(c).bulkWrite(ops))),
    aggregate: (c, pipeline) => lastValueFrom(observe((signal) => hc(c).aggregate(pipeline, { signal }).toArray())),
    countDocuments: (c, filter) => lastValueFrom(observe((signal) => hc(c).countDocuments(filter, { signal }))),
    toArray: (c) => lastValueFrom(observe((signal) => hc(c).find({}, { signal }).toArray())),
    stream: (c, each) => {
      const docs = observeIterable(() => hc(c).find({}))
      return lastValueFrom(each ? docs.pipe(tap(each), rxCount()) : docs.pipe(rxCount()))
    },
    transaction: (c, id) =>
      lastValueFrom(
        observe(() =>
          hand.withSession((s) =>
            s.withTransaction(async () => {
              const [doc, update] = txDocs(id)
              await hc(c).insertOne(doc, { session: s })
              await hc(c).updateOne({ _id: id }, update, { session: s })
              await hc(c).deleteOne({ _id: id }, { session: s })
            }),
          ),
        ),
      ),
    watch: (c, each) => rxWatch(observeIterable(() => hc(c).watch()), each),
    close: () => hand.close(),
  }

  const effectHand: Target = {
    name: 'effect-hand',
    hand: 'effect-hand',
    findOne: (c, id) => Effect.runPromise(tried((signal) => h2(c).findOne({ _id: id }, { signal }))),
    insertOne: (c, doc) => Effect.runPromise(tried(() => h2(c).insertOne(doc))),
    updateOne: (c, id, n) => Effect.runPromise(tried(() => h2(c).updateOne({ _id: id }, { $set: { n } }))),
    insertMany: (c, docs) => Effect.runPromise(tried(() => h2(c).insertMany(docs))),
    bulkWrite: (c, ops) => Effect.runPromise(tried(() => h2(c).bulkWrite(ops))),
    aggregate: (c, pipeline) => Effect.runPromise(tried((signal) => h2(c).aggregate(pipeline, { signal }).toArray())),
    countDocuments: (c, filter) => Effect.runPromise(tried((signal) => h2(c).countDocuments(filter, { signal }))),
    toArray: (c) => Effect.runPromise(tried((signal) => h2(c).find({}, { signal }).toArray())),
    stream: (c, each) => effectCount(effectLib, streamIterable(() => h2(c).find({})), each),
    transaction: (c, id) =>
      Effect.runPromise(
        tried(() =>
          hand2.withSession((s) =>
            s.withTransaction(async () => {
              const [doc, update] = txDocs(id)
              await h2(c).insertOne(doc, { session: s })
              await h2(c).updateOne({ _id: id }, update, { session: s })
              await h2(c).deleteOne({ _id: id }, { session: s })
            }),
          ),
        ),
      ),
    watch: (c, each) => effectWatch(effectLib, streamIterable(() => h2(c).watch()), each),
    close: () => hand2.close(),
  }

  return [rxHand, effectHand]
}

/** motor-ts through each framework, from `b` (this checkout's build, or another's to compare). */
async function motorTargets(uri: string, dbName: string, b: MotorBuild, tag: string): Promise<Target[]> {
  const { concat, count: rxCount, lastValueFrom, tap } = b.rxLib
  const { Effect } = b.effectLib
  const p = new b.promise.MongoClient(uri, CLIENT_OPTIONS)
  await p.connect()
  const pc = (name: string) => p.db(dbName).collection<Doc>(name)
  const rx = new b.rxjs.MongoClient(uri, CLIENT_OPTIONS)
  await lastValueFrom(rx.connect())
  const rc = (name: string) => rx.db(dbName).collection<Doc>(name)
  const ef = new b.effect.MongoClient(uri, CLIENT_OPTIONS)
  await Effect.runPromise(ef.connect())
  const ec = (name: string) => ef.db(dbName).collection<Doc>(name)

  const promiseTarget: Target = {
    name: `promise${tag}`,
    hand: 'driver',
    findOne: (c, id) => pc(c).findOne({ _id: id }),
    insertOne: (c, doc) => pc(c).insertOne(doc),
    updateOne: (c, id, n) => pc(c).updateOne({ _id: id }, { $set: { n } }),
    insertMany: (c, docs) => pc(c).insertMany(docs),
    bulkWrite: (c, ops) => pc(c).bulkWrite(ops),
    aggregate: (c, pipeline) => pc(c).aggregate(pipeline).toArray(),
    countDocuments: (c, filter) => pc(c).countDocuments(filter),
    toArray: (c) => pc(c).find({}).toArray(),
    stream: async (c, each) => {
      let n = 0
      for await (const doc of pc(c).find({}).toStream()) {
        each?.(doc)
        n++
      }
      return n
    },
    transaction: (c, id) =>
      p.withSession((s) =>
        s.withTransaction(async () => {
          const [doc, update] = txDocs(id)
          await pc(c).insertOne(doc, { session: s })
          await pc(c).updateOne({ _id: id }, update, { session: s })
          await pc(c).deleteOne({ _id: id }, { session: s })
        }),
      ),
    watch: (c, each) => {
      const it = pc(c).watch().toStream()[Symbol.asyncIterator]()
      let stopped = false
      const done = (async () => {
        while (!stopped) {
          const step = await it.next()
          if (step.done) return
          each(step.value as ChangeStreamDocument)
        }
      })().catch(() => undefined)
      return async () => {
        stopped = true
        await it.return?.()
        await done
      }
    },
    close: () => p.close(),
  }

  const rxTarget: Target = {
    name: `rxjs${tag}`,
    hand: 'rxjs-hand',
    findOne: (c, id) => lastValueFrom(rc(c).findOne({ _id: id })),
    insertOne: (c, doc) => lastValueFrom(rc(c).insertOne(doc)),
    updateOne: (c, id, n) => lastValueFrom(rc(c).updateOne({ _id: id }, { $set: { n } })),
    insertMany: (c, docs) => lastValueFrom(rc(c).insertMany(docs)),
    bulkWrite: (c, ops) => lastValueFrom(rc(c).bulkWrite(ops)),
    aggregate: (c, pipeline) => lastValueFrom(rc(c).aggregate(pipeline).toArray()),
    countDocuments: (c, filter) => lastValueFrom(rc(c).countDocuments(filter)),
    toArray: (c) => lastValueFrom(rc(c).find({}).toArray()),
    stream: (c, each) => {
      const docs = rc(c).find({}).toStream()
      return lastValueFrom(each ? docs.pipe(tap(each), rxCount()) : docs.pipe(rxCount()))
    },
    transaction: (c, id) =>
      lastValueFrom(
        rx.withSession((s) =>
          s.withTransaction(() => {
            const [doc, update] = txDocs(id)
            return concat(
              rc(c).insertOne(doc, { session: s }),
              rc(c).updateOne({ _id: id }, update, { session: s }),
              rc(c).deleteOne({ _id: id }, { session: s }),
            )
          }),
        ),
      ),
    watch: (c, each) => rxWatch(rc(c).watch().toStream() as Observable<ChangeStreamDocument>, each),
    close: () => lastValueFrom(rx.close()),
  }

  const effectTarget: Target = {
    name: `effect${tag}`,
    hand: 'effect-hand',
    findOne: (c, id) => Effect.runPromise(ec(c).findOne({ _id: id })),
    insertOne: (c, doc) => Effect.runPromise(ec(c).insertOne(doc)),
    updateOne: (c, id, n) => Effect.runPromise(ec(c).updateOne({ _id: id }, { $set: { n } })),
    insertMany: (c, docs) => Effect.runPromise(ec(c).insertMany(docs)),
    bulkWrite: (c, ops) => Effect.runPromise(ec(c).bulkWrite(ops)),
    aggregate: (c, pipeline) => Effect.runPromise(ec(c).aggregate(pipeline).toArray()),
    countDocuments: (c, filter) => Effect.runPromise(ec(c).countDocuments(filter)),
    toArray: (c) => Effect.runPromise(ec(c).find({}).toArray()),
    stream: (c, each) => effectCount(b.effectLib, ec(c).find({}).toStream(), each),
    transaction: (c, id) =>
      Effect.runPromise(
        ef.withSession((s) =>
          s.withTransaction(() => {
            const [doc, update] = txDocs(id)
            return Effect.all([
              ec(c).insertOne(doc, { session: s }),
              ec(c).updateOne({ _id: id }, update, { session: s }),
              ec(c).deleteOne({ _id: id }, { session: s }),
            ])
          }),
        ),
      ),
    watch: (c, each) => effectWatch(b.effectLib, ec(c).watch().toStream() as Stream.Stream<ChangeStreamDocument, unknown>, each),
    close: () => Effect.runPromise(ef.close()),
  }

  return [promiseTarget, rxTarget, effectTarget]
}

function rxWatch(events: Observable<ChangeStreamDocument>, each: (event: ChangeStreamDocument) => void) {
  const sub: Subscription = events.subscribe({ next: each, error: () => undefined })
  return async () => sub.unsubscribe()
}

function effectCount<A>(lib: typeof effectLib, stream: Stream.Stream<A, unknown>, each?: (doc: unknown) => void): Promise<number> {
  const { Effect, Stream } = lib
  return Effect.runPromise(Stream.runCount(each ? Stream.tap(stream, (d) => Effect.sync(() => each(d))) : stream))
}

function effectWatch(lib: typeof effectLib, events: Stream.Stream<ChangeStreamDocument, unknown>, each: (event: ChangeStreamDocument) => void) {
  const { Effect, Fiber } = lib
  const fiber = Effect.runFork(Stream.runForEach(events, (event) => Effect.sync(() => each(event))))
  return async () => {
    await Effect.runPromise(Fiber.interrupt(fiber))
  }
}
