/**
 * Framework-agnostic query code, as a user writes it with only their framework package
 * installed: the generic types come from that package ('motor-package' is replaced by it).
 */
import type { FrameworkTypes, Future, MotorDb, MotorStream } from 'motor-package'

export interface Item {
  _id: number
  name: string
  n: number
}

export function itemQueries<F extends FrameworkTypes>(db: MotorDb<F>) {
  const items = db.collection<Item>('items')
  return {
    reset: () => items.deleteMany({}),
    seed: (count: number) => items.insertMany(Array.from({ length: count }, (_, i) => ({ _id: i + 1, name: `item ${i + 1}`, n: i * 10 }))),
    insert: (item: Item) => items.insertOne(item),
    byId: (id: number) => items.findOne({ _id: id }),
    total: (): Future<F, number> => items.countDocuments({}),
    stream: (): MotorStream<F, Item> => items.find({}, { batchSize: 2 }).sort({ _id: 1 }).toStream(),
  }
}
