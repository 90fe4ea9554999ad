import { type Collection, MongoClient, MongoServerError, type WithId } from '@motor-ts/rxjs'
import { catchError, concat, defer, firstValueFrom, lastValueFrom, map, type Observable, of, reduce, take, toArray } from 'rxjs'
import { type Item, itemQueries } from './queries.js'

async function main(): Promise<void> {
  const client = new MongoClient(process.env.MONGODB_URI!)
  try {
    const db = client.db(process.env.CONSUMER_DB!)
    const q = itemQueries(db)
    const items: Collection<Item> = db.collection<Item>('items')
    await lastValueFrom(concat(q.reset(), q.seed(5)))
    const found: Observable<WithId<Item> | null> = q.byId(3)
    if ((await firstValueFrom(found))?.name !== 'item 3') throw new Error('findOne through the generic module')
    const sum = await lastValueFrom(q.stream().pipe(reduce((acc, item) => acc + item._id, 0)))
    if (sum !== 15) throw new Error(`streamed ids sum to ${sum}`)
    const firstTwo = await lastValueFrom(items.find({}).sort({ _id: 1 }).toStream().pipe(take(2), toArray()))
    if (firstTwo.length !== 2) throw new Error('take(2) on a cursor')
    const duplicate = await lastValueFrom(
      q.insert({ _id: 1, name: 'again', n: 0 }).pipe(
        map(() => 'inserted'),
        catchError((error: unknown) => of(error instanceof MongoServerError && error.code === 11000 ? 'duplicate' : String(error))),
      ),
    )
    if (duplicate !== 'duplicate') throw new Error(`duplicate insert gave ${duplicate}`)
    console.log(`consumer ok: rxjs, total ${await lastValueFrom(q.total())}`)
  } finally {
    await lastValueFrom(defer(() => client.close()))
  }
}

main().catch((error) => {
  console.error(error)
  process.exitCode = 1
})
