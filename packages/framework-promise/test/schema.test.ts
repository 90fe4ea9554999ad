/**
 * Schema-checked collections through Promises, on the real server: a Zod 4 schema validates
 * and decodes what is read (findOne, find cursors, findOneAnd*, change streams' fullDocument)
 * and validates what is written (insert, replace, bulkWrite) before it leaves. Failures are
 * `SchemaValidationError`s naming the document's `_id` and the failing path.
 */
import { requires, server, uniqueName } from '@motor-ts/tools'
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { type Db, MongoClient, ObjectId, SchemaValidationError, withSchema } from '../src/index.js'

const User = z.object({ _id: z.instanceof(ObjectId), name: z.string(), age: z.number().int().min(0) })
// `_id` optional: the driver's insert types then let the driver assign it.
const Note = z.object({ _id: z.instanceof(ObjectId).optional(), text: z.string() })
// A decoding schema: `tags` are stored as one comma-separated string, read as an array.
const Tagged = z.object({ _id: z.number(), tags: z.string().transform((s) => s.split(',')) })

let client: MongoClient
let db: Db
let inserts: number

beforeAll(async () => {
  client = await MongoClient.connect(server().uri, { monitorCommands: true })
  client.on('commandStarted', (e) => {
    if (e.commandName === 'insert' && e.databaseName === db.databaseName) inserts++
  })
  db = client.db(uniqueName('schema'))
})
afterAll(async () => {
  await db?.dropDatabase()
  await client?.close()
})

const failure = async (p: Promise<unknown>): Promise<SchemaValidationError> => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SchemaValidationError)
  return error as SchemaValidationError
}

describe('withSchema (Promise)', () => {
  it('types the collection after the schema and round-trips valid documents', async () => {
    const users = withSchema(db.collection(uniqueName('u')), User)
    const _id = new ObjectId()
    await users.insertOne({ _id, name: 'Ada', age: 36 })
    const found = await users.findOne({ _id })
    expectTypeOf(found!.age).toEqualTypeOf<number>()
    expectTypeOf(found!._id).toEqualTypeOf<ObjectId>()
    expect(found).toEqual({ _id, name: 'Ada', age: 36 })
    // A replacement has no _id (the server keeps it): not an error on a write.
    expect((await users.replaceOne({ _id }, { name: 'Ada L.', age: 37 })).modifiedCount).toBe(1)
    expect(await users.find().toArray()).toEqual([{ _id, name: 'Ada L.', age: 37 }])
  })

  it('leaves _id to the driver, which still sets it on your document', async () => {
    const notes = withSchema(db.collection(uniqueName('n')), Note)
    const note = { text: 'hi' }
    const { insertedId } = await notes.insertOne(note)
    expect((note as { _id?: unknown })._id).toBe(insertedId)
    expect((await notes.findOne({ _id: insertedId }))?.text).toBe('hi')
  })

  it('rejects an invalid write before it reaches the server, naming _id and path', async () => {
    const users = withSchema(db.collection(uniqueName('u')), User)
    inserts = 0
    const _id = new ObjectId()
    const error = await failure(users.insertOne({ _id, name: 'Bob', age: -1 }))
    expect(error.direction).toBe('write')
    expect(error.documentId).toEqual(_id)
    expect(error.path).toBe('age')
    expect(error.message).toContain(String(_id))
    const many = await failure(
      users.insertMany([
        { _id: new ObjectId(), name: 'ok', age: 1 },
        { _id: new ObjectId(), name: 2 as unknown as string, age: 1 },
      ]),
    )
    expect(many.path).toBe('name')
    await failure(users.replaceOne({ _id }, { name: 'x', age: 1.5 }))
    await failure(users.bulkWrite([{ insertOne: { document: { _id: new ObjectId(), name: 'x', age: -3 } } }]))
    expect(inserts).toBe(0)
    expect(await users.countDocuments()).toBe(0)
  })

  it('rejects invalid stored documents on every read path, and passes projections unchecked', async () => {
    const raw = db.collection(uniqueName('u'))
    const good = new ObjectId()
    const bad = new ObjectId()
    await raw.insertMany([
      { _id: good, name: 'ok', age: 1 },
      { _id: bad, name: 'bad', age: 'old' },
    ])
    const users = withSchema(raw, User)
    const one = await failure(users.findOne({ _id: bad }))
    expect(one).toMatchObject({ direction: 'read', documentId: bad, path: 'age' })
    expect((await users.findOne({ _id: good }))?.name).toBe('ok')
    await failure(users.find().toArray())
    const iterated = failure(
      (async () => {
        for await (const _ of users.find().sort({ name: -1 })) void _
      })(),
    )
    expect((await iterated).documentId).toEqual(bad)
    expect(await users.findOne({ _id: bad }, { projection: { name: 1 } })).toEqual({ _id: bad, name: 'bad' })
    await failure(users.findOneAndUpdate({ _id: bad }, { $set: { x: 1 } }))
    // findOneAnd* check the document the server returns: the write itself has happened.
    await failure(users.findOneAndDelete({ _id: bad }, { includeResultMetadata: true }))
    expect(await raw.countDocuments({ _id: bad })).toBe(0)
  })

  it('decodes with the schema output, also on a cursor clone', async () => {
    const tagged = withSchema(db.collection(uniqueName('t')), Tagged)
    await db.collection<{ _id: number; tags: string }>(tagged.collectionName).insertOne({ _id: 1, tags: 'a,b' })
    expect(await tagged.findOne({ _id: 1 })).toEqual({ _id: 1, tags: ['a', 'b'] })
    const cursor = tagged.find()
    expect(await cursor.clone().toArray()).toEqual([{ _id: 1, tags: ['a', 'b'] }])
    expect(await cursor.toArray()).toEqual([{ _id: 1, tags: ['a', 'b'] }])
  })

  it("validates change streams' fullDocument", async (ctx) => {
    requires(ctx, 'changeStreams')
    const raw = db.collection(uniqueName('cs'))
    await db.createCollection(raw.collectionName)
    const users = withSchema(raw, User)
    const stream = users.watch([], { fullDocument: 'updateLookup' })
    await stream.tryNext() // opens the server cursor before the writes
    const bad = new ObjectId()
    await raw.insertOne({ _id: new ObjectId(), name: 'ok', age: 2 })
    await raw.insertOne({ _id: bad, name: 'bad', age: -2 })
    const first = await stream.next()
    expect(first.operationType === 'insert' && first.fullDocument.name).toBe('ok')
    const error = await failure(stream.next())
    expect(error).toMatchObject({ documentId: bad, path: 'age' })
    await stream.close()
  })

  it('rejects something that is not a Standard Schema', () => {
    expect(() => withSchema(db.collection('x'), {} as never)).toThrow(/Standard Schema/)
  })
})
