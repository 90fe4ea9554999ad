/**
 * Scenario 4, differential fuzzing: fast-check generates cases (`fuzz-cases.ts`: documents and
 * one operation with its filter, update, projection, sort, pipeline and options, valid or not),
 * and each runs on the raw driver and on this framework, each against a fresh collection of
 * the same name in a database of its own, on a server of its own. The outcomes must be identical: the results (as
 * canonical Extended JSON, with the collection's contents after a write), or the error's
 * class, code and message (the original driver error under Effect's `MotorError`; a
 * synchronous throw of the driver counts as the same failure as a rejection). The run is
 * bounded in cases and time; the seed is the runner's, so `--seed N` replays it, and a
 * divergence is shrunk to its smallest case and printed.
 */
import { startServer } from '@motor-ts/tools'
import { Cause, Effect, Exit } from 'effect'
import fc from 'fast-check'
import { BSON, MongoClient as RawClient } from 'mongodb'
import { closeQuietly, connect, settle } from '../frameworks.ts'
import type { ChildSettings, FrameworkName, ScenarioResult } from '../report.ts'
import { Findings } from '../report.ts'
import { type FuzzCase, fuzzCase, type Op } from './fuzz-cases.ts'

const COLLECTION = 'fuzzed'

type Kind = FrameworkName | 'raw'

/** An outcome as comparable text: the value, or the error's class, code and message. */
async function outcomeOf(kind: Kind, run: () => unknown): Promise<string> {
  try {
    const future = run()
    const value = kind === 'raw' ? await future : kind === 'effect' ? await effectValue(future) : await settle(kind, future)
    return `ok ${BSON.EJSON.stringify(value as never, { relaxed: false })}`
  } catch (error) {
    const e = error as { constructor?: { name?: string }; code?: unknown; codeName?: unknown; message?: unknown }
    return `error ${e?.constructor?.name} ${String(e?.code)} ${String(e?.codeName)} ${String(e?.message)}`
  }
}

/** Runs an Effect; its failure is rethrown as the original driver error (`MotorError` → reason → cause). */
async function effectValue(future: unknown): Promise<unknown> {
  const exit = await Effect.runPromiseExit(future as Effect.Effect<unknown, unknown>)
  if (Exit.isSuccess(exit)) return exit.value
  const failure = exit.cause.reasons.find(Cause.isFailReason)?.error as { _tag?: string; reason?: { cause?: unknown } } | undefined
  if (failure?._tag === 'MotorError' && !Cause.hasDies(exit.cause)) throw failure.reason?.cause
  throw new Error(`not a MotorError failure: ${Cause.pretty(exit.cause).slice(0, 300)}`)
}

/** The operation on `coll` (a raw or wrapped collection), as a future of its result. */
function start(coll: any, op: Op): unknown {
  switch (op.op) {
    case 'find':
      return coll.find(op.filter, op.options).toArray()
    case 'aggregate':
      return coll.aggregate(op.pipeline).toArray()
    case 'updateMany':
      return coll.updateMany(op.filter, op.update, { upsert: op.upsert })
    case 'findOneAndUpdate':
      return coll.findOneAndUpdate(op.filter, op.update, op.options)
    case 'countDocuments':
      return coll.countDocuments(op.filter)
    case 'distinct':
      return coll.distinct(op.key, op.filter)
    case 'deleteMany':
      return coll.deleteMany(op.filter)
    case 'insertOne':
      return coll.insertOne(op.doc)
  }
}

/** The whole case on one side: fresh collection, insert, the operation, then what the collection holds. */
async function runCase(kind: Kind, db: any, c: FuzzCase): Promise<string[]> {
  await (kind === 'raw' ? db.dropCollection(COLLECTION) : settle(kind as FrameworkName, db.dropCollection(COLLECTION))).catch(() => undefined)
  const coll = db.collection(COLLECTION)
  const steps: string[] = []
  if (c.docs.length) steps.push(await outcomeOf(kind, () => coll.insertMany(c.docs, { ordered: true })))
  steps.push(await outcomeOf(kind, () => start(coll, c.op)))
  steps.push(await outcomeOf(kind, () => coll.find({}, { sort: { _id: 1 } }).toArray()))
  // The database names differ, an upsert's server-made ObjectId is new on each side,
  // FerretDB's messages can print Go pointers, and the driver's name its connections.
  return steps.map((s) =>
    s
      .replaceAll(db.databaseName, '<db>')
      .replace(/"\$oid":"[0-9a-f]{24}"/g, '"$oid":"<new>"')
      .replace(/0x[0-9a-f]{6,}/g, '0x<addr>')
      .replace(/connection \d+ to \S+ closed/g, 'connection <n> closed'),
  )
}

/** An outcome that may mean the server is gone (it is then checked with a ping). */
const lostServer = (outcome: string) => /MongoNetworkError|MongoServerSelectionError|connection <n> closed|ECONNREFUSED|ECONNRESET/.test(outcome)

/** Whether the server still answers a ping. */
async function alive(uri: string): Promise<boolean> {
  const probe = new RawClient(uri, { serverSelectionTimeoutMS: 2000 })
  try {
    await probe.db('admin').command({ ping: 1 })
    return true
  } catch {
    return false
  } finally {
    await probe.close()
  }
}

/**
 * A server of its own: fuzzed input may crash a server (FerretDB 1.24 panics on some). A case
 * that kills it is recorded, the server restarted on the same port and data, and the run goes
 * on; on FerretDB that is a known defect of the server (a figure), on any other server a failure.
 */
