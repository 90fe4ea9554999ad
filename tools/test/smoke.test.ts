/**
 * Smoke tests of the provisioned server with the raw `mongodb` driver, run against whichever
 * server the global setup started (so the matrix runs them on SecantusDB and on FerretDB).
 * Basic CRUD, cursors that need getMore (seen through command monitoring), aggregation and
 * indexes must work everywhere; transactions and change streams run where the probe found them
 * and are skipped with a note elsewhere. A last block checks the capability map is consistent.
 */
import { type ChangeStreamDocument, type CommandStartedEvent, type Db, MongoClient } from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { missing, requires, server, uniqueName } from '../src/index.ts'

interface Item {
  _id: number
  group: string
  n: number
}

let client: MongoClient
let db: Db
const commands: CommandStartedEvent[] = []

beforeAll(async () => {
  client = new MongoClient(server().uri, { monitorCommands: true, serverSelectionTimeoutMS: 10_000 })
  client.on('commandStarted', (event) => commands.push(event))
  await client.connect()
  db = client.db(uniqueName('smoke'))
})

afterAll(async () => {
  await db?.dropDatabase().catch(() => undefined)
  await client?.close()
})

const items = (count: number): Item[] => Array.from({ length: count }, (_, i) => ({ _id: i, group: i % 2 ? 'odd' : 'even', n: i }))

