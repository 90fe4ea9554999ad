/**
 * Scenario 3, server faults: a server of its own (started by the repo's tools), killed
 * (SIGKILL, as a crash) while this framework has (a) a streamed cursor half read, (b) a change
 * stream waiting for events and (c) 100 operations in flight (held on the server by the
 * `failCommand` fail point where the server has it, else their replies held back by a loopback
 * proxy, `hold-proxy.ts`: either way they really are on the wire). Every
 * consumer must get a typed error in its own channel (a `MongoError` rejection or Observable
 * error; a `MotorError` failure, not a defect, in Effect) within the client's configured
 * timeouts, and none may hang. The server is then restarted on the same port and data: new
 * operations must succeed, and a change stream opened with the last resume token seen before
 * the crash must deliver what was written after it. Change streams are left out, with the
 * reason, where the server has none.
 */
import { type RunningServer, startServer } from '@motor-ts/tools'
import { Cause, Effect, Exit, Stream } from 'effect'
import { MongoError, MongoClient as RawClient } from 'mongodb'
import { lastValueFrom, type Observable, take, tap, toArray } from 'rxjs'
import { type AnyClient, closeQuietly, newClient, settle } from '../frameworks.ts'
import { HoldProxy } from '../hold-proxy.ts'
import { PoolMonitor, sleep } from '../probes.ts'
import { type ChildSettings, Findings, type FrameworkName, type ScenarioResult } from '../report.ts'

const SERVER_SELECTION_MS = 3000
/** How long a consumer may take to see its error after the kill: a change stream's resume attempt waits for server selection twice. */
const ERROR_LIMIT_MS = 2 * SERVER_SELECTION_MS + 2000
const IN_FLIGHT = 100
const DOCS = 2000
const HELD_APP = 'stress-faults-held'

/** How one consumer ended. */
interface Ended {
  ok: boolean
  /** A typed error: a MongoError (Promise, RxJS) or a MotorError failure (Effect). */
  typed: boolean
  name: string
  /** ms from the kill to the end (negative: it ended before). */
  afterKillMs: number
}

/** A clock the consumers read when they end, relative to the kill. */
class KillClock {
  at: number | undefined
  since(): number {
    return this.at === undefined ? -1 : Date.now() - this.at
  }
}

/** What the harness learns from a framework future or stream run: success, or its failure classified. */
async function outcome(framework: FrameworkName, run: () => Promise<unknown> | Effect.Effect<unknown, unknown>, clock: KillClock): Promise<Ended> {
  if (framework === 'effect') {
    const exit = await Effect.runPromiseExit(run() as Effect.Effect<unknown, unknown>)
    if (Exit.isSuccess(exit)) return { ok: true, typed: true, name: 'done', afterKillMs: clock.since() }
    const failure = exit.cause.reasons.find(Cause.isFailReason)?.error as { _tag?: string; reason?: { _tag?: string } } | undefined
    const typed = failure?._tag === 'MotorError' && !Cause.hasDies(exit.cause)
    return { ok: false, typed, name: typed ? `MotorError(${failure?.reason?._tag})` : Cause.pretty(exit.cause).slice(0, 200), afterKillMs: clock.since() }
  }
  try {
    await run()
    return { ok: true, typed: true, name: 'done', afterKillMs: clock.since() }
  } catch (error) {
    return { ok: false, typed: error instanceof MongoError, name: (error as Error)?.name ?? String(error), afterKillMs: clock.since() }
  }
}

/** Reads `stream` (a framework stream) to its end in the framework's style, calling `each` per value. */
function consume(framework: FrameworkName, stream: unknown, each: (value: any) => void): () => Promise<unknown> | Effect.Effect<unknown, unknown> {
  if (framework === 'promise')
    return async () => {
      for await (const value of stream as AsyncIterable<unknown>) each(value)
    }
  if (framework === 'rxjs') return () => lastValueFrom((stream as Observable<unknown>).pipe(tap(each), toArray()))
  return () => Stream.runForEach(stream as Stream.Stream<unknown, unknown>, (value) => Effect.sync(() => each(value)))
}

/** The first `n` values of `stream`, in the framework's style. */
function firstOf(framework: FrameworkName, stream: unknown, n: number): Promise<unknown[]> {
  if (framework === 'promise')
    return (async () => {
      const out: unknown[] = []
      for await (const value of stream as AsyncIterable<unknown>) if (out.push(value) >= n) break
      return out
    })()
  if (framework === 'rxjs') return lastValueFrom((stream as Observable<unknown>).pipe(take(n), toArray()))
  return Effect.runPromise(Stream.runCollect(Stream.take(stream as Stream.Stream<unknown, unknown>, n))).then((c) => [...c])
}

