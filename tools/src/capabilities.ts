/**
 * What a running server is and what it can do, found out from the server itself.
 *
 * `probeServer(uri)` reads `hello` and `buildInfo` for identity and topology, then tries each
 * optional feature for real in a scratch database (dropped afterwards): a session, a transaction
 * that commits and one that aborts, a change stream that must deliver an insert, a collation that
 * must change a query's result, a text index query, and the `failCommand` fail point. Nothing is
 * keyed on the server's name, so a new server version is described correctly without edits here.
 * A feature that fails gets `false` and the reason in `notes`.
 */
import { MongoClient } from 'mongodb'

export type Topology = 'replicaset' | 'single' | 'sharded'

export interface Capabilities {
  topology: Topology
  /** `maxWireVersion` from hello. */
  maxWireVersion: number
  /** Explicit client sessions work (startSession + an operation in it). */
  sessions: boolean
  /** Multi-document transactions commit and abort correctly. */
  transactions: boolean
  /** A change stream opens and delivers an insert. */
  changeStreams: boolean
  /** A case-insensitive collation changes a query's result. */
  collation: boolean
  /** A text index can be created and `$text` finds through it. */
  textSearch: boolean
  /** `configureFailPoint: 'failCommand'` is accepted (test commands are enabled). */
  failCommand: boolean
}

/** The capabilities that are yes/no, i.e. what `requires(ctx, ...)` can ask for. */
export type Capability = { [K in keyof Capabilities]: Capabilities[K] extends boolean ? K : never }[keyof Capabilities]

export const CAPABILITY_NAMES: Record<Capability, string> = {
  sessions: 'sessions',
  transactions: 'transactions',
  changeStreams: 'change streams',
  collation: 'collation',
  textSearch: 'text search',
  failCommand: 'the failCommand fail point',
}

/** A server the tests run against. Plain data, so vitest can hand it to test workers. */
export interface ServerInfo {
  /** Product name: 'SecantusDB', 'FerretDB' or 'MongoDB'. */
  name: string
  /** Connection string the tests should use. */
  uri: string
  /** The product's own version (e.g. '0.7.0b3', '1.24.2', '8.0.4'). */
  version: string
  /** The MongoDB version the server claims compatibility with (buildInfo.version). */
  mongodbVersion: string
  /** How it was provisioned: 'secantusdb' | 'ferretdb' | 'uri' | 'memory'. */
  kind: string
  capabilities: Capabilities
  /** Why each missing capability is missing: the probe's error, shortened. */
  notes: Partial<Record<Capability, string>>
}

const PROBE_TIMEOUT_MS = 10_000

function reason(error: unknown): string {
  const e = error as { message?: string; code?: number; codeName?: string }
  const text = `${e.codeName ? `${e.codeName}${e.code ? ` (${e.code})` : ''}: ` : ''}${e.message ?? String(error)}`
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}

