/**
 * The query module: a lending library's data access, written once. `F` is the framework:
 * each function returns that framework's own values — `Future<F, A>` is a Promise, an
 * Observable or an Effect, `Stream<F, A>` an AsyncIterable, an Observable or an Effect
 * Stream — and nothing in here knows which. The filters, updates, pipelines and options are
 * the driver's. Where two steps must run in sequence (inside a transaction), the module asks
 * the framework to chain them (`framework.chainFuture`, the `.then` of every framework).
 * Code shared by several frameworks takes its types from `@motor-ts/core`; code for one
 * framework can take the same types from that framework's package.
 */
import type { Framework, FrameworkTypes, Future, MotorDb, Stream } from '@motor-ts/core'
import type { InsertOneResult, UpdateResult } from 'mongodb'

export interface Book {
  _id: number
  title: string
  author: string
  year: number
  copies: number
}

export interface Loan {
  book: number
  reader: string
}

export const books: Book[] = [
  { _id: 1, title: 'Dune', author: 'Herbert', year: 1965, copies: 2 },
  { _id: 2, title: 'Solaris', author: 'Lem', year: 1961, copies: 1 },
  { _id: 3, title: 'The Cyberiad', author: 'Lem', year: 1965, copies: 3 },
  { _id: 4, title: 'Neuromancer', author: 'Gibson', year: 1984, copies: 1 },
  { _id: 5, title: 'Hyperion', author: 'Simmons', year: 1989, copies: 2 },
]

/** Lending a book none of whose copies is left. */
export class NoCopyLeft extends Error {
  constructor(readonly book: number) {
    super(`no copy of book ${book} is left`)
    this.name = 'NoCopyLeft'
  }
}

export function library<F extends FrameworkTypes>(db: MotorDb<F>, framework: Framework<F>) {
  const shelf = db.collection<Book>('books')
  const loans = db.collection<Loan>('loans')
  return {
    reset: (): Future<F, boolean> => db.dropDatabase(),
    stock: () => shelf.insertMany(books),
    index: () => shelf.createIndex({ author: 1, year: 1 }),
    /** An indexed query with sort, projection and limit. */
    byAuthor: (author: string) => shelf.find({ author }, { projection: { _id: 0, title: 1, year: 1 } }).sort({ year: 1, title: 1 }).toArray(),
    /** An aggregation: copies per author, most first. */
    perAuthor: () =>
      shelf
        .aggregate<{ _id: string; copies: number }>([{ $group: { _id: '$author', copies: { $sum: '$copies' } } }, { $sort: { copies: -1, _id: 1 } }])
        .toArray(),
    /** The whole shelf as the framework's stream, in small batches. */
    everyTitle: (): Stream<F, Book> => shelf.find({}, { batchSize: 2 }).sort({ _id: 1 }).toStream(),
    /** Lend a copy: take it off the shelf and record the loan together, or neither (a transaction). */
    lend: (book: number, reader: string) =>
      db.client.withSession((session) =>
        session.withTransaction(() =>
          framework.chainFuture<UpdateResult<Book>, InsertOneResult<Loan>>(
            shelf.updateOne({ _id: book, copies: { $gt: 0 } }, { $inc: { copies: -1 } }, { session }),
            (taken) =>
              taken.modifiedCount === 1
                ? loans.insertOne({ book, reader }, { session })
                : framework.runOnExecutor(() => Promise.reject(new NoCopyLeft(book))),
          ),
        ),
      ),
    copiesOf: (book: number) => shelf.findOne({ _id: book }, { projection: { copies: 1 } }),
    loansOf: (reader: string) => loans.countDocuments({ reader }),
  }
}
