/**
 * The demo's query code, written once against motor-ts's framework-generic types: the
 * same filters, updates, pipelines and options run unchanged through Promises, RxJS and
 * Effect. Each function returns the framework's own values (`Future<F, A>` is a Promise,
 * an Observable or an Effect; `Stream<F, A>` an AsyncIterable, an Observable or a Stream).
 */
import type { FrameworkTypes, MotorCollection, MotorDb, Stream } from '@motor-ts/core'
import type { ChangeStreamDocument } from 'mongodb'

export interface Order {
  _id?: number
  customer: string
  city: string
  total: number
  status: 'new' | 'paid' | 'shipped'
}

const cities = ['Paris', 'Lyon', 'Berlin', 'Madrid', 'Rome']

/** 2,000 deterministic orders. */
export const sampleOrders = (): Order[] =>
  Array.from({ length: 2000 }, (_, i) => ({
    _id: i,
    customer: `c${i % 97}`,
    city: cities[i % cities.length]!,
    total: (i * 37) % 500,
    status: (['new', 'paid', 'shipped'] as const)[i % 3]!,
  }))

export const orders = <F extends FrameworkTypes>(db: MotorDb<F>): MotorCollection<F, Order> => db.collection<Order>('orders')

/** Every step of the demo, as the framework's own values. Nothing runs until the framework runs it. */
export function orderQueries<F extends FrameworkTypes>(db: MotorDb<F>) {
  const col = orders(db)
  return {
    reset: () => db.dropDatabase(),
    insert: () => col.insertMany(sampleOrders()),
    index: () => col.createIndex({ city: 1, total: -1 }, { name: 'city_total' }),
    /** An indexed query: the three biggest paid orders in Paris. */
    topParis: () =>
      col
        .find({ city: 'Paris', status: 'paid' }, { projection: { _id: 1, total: 1 } })
        .sort({ total: -1 })
        .limit(3)
        .toArray(),
    /** Revenue per city, highest first. */
    revenue: () =>
      col
        .aggregate<{ _id: string; revenue: number; orders: number }>([
          { $group: { _id: '$city', revenue: { $sum: '$total' }, orders: { $sum: 1 } } },
          { $sort: { revenue: -1 } },
        ])
        .toArray(),
    /** Every shipped order of one customer, streamed in small batches. */
    streamed: (): Stream<F, Order> => col.find({ customer: 'c7', status: 'shipped' }, { batchSize: 5 }).sort({ _id: 1 }).toStream(),
    /** Changes to the collection as they happen. */
    changes: (): Stream<F, ChangeStreamDocument<Order>> => col.watch([], { maxAwaitTimeMS: 200 }).toStream(),
    touch: (id: number) => col.updateOne({ _id: id }, { $set: { status: 'shipped' } }),
    /** Move one order's total to another, atomically. */
    transfer: (from: number, to: number, amount: number) =>
      db.client.withSession((session) =>
        session.withTransaction(() =>
          db.client.db(db.databaseName).collection<Order>('orders').bulkWrite(
            [
              { updateOne: { filter: { _id: from }, update: { $inc: { total: -amount } } } },
              { updateOne: { filter: { _id: to }, update: { $inc: { total: amount } } } },
            ],
            { session },
          ),
        ),
      ),
    totals: (ids: number[]) => col.find({ _id: { $in: ids } }, { projection: { total: 1 } }).sort({ _id: 1 }).toArray(),
  }
}
