import { type Collection, Mongo, type MotorError, type WithId } from '@motor-ts/effect'
import { Effect, Stream } from 'effect'
import { type Item, itemQueries } from './queries.js'

const program = Effect.gen(function* () {
  const client = yield* Mongo.MongoClient
  const db = client.db(process.env.CONSUMER_DB!)
  const q = itemQueries(db)
  const items: Collection<Item> = db.collection<Item>('items')
  yield* q.reset()
  yield* q.seed(5)
  const found: Effect.Effect<WithId<Item> | null, MotorError> = q.byId(3)
  if ((yield* found)?.name !== 'item 3') return yield* Effect.die('findOne through the generic module')
  const sum = yield* Stream.runFold(q.stream(), () => 0, (acc: number, item: Item) => acc + item._id)
  if (sum !== 15) return yield* Effect.die(`streamed ids sum to ${sum}`)
  const duplicate = yield* q.insert({ _id: 1, name: 'again', n: 0 }).pipe(
    Effect.as('inserted'),
    Effect.catchReason('MotorError', 'DuplicateKey', () => Effect.succeed('duplicate')),
  )
  if (duplicate !== 'duplicate') return yield* Effect.die(`duplicate insert gave ${duplicate}`)
  const count = yield* items.countDocuments({})
  yield* Effect.sync(() => console.log(`consumer ok: effect, total ${count}`))
})

async function main(): Promise<void> {
  await Effect.runPromise(program.pipe(Effect.provide(Mongo.layer({ url: process.env.MONGODB_URI! }))))
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