describe('every server', () => {
  it('reports who it is', () => {
    const info = server()
    expect(info.name).toMatch(/^(SecantusDB|FerretDB|MongoDB)$/)
    expect(info.version).toMatch(/^\d+\.\d+/)
    expect(info.uri).toMatch(/^mongodb(\+srv)?:\/\//)
  })

  it('insertMany and find with a small batchSize (getMore)', async () => {
    const coll = db.collection<Item>('cursor')
    const result = await coll.insertMany(items(25))
    expect(result.insertedCount).toBe(25)

    const before = commands.length
    const docs = await coll.find({}, { batchSize: 4 }).sort({ _id: 1 }).toArray()
    expect(docs.map((d) => d._id)).toEqual(items(25).map((d) => d._id))
    const seen = commands.slice(before).filter((e) => e.databaseName === db.databaseName)
    expect(seen.filter((e) => e.commandName === 'find')).toHaveLength(1)
    const getMores = seen.filter((e) => e.commandName === 'getMore')
    expect(getMores.length).toBeGreaterThanOrEqual(6) // 25 docs in batches of 4: 1 find + 6 getMores
    expect(getMores.every((e) => e.command.collection === 'cursor')).toBe(true)
  })

  it('aggregate', async () => {
    const coll = db.collection<Item>('aggregate')
    await coll.insertMany(items(10))
    // One accumulator per $group: FerretDB 1.24.2 computes only the first accumulator of a
    // $group and returns 0 for the others (seen with {$sum: '$n'} followed by {$sum: 1}).
    const groups = await coll
      .aggregate<{ _id: string; total: number }>([
        { $match: { n: { $gte: 2 } } },
        { $group: { _id: '$group', total: { $sum: '$n' } } },
        { $sort: { _id: 1 } },
      ])
      .toArray()
    expect(groups).toEqual([
      { _id: 'even', total: 2 + 4 + 6 + 8 },
      { _id: 'odd', total: 3 + 5 + 7 + 9 },
    ])
    const counted = await coll.aggregate([{ $match: { group: 'odd' } }, { $count: 'odds' }]).toArray()
    expect(counted).toEqual([{ odds: 5 }])
    const projected = await coll
      .aggregate([{ $sort: { n: -1 } }, { $limit: 2 }, { $project: { _id: 0, n: 1 } }])
      .toArray()
    expect(projected).toEqual([{ n: 9 }, { n: 8 }])
  })

  it('createIndex and listIndexes', async () => {
    const coll = db.collection<Item>('indexes')
    await coll.insertMany(items(3))
    const name = await coll.createIndex({ group: 1, n: -1 }, { name: 'group_n' })
    expect(name).toBe('group_n')
    await coll.createIndex({ n: 1 }, { unique: true })
    const indexes = await coll.listIndexes().toArray()
    const byName = new Map(indexes.map((index) => [index.name, index]))
    expect([...byName.keys()].sort()).toEqual(['_id_', 'group_n', 'n_1'])
    expect(byName.get('group_n')?.key).toEqual({ group: 1, n: -1 })
    expect(byName.get('n_1')?.unique).toBe(true)
    await expect(coll.insertOne({ _id: 100, group: 'x', n: 1 })).rejects.toMatchObject({ code: 11000 })
  })

  it('updates and deletes', async () => {
    const coll = db.collection<Item>('crud')
    await coll.insertMany(items(4))
    expect((await coll.updateMany({ group: 'odd' }, { $inc: { n: 100 } })).modifiedCount).toBe(2)
    expect((await coll.deleteOne({ _id: 0 })).deletedCount).toBe(1)
    expect(await coll.find({}, { projection: { _id: 0, n: 1 } }).sort({ n: 1 }).toArray()).toEqual([{ n: 2 }, { n: 101 }, { n: 103 }])
  })
})

describe('where the server has them', () => {
  it('transaction commit', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = db.collection<Item>('txn_commit')
    await coll.insertOne({ _id: 0, group: 'before', n: 0 })
    const session = client.startSession()
    try {
      await session.withTransaction(async () => {
        await coll.insertOne({ _id: 1, group: 'txn', n: 1 }, { session })
        await coll.updateOne({ _id: 0 }, { $set: { n: 10 } }, { session })
        // Not visible outside the transaction before it commits.
        expect(await coll.findOne({ _id: 1 })).toBeNull()
      })
    } finally {
      await session.endSession()
    }
    expect(await coll.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 0, group: 'before', n: 10 },
      { _id: 1, group: 'txn', n: 1 },
    ])
  })

  it('transaction abort', async (ctx) => {
    requires(ctx, 'transactions')
    const coll = db.collection<Item>('txn_abort')
    await coll.insertOne({ _id: 0, group: 'before', n: 0 })
    const session = client.startSession()
    try {
      session.startTransaction()
      await coll.insertOne({ _id: 1, group: 'txn', n: 1 }, { session })
      await coll.deleteOne({ _id: 0 }, { session })
      expect(await coll.countDocuments({}, { session })).toBe(1)
      await session.abortTransaction()
    } finally {
      await session.endSession()
    }
    expect(await coll.find().toArray()).toEqual([{ _id: 0, group: 'before', n: 0 }])
  })

  it('change stream sees insert, update and delete', async (ctx) => {
    requires(ctx, 'changeStreams')
    const coll = db.collection<Item>('changes')
    await coll.insertOne({ _id: -1, group: 'setup', n: 0 }) // the collection exists before watching
    const stream = coll.watch<Item>([], { fullDocument: 'updateLookup', maxAwaitTimeMS: 200 })
    try {
      await stream.tryNext() // open the cursor before writing
      await coll.insertOne({ _id: 1, group: 'a', n: 1 })
      await coll.updateOne({ _id: 1 }, { $set: { n: 2 } })
      await coll.deleteOne({ _id: 1 })

      const events: ChangeStreamDocument<Item>[] = []
      const deadline = Date.now() + 15_000
      while (events.length < 3 && Date.now() < deadline) {
        const event = await stream.tryNext()
        if (event) events.push(event)
      }
      expect(events.map((e) => e.operationType)).toEqual(['insert', 'update', 'delete'])
      const [insert, update, remove] = events
      expect(insert?.operationType === 'insert' && insert.fullDocument).toEqual({ _id: 1, group: 'a', n: 1 })
      expect(update?.operationType === 'update' && update.updateDescription.updatedFields).toEqual({ n: 2 })
      expect(remove?.operationType === 'delete' && remove.documentKey).toEqual({ _id: 1 })
    } finally {
      await stream.close()
    }
  })
})

describe('capability map', () => {
  it('is consistent and explains every gap', () => {
    const { capabilities, notes } = server()
    expect(['replicaset', 'single', 'sharded']).toContain(capabilities.topology)
    expect(capabilities.maxWireVersion).toBeGreaterThan(0)
    if (capabilities.transactions) expect(capabilities.sessions).toBe(true)
    for (const [cap, has] of Object.entries(capabilities)) {
      if (has === false) expect(notes[cap as keyof typeof notes], `note for ${cap}`).toBeTruthy()
    }
  })

  it('words skip notes as "<name> <version> lacks <feature>"', () => {
    const info = server()
    const withoutStreams = { ...info, capabilities: { ...info.capabilities, changeStreams: false }, notes: { changeStreams: 'probe failed' } }
    expect(missing(withoutStreams, ['changeStreams'])).toBe(`${info.name} ${info.version} lacks change streams (probe failed)`)
    const withAll = { ...info, capabilities: { ...info.capabilities, transactions: true } }
    expect(missing(withAll, ['transactions'])).toBeUndefined()
  })
})