export async function fuzz(settings: ChildSettings): Promise<ScenarioResult> {
  const server = await startServer(settings.serverKind)
  try {
    return await fuzzOn(settings, server.info.uri, async () => {
      if (await alive(server.info.uri)) return false
      await server.restart!()
      return true
    })
  } finally {
    await server.stop()
  }
}

/** `revive()`: whether the server had died (and is now restarted). */
async function fuzzOn(settings: ChildSettings, uri: string, revive: () => Promise<boolean>): Promise<ScenarioResult> {
  const f = new Findings()
  const fw = settings.framework
  const numRuns = settings.quick ? 400 : 3000
  const timeLimitMs = settings.quick ? 60_000 : 300_000
  const raw = new RawClient(uri, { serverSelectionTimeoutMS: 5000 })
  await raw.connect()
  const client = await connect(fw, uri, { serverSelectionTimeoutMS: 5000 })
  // Fresh databases after each restart: FerretDB 1.24 can come back from a crash with a
  // collection's table left behind and unknown to its catalogue ("table ... already exists").
  let restarts = 0
  const databases = () => [raw.db(`stress_fuzz_raw_${process.pid}_${restarts}`), (client as any).db(`stress_fuzz_${fw}_${process.pid}_${restarts}`)]
  let [rawDb, fwDb] = databases()
  let cases = 0
  let divergences = 0
  let errorsBoth = 0
  const crashes: FuzzCase[] = []
  const byOp = new Map<string, { runs: number; ok: number }>()
  const started = Date.now()
  try {
    // Positive control: the comparison sees a difference when there is one (an extra document).
    const control: FuzzCase = { docs: [{ _id: 1, a: 1 }], op: { op: 'countDocuments', filter: {} } }
    const seen = await runCase(fw, fwDb, { ...control, docs: [...control.docs, { _id: 2, a: 2 }] })
    const base = await runCase('raw', rawDb, control)
    f.check(seen.some((s, i) => s !== base[i]), 'the positive control found no difference between two different cases')
    const property = fc.asyncProperty(fuzzCase, async (c) => {
      cases++
      // Each side gets its own copy: the driver writes the `_id`s it adds into the documents given.
      const expected = await runCase('raw', rawDb, structuredClone(c))
      const actual = await runCase(fw, fwDb, structuredClone(c))
      const failedOp = expected[expected.length - 2]?.startsWith('error')
      if (failedOp) errorsBoth++
      const stats = byOp.get(c.op.op) ?? { runs: 0, ok: 0 }
      byOp.set(c.op.op, { runs: stats.runs + 1, ok: stats.ok + (failedOp ? 0 : 1) })
      const same = expected.length === actual.length && expected.every((e, i) => e === actual[i])
      if (expected.concat(actual).some(lostServer) && (await revive())) {
        crashes.push(c)
        restarts++
        ;[rawDb, fwDb] = databases()
        return
      }
      if (!same) {
        divergences++
        const at = expected.findIndex((e, i) => e !== actual[i])
        throw new Error(`step ${at}: raw driver ${expected[at]?.slice(0, 300)} | ${fw} ${actual[at]?.slice(0, 300)}`)
      }
    })
    const details = await fc.check(property, { seed: settings.seed, numRuns, interruptAfterTimeLimit: timeLimitMs, endOnFailure: false })
    f.figure(`${details.numRuns} cases (${errorsBoth} ending in an error on both) in ${((Date.now() - started) / 1000).toFixed(0)} s, seed ${settings.seed}`)
    f.figure(`divergences ${details.failed ? 1 : 0}${details.failed ? ` (shrunk from ${divergences} failing runs)` : ''}`)
    f.figure(`by operation (runs/succeeded): ${[...byOp].map(([op, s]) => `${op} ${s.runs}/${s.ok}`).join(' ')}`)
    if (crashes.length) {
      const first = JSON.stringify(crashes[0], (_k, v) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 20)}…(${v.length})` : v))
      const known = settings.serverKind === 'ferretdb' ? ' (FerretDB 1.24 panics on some fuzzed input, maybe at a later garbage collection)' : ''
      f.figure(`the server crashed during ${crashes.length} case(s) and was restarted${known}, the first during: ${crashes[0]!.op.op}, ${first.slice(0, 160)}`)
      if (!known) f.fail(`the server crashed during ${crashes.length} case(s), the first during: ${first.slice(0, 300)}`)
    }
    if (details.interrupted) f.figure(`stopped at the ${timeLimitMs / 1000} s time limit`)
    if (details.failed) {
      const counterexample = JSON.stringify(details.counterexample, (_k, v) => (typeof v === 'string' && v.length > 80 ? `${v.slice(0, 20)}…(${v.length})` : v))
      f.fail(`${(details.errorInstance as Error)?.message ?? 'divergence'}; case ${counterexample?.slice(0, 600)}; replay: --seed ${details.seed} (path ${details.counterexamplePath})`)
    }
  } finally {
    await rawDb.dropDatabase().catch(() => undefined)
    await settle(fw, fwDb.dropDatabase()).catch(() => undefined)
    await raw.close()
    await closeQuietly(fw, client)
  }
  f.figure(`cases run ${cases} (with shrinking)`)
  f.check(divergences === 0, `${divergences} case(s) diverged`)
  return f.result()
}
