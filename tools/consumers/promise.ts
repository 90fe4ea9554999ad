import { type Collection, MongoClient, MongoServerError, type WithId } from '@motor-ts/promise'
import { type Item, itemQueries } from './queries.js'

async function main(): Promise<void> {
  const client = new MongoClient(process.env.MONGODB_URI!)
  try {
    const db = client.db(process.env.CONSUMER_DB!)
    const q = itemQueries(db)
    const items: Collection<Item> = db.collection<Item>('items')
    await q.reset()
    await q.seed(5)
    const found: Promise<WithId<Item> | null> = q.byId(3)
    if ((await found)?.name !== 'item 3') throw new Error('findOne through the generic module')
    let streamed = 0
    for await (const item of q.stream()) streamed += item._id
    if (streamed !== 15) throw new Error(`streamed ids sum to ${streamed}`)
    const duplicate = await q.insert({ _id: 1, name: 'again', n: 0 }).then(
      () => 'inserted',
      (error: unknown) => (error instanceof MongoServerError && error.code === 11000 ? 'duplicate' : String(error)),
    )
    if (duplicate !== 'duplicate') throw new Error(`duplicate insert gave ${duplicate}`)
    const reason = new Error('stop')
    const aborted = await items.findOne({ _id: 1 }, { signal: AbortSignal.abort(reason) }).then(
      () => 'ran',
      (error: unknown) => (error === reason ? 'rejected with the signal reason' : String(error)),
    )
    if (aborted !== 'rejected with the signal reason') throw new Error(`aborted findOne: ${aborted}`)
    console.log(`consumer ok: promise, total ${await q.total()}, aborted findOne ${aborted}`)
  } finally {
    await client.close()
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
