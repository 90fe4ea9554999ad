/**
 * Scenario 2, cancellation storm: thousands of reads, streamed cursors, change streams and
 * session-scoped reads (`storm-ops.ts`), 32 at a time, each cancelled at a random point (a
 * seeded random delay or document count) while a writer keeps the watched collection busy.
 * Afterwards the server's open cursors must be back to where they were before
 * (`serverStatus.metrics.cursor.open.total`), no connection checked out, no unhandled
 * rejection or uncaught exception, every explicit session ended and none of the driver's
 * sessions still in use. Change streams are left out, with the reason, where the server has none.
 * The Promise run also reports, for the record, what the same storm leaves open when written
 * with the driver's own client and cancellation (`rawBaseline`).
 */

import { MongoClient } from 'mongodb'
import { closeQuietly, newClient, settle } from '../frameworks.ts'
import { cursorsBackTo, PoolMonitor, type ProcessWatch, serverOpenCursors, sleep } from '../probes.ts'
import { seeded } from '../random.ts'
import { type ChildSettings, Findings, type ScenarioResult } from '../report.ts'
import { type Outcome, type StormOps, stormOps } from './storm-ops.ts'

const WORKERS = 32
const OP_LIMIT_MS = 30_000
const DOCS = 300

/** The driver's sessions in use (not back in its pool): read for this report only, from its internals. */
function driverSessionsInUse(client: unknown): number | undefined {
  const size = (client as { delegate?: { s?: { activeSessions?: Set<unknown> } } }).delegate?.s?.activeSessions?.size
  return typeof size === 'number' ? size : undefined
}

function bounded<T>(promise: Promise<T>, ms: number): Promise<T | 'hung'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const limit = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), ms)))
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer))
}

export async function cancelStorm(settings: ChildSettings, watch: ProcessWatch): Promise<ScenarioResult> {
  const f = new Findings()
  const total = settings.quick ? 2000 : 10_000
  const withChanges = settings.capabilities.changeStreams === true
  const dbName = `stress_storm_${settings.framework}_${process.pid}`
  const client = newClient(settings.framework, settings.uri, { maxPoolSize: 20, appName: 'motor-ts-stress' })
  const pool = new PoolMonitor(client as never)
  await settle(settings.framework, client.connect())
  const c = client as any
  await settle(settings.framework, c.db(dbName).collection('docs').insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: i, n: i }))))
  await settle(settings.framework, c.db(dbName).collection('watched').insertOne({ _id: 'start' }))
  const baseline = await serverOpenCursors(settings.uri)
  const ops = stormOps(settings.framework, client, dbName)

  // A writer, so change streams have events to deliver when cancelled.
  let writing = withChanges
  const writer = (async () => {
    for (let i = 0; writing && i < 100_000; i++) {
      await settle(settings.framework, c.db(dbName).collection('watched').insertOne({ i })).catch(() => undefined)
      await sleep(10)
    }
  })()
  const ferret = settings.serverKind === 'ferretdb'
  const counts = await storm(ops, total, seeded(settings.seed), withChanges, ferret)
  writing = false
  await writer

  const open = baseline === undefined ? undefined : await cursorsBackTo(settings.uri, baseline, 15_000)
  const checkedOut = await pool.settledCheckedOut()
  const unended = ops.sessions.filter((s) => !s.hasEnded).length
  const inUse = driverSessionsInUse(client)
  f.figure(`${total} ops in ${counts.seconds.toFixed(0)} s (${counts.reads} reads, ${counts.cursors} cursors, ${counts.changes} change streams, ${counts.sessions} in sessions)`)
  f.figure(`${counts.cancelled} cancelled, ${counts.done} finished first, ${counts.hung} hung, ${counts.unexpected} unexpected errors`)
  f.figure(baseline === undefined ? `server open cursors not measured: ${settings.serverName} does not report them (serverStatus metrics.cursor)` : `server open cursors ${open ?? 'n/a'} (${open === undefined ? 'n/a' : `${open - baseline >= 0 ? '+' : ''}${open - baseline}`} against the ${baseline} open before the storm)`)
  f.figure(`checked out ${checkedOut}`)
  f.figure(`unhandled rejections ${watch.unhandled}, uncaught exceptions ${watch.uncaught}`)
  f.figure(`sessions left open ${unended} of ${ops.sessions.length} explicit, driver sessions in use ${inUse ?? 'n/a'}`)
  if (ferret) f.figure(`${counts.lost} reads lost their cursor with a connection the driver dropped to cancel another operation (FerretDB ties cursors to their connection)`)
  if (!withChanges) f.figure(`no change streams: ${settings.serverName} lacks them (${settings.notes.changeStreams ?? 'probe failed'})`)
  f.check(counts.hung === 0, `${counts.hung} operation(s) did not settle within ${OP_LIMIT_MS / 1000}s`)
  f.check(counts.unexpected === 0, `${counts.unexpected} unexpected error(s), first: ${counts.firstUnexpected}`)
  f.check(open === undefined || baseline === undefined || open <= baseline, `${open} cursors open on the server, baseline ${baseline}`)
  f.check(checkedOut === 0, `${checkedOut} connection(s) still checked out`)
  f.check(unended === 0, `${unended} explicit session(s) never ended`)
  f.check(inUse === undefined || inUse === 0, `${inUse} driver session(s) still in use`)
  await settle(settings.framework, c.db(dbName).dropDatabase()).catch(() => undefined)
  await closeQuietly(settings.framework, client)
  if (settings.framework === 'promise') f.figure(await rawBaseline(settings, Math.min(total, 2000)))
  return f.result()
}