function describeEnds(label: string, ends: Ended[]): string {
  const errors = ends.filter((e) => !e.ok)
  const names = [...new Set(errors.map((e) => e.name))].join('/')
  const slowest = Math.max(0, ...ends.map((e) => e.afterKillMs))
  return `${label}: ${errors.length} typed-error ${errors.filter((e) => e.typed).length}/${errors.length}${names ? ` (${names})` : ''}, ${ends.length - errors.length} done first, slowest ${slowest} ms after the kill`
}

export async function serverFaults(settings: ChildSettings): Promise<ScenarioResult> {
  const f = new Findings()
  const fw = settings.framework
  const server: RunningServer = await startServer(settings.serverKind)
  const uri = server.info.uri
  const caps = server.info.capabilities
  const clients: AnyClient[] = []
  let proxy: HoldProxy | undefined
  try {
    const options = { serverSelectionTimeoutMS: SERVER_SELECTION_MS, heartbeatFrequencyMS: 500, appName: 'stress-faults' }
    const client = newClient(fw, uri, options)
    // (c)'s client: without `failCommand`, through a proxy that holds the replies, its pool
    // filled first (the handshakes must get through before the hold).
    proxy = caps.failCommand ? undefined : await HoldProxy.start(hostPort(uri))
    const heldUri = proxy ? `mongodb://127.0.0.1:${proxy.port}/?directConnection=true` : uri
    const held = newClient(fw, heldUri, { ...options, appName: HELD_APP, maxPoolSize: IN_FLIGHT, minPoolSize: proxy ? IN_FLIGHT : 0 })
    clients.push(client, held)
    const pool = new PoolMonitor(held as never)
    await settle(fw, (client as any).connect())
    await settle(fw, (held as any).connect())
    if (proxy) for (const end = Date.now() + 20_000; pool.open < IN_FLIGHT && Date.now() < end; ) await sleep(20)
    const db = (client as any).db(`stress_faults_${fw}`)
    const coll = db.collection('docs')
    await settle(fw, coll.insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: i, n: i }))))
    const clock = new KillClock()

    // (b) a change stream waiting for events, after one it has seen (its resume token).
    let token: unknown
    let changes = 0
    const watching = caps.changeStreams
      ? outcome(fw, consume(fw, db.collection('watched').watch([], { maxAwaitTimeMS: 200 }).toStream(), (c) => {
          token = c._id
          changes++
        }), clock)
      : undefined
    if (watching) {
      await sleep(500)
      await settle(fw, db.collection('watched').insertOne({ _id: 'before' }))
      for (const end = Date.now() + 10_000; changes === 0 && Date.now() < end; ) await sleep(20)
      f.check(changes === 1, `the change stream saw ${changes} change(s) before the kill, expected 1`)
    } else f.figure(`no change streams: ${settings.serverName} lacks them (${settings.notes.changeStreams ?? 'probe failed'})`)

    // (c) operations in flight: held on the server where it can hold them, else by the proxy.
    proxy?.hold()
    if (caps.failCommand) {
      const admin = new RawClient(uri, { serverSelectionTimeoutMS: SERVER_SELECTION_MS })
      await admin.db('admin').command({
        configureFailPoint: 'failCommand',
        mode: { times: IN_FLIGHT },
        data: { failCommands: ['find'], blockConnection: true, blockTimeMS: 30_000, appName: HELD_APP },
      })
      await admin.close()
    }
    const heldColl = (held as any).db(`stress_faults_${fw}`).collection('docs')
    const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) => outcome(fw, () => settleOrEffect(fw, heldColl.findOne({ _id: i })), clock))

    // (a) a streamed cursor, killed after its 20th document.
    let read = 0
    const streaming = outcome(
      fw,
      consume(fw, coll.find({}, { batchSize: 2 }).toStream(), () => {
        if (++read === 20) kill()
      }),
      clock,
    )
    let killed: Promise<void> | undefined
    let onWire = 0
    const kill = () => {
      killed ??= (async () => {
        for (const end = Date.now() + 10_000; pool.checkedOut < IN_FLIGHT && Date.now() < end; ) await sleep(10)
        onWire = pool.checkedOut
        clock.at = Date.now()
        await server.halt!('SIGKILL')
      })()
    }
    const ends = await Promise.all([streaming, watching ?? Promise.resolve(undefined), Promise.all(inFlight)])
    await killed
    const [cursorEnd, changeEnd, opEnds] = ends
    f.figure(describeEnds('streamed cursor', [cursorEnd]) + `, read ${read} of ${DOCS}`)
    if (changeEnd) f.figure(describeEnds('change stream', [changeEnd]))
    f.figure(describeEnds(`${IN_FLIGHT} ops in flight (${proxy ? `replies held by a proxy: ${settings.serverName} has no failCommand` : 'held on the server'}, ${onWire} on the wire at the kill)`, opEnds))
    for (const [label, list] of [['streamed cursor', [cursorEnd]], ['change stream', changeEnd ? [changeEnd] : []], ['ops in flight', opEnds]] as const) {
      const bad = list.filter((e) => !e.ok && !e.typed)
      f.check(bad.length === 0, `${label}: ${bad.length} untyped error(s), first: ${bad[0]?.name}`)
      const slow = list.filter((e) => e.afterKillMs > ERROR_LIMIT_MS)
      f.check(slow.length === 0, `${label}: ${slow.length} ended more than ${ERROR_LIMIT_MS} ms after the kill`)
    }
    f.check(!cursorEnd.ok, `the streamed cursor read all ${read} documents: the kill came too late`)
    if (changeEnd) f.check(!changeEnd.ok, 'the change stream ended without an error')
    f.check(onWire === IN_FLIGHT, `only ${onWire} of the ${IN_FLIGHT} operations were on the wire at the kill`)
    f.check(opEnds.every((e) => !e.ok), `${opEnds.filter((e) => e.ok).length} held operation(s) succeeded across the kill`)

    // Restart on the same port and data; new operations succeed.
    const restartAt = Date.now()
    await server.restart!()
    const restartMs = Date.now() - restartAt
    const firstOk = Date.now()
    const after = await outcome(fw, () => settleOrEffect(fw, coll.insertOne({ _id: 'after' })), new KillClock())
    const found = await settle<unknown>(fw, coll.countDocuments({})).catch((e: unknown) => e)
    f.figure(`restarted in ${restartMs} ms, first new write ${after.ok ? 'ok' : `failed (${after.name})`} ${Date.now() - firstOk} ms later, ${found} documents`)
    f.check(after.ok, `a write after the restart failed: ${after.name}`)
    f.check(found === DOCS + 1, `after the restart the collection has ${String(found)} documents, expected ${DOCS + 1} (data kept)`)

    // The change stream resumes from its last token: it delivers what was written since.
    if (watching && token !== undefined) {
      await settle(fw, db.collection('watched').insertOne({ _id: 'after-restart' }))
      const resumed = await firstOf(fw, db.collection('watched').watch([], { resumeAfter: token, maxAwaitTimeMS: 200 }).toStream(), 1).catch((e: unknown) => e)
      const key = Array.isArray(resumed) ? (resumed[0] as { documentKey?: { _id?: unknown } })?.documentKey?._id : undefined
      f.figure(`resumed after the restart with the token from before: ${key !== undefined ? `first change ${String(key)}` : `failed (${(resumed as Error)?.name})`}`)
      f.check(key === 'after-restart', `the change stream resumed with its token did not deliver the write made after the restart (got ${String(key ?? (resumed as Error)?.message)})`)
    }
    const checkedOut = await pool.settledCheckedOut()
    f.figure(`checked out ${checkedOut}`)
    f.check(checkedOut === 0, `${checkedOut} connection(s) still checked out`)
  } finally {
    for (const c of clients) await closeQuietly(fw, c)
    await proxy?.close()
    await server.stop()
  }
  return f.result()
}

/** The host and port of a single-server `mongodb://` URI. */
function hostPort(uri: string): { host: string; port: number } {
  const { hostname, port } = new URL(uri)
  return { host: hostname, port: Number(port || 27017) }
}

/** A future as the harness's Promise, or the Effect itself (for `outcome`). */
function settleOrEffect(framework: FrameworkName, future: unknown): Promise<unknown> | Effect.Effect<unknown, unknown> {
  return framework === 'effect' ? (future as Effect.Effect<unknown, unknown>) : settle(framework, future)
}