/** Connects to `uri`, identifies the server and probes each optional capability. */
export async function probeServer(uri: string, kind: string): Promise<ServerInfo> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: PROBE_TIMEOUT_MS, appName: 'motor-ts-probe' })
  await client.connect()
  try {
    const admin = client.db('admin')
    const hello = await admin.command({ hello: 1 })
    const buildInfo = await admin.command({ buildInfo: 1 })
    const mongodbVersion = String(buildInfo.version ?? 'unknown')
    let name = 'MongoDB'
    let version = mongodbVersion
    if (buildInfo.secantusVersion) {
      name = 'SecantusDB'
      version = String(buildInfo.secantusVersion)
    } else if (buildInfo.ferretdbVersion) {
      name = 'FerretDB'
      version = String(buildInfo.ferretdbVersion).replace(/^v/, '')
    }
    const topology: Topology = hello.msg === 'isdbgrid' ? 'sharded' : hello.setName ? 'replicaset' : 'single'

    const notes: Partial<Record<Capability, string>> = {}
    const db = client.db(`motor_ts_probe_${process.pid}_${Date.now().toString(36)}`)
    const attempt = async (cap: Capability, check: () => Promise<string | undefined>): Promise<boolean> => {
      try {
        const failure = await check()
        if (failure) notes[cap] = failure
        return !failure
      } catch (error) {
        notes[cap] = reason(error)
        return false
      }
    }

    try {
      const sessions = await attempt('sessions', async () => {
        if (hello.logicalSessionTimeoutMinutes == null) return 'hello reports no logicalSessionTimeoutMinutes'
        const session = client.startSession()
        try {
          await db.collection('sessions').insertOne({ _id: 1 } as never, { session })
          const found = await db.collection('sessions').findOne({ _id: 1 } as never, { session })
          return found ? undefined : 'a document written in a session was not found in it'
        } finally {
          await session.endSession()
        }
      })

      const transactions = await attempt('transactions', async () => {
        if (!sessions) return 'no sessions'
        const coll = db.collection<{ _id: string }>('transactions')
        await coll.insertOne({ _id: 'before' }) // create the collection outside the transaction
        const session = client.startSession()
        try {
          session.startTransaction()
          await coll.insertOne({ _id: 'committed' }, { session })
          await session.commitTransaction()
          session.startTransaction()
          await coll.insertOne({ _id: 'aborted' }, { session })
          await session.abortTransaction()
        } finally {
          await session.endSession()
        }
        const ids = (await coll.find().toArray()).map((d) => d._id).sort()
        return ids.join() === 'before,committed' ? undefined : `after commit + abort the collection holds [${ids.join(', ')}]`
      })

      const changeStreams = await attempt('changeStreams', async () => {
        const coll = db.collection<{ _id: string }>('changes')
        await coll.insertOne({ _id: 'existing' })
        const stream = coll.watch([], { maxAwaitTimeMS: 200 })
        try {
          await stream.tryNext() // opens the cursor, so the insert below happens after it
          await coll.insertOne({ _id: 'new' })
          const deadline = Date.now() + PROBE_TIMEOUT_MS
          while (Date.now() < deadline) {
            const change = await stream.tryNext()
            if (change) return change.operationType === 'insert' ? undefined : `first change was ${change.operationType}, not insert`
          }
          return `no change event within ${PROBE_TIMEOUT_MS / 1000}s of an insert`
        } finally {
          await stream.close()
        }
      })

      const collation = await attempt('collation', async () => {
        const coll = db.collection<{ s: string }>('collation')
        await coll.insertMany([{ s: 'a' }, { s: 'A' }, { s: 'b' }])
        const n = await coll.countDocuments({ s: 'a' }, { collation: { locale: 'en', strength: 2 } })
        return n === 2 ? undefined : `a strength-2 collation matched ${n} of 'a'/'A' (expected 2)`
      })

      const textSearch = await attempt('textSearch', async () => {
        const coll = db.collection<{ t: string }>('text')
        await coll.insertMany([{ t: 'motor wraps the driver' }, { t: 'nothing here' }])
        await coll.createIndex({ t: 'text' })
        const found = await coll.find({ $text: { $search: 'driver' } }).toArray()
        return found.length === 1 ? undefined : `$text found ${found.length} documents (expected 1)`
      })

      const failCommand = await attempt('failCommand', async () => {
        await admin.command({ configureFailPoint: 'failCommand', mode: 'off' })
        return undefined
      })

      return {
        name,
        uri,
        version,
        mongodbVersion,
        kind,
        capabilities: {
          topology,
          maxWireVersion: Number(hello.maxWireVersion ?? 0),
          sessions,
          transactions,
          changeStreams,
          collation,
          textSearch,
          failCommand,
        },
        notes,
      }
    } finally {
      await db.dropDatabase().catch(() => undefined)
    }
  } finally {
    await client.close()
  }
}

/** One line for logs: `SecantusDB 0.7.0b3 (MongoDB 8.2.11 API, replicaset): sessions, transactions, ...`. */
export function describe(info: ServerInfo): string {
  const caps = Object.keys(CAPABILITY_NAMES) as Capability[]
  const yes = caps.filter((c) => info.capabilities[c]).map((c) => CAPABILITY_NAMES[c])
  const no = caps.filter((c) => !info.capabilities[c]).map((c) => CAPABILITY_NAMES[c])
  return `${info.name} ${info.version} (MongoDB ${info.mongodbVersion} API, ${info.capabilities.topology}) at ${info.uri}; has ${yes.join(', ') || 'none of the optional features'}${no.length ? `; lacks ${no.join(', ')}` : ''}`
}