type Counts = Record<'done' | 'cancelled' | 'hung' | 'unexpected' | 'lost' | 'reads' | 'cursors' | 'changes' | 'sessions', number> & {
  firstUnexpected?: string
  seconds: number
}

/**
 * FerretDB 1.24 ties a cursor to the connection that opened it: when the driver drops a
 * connection to cancel an operation (an AbortSignal on `findOne`, `countDocuments`...), the
 * cursors opened on it are gone and their next getMore fails. The raw driver meets the same
 * (its baseline shows it); SecantusDB, like MongoDB, keeps them.
 */
const lostWithConnection = (error: unknown) => /cursor id \d+ not found|MsgGetMore\][\s\S]*( run exits: | context canceled$)/.test(String((error as Error)?.message))

/** `total` seeded operations of `ops`, WORKERS at a time, each bounded by OP_LIMIT_MS. */
async function storm(ops: StormOps, total: number, random: ReturnType<typeof seeded>, withChanges: boolean, ferret: boolean): Promise<Counts> {
  const counts: Counts = { done: 0, cancelled: 0, hung: 0, unexpected: 0, lost: 0, reads: 0, cursors: 0, changes: 0, sessions: 0, seconds: 0 }
  let next = 0
  const started = Date.now()
  const worker = async () => {
    while (next < total) {
      next++
      const roll = random.int(100)
      const delay = random.int(25)
      const variant = random.int(4)
      const take = 1 + random.int(60)
      let op: Promise<Outcome>
      if (roll < 40) {
        counts.reads++
        op = ops.read(variant, delay)
      } else if (roll < 75 || (!withChanges && roll < 90)) {
        counts.cursors++
        op = ops.cursor(variant, take, delay)
      } else if (roll < 90) {
        counts.changes++
        op = ops.change(1 + random.int(3), delay + random.int(50))
      } else {
        counts.sessions++
        op = ops.session(delay)
      }
      try {
        const outcome = await bounded(op, OP_LIMIT_MS)
        counts[outcome]++
      } catch (error) {
        if (ferret && lostWithConnection(error)) {
          counts.lost++
          continue
        }
        counts.unexpected++
        counts.firstUnexpected ??= error instanceof Error ? `${error.name}: ${error.message}` : String(error)
      }
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, worker))
  counts.seconds = (Date.now() - started) / 1000
  return counts
}

/**
 * The baseline, for the record (never a failure): the same storm written with the driver's own
 * client, cancelled the driver's way (an AbortSignal in the options, `close()`, `break`).
 * The cursors it leaves on the server are the driver's; the framework above must leave none.
 */
async function rawBaseline(settings: ChildSettings, total: number): Promise<string> {
  const dbName = `stress_storm_raw_${process.pid}`
  const raw = new MongoClient(settings.uri, { maxPoolSize: 20, appName: 'motor-ts-stress-raw' })
  await raw.db(dbName).collection<{ _id: number; n: number }>('docs').insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: i, n: i })))
  await raw.db(dbName).collection<{ _id: string }>('watched').insertOne({ _id: 'start' })
  const before = await serverOpenCursors(settings.uri)
  let writing = settings.capabilities.changeStreams === true
  const writer = (async () => {
    for (let i = 0; writing && i < 100_000; i++) {
      await raw.db(dbName).collection('watched').insertOne({ i }).catch(() => undefined)
      await sleep(10)
    }
  })()
  const counts = await storm(stormOps('raw', raw, dbName), total, seeded(settings.seed), writing, settings.serverKind === 'ferretdb')
  writing = false
  await writer
  await sleep(2000)
  const after = await serverOpenCursors(settings.uri)
  await raw.db(dbName).dropDatabase().catch(() => undefined)
  await raw.close()
  const left = before === undefined || after === undefined ? 'n/a' : after - before
  return `raw-driver baseline (same storm, ${total} ops, driver's own cancellation): ${left} server cursors left open (the server times them out), ${counts.lost ? `${counts.lost} reads lost their cursor with a dropped connection, ` : ''}${counts.unexpected} unexpected errors${counts.firstUnexpected ? ` (${counts.firstUnexpected.slice(0, 100)})` : ''}`
}
