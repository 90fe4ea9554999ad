/**
 * A small bank on motor-ts with Effect: every operation is an Effect that needs the
 * `Mongo.MongoClient` service and fails with typed errors — the domain's own (`AccountExists`,
 * `InsufficientFunds`, `UnknownAccount`) next to motor-ts's `MotorError`s.
 *
 * - `openAccount` turns the driver's duplicate-key failure into `AccountExists` with `catchReason`.
 * - `transfer` moves money in a transaction: the debit only applies when the balance covers it,
 *   the credit and the ledger entry commit with it or not at all, and a transient conflict is
 *   retried by the driver's rules (core's retry loop, run as an Effect).
 * - `statement` is a Stream pipeline over a cursor: the account's ledger with a running balance.
 */
import { type ClientSession, Mongo, type MotorError, type ObjectId } from '@motor-ts/effect'
import { Data, Effect, Stream } from 'effect'
import { DatabaseConfig } from './database.js'

export interface Account {
  _id: string
  owner: string
  balance: number
}

export interface Entry {
  _id?: ObjectId
  account: string
  amount: number
  at: number
  memo: string
}

export class AccountExists extends Data.TaggedError('AccountExists')<{ readonly id: string }> {}
export class UnknownAccount extends Data.TaggedError('UnknownAccount')<{ readonly id: string }> {}
export class InsufficientFunds extends Data.TaggedError('InsufficientFunds')<{ readonly id: string; readonly amount: number }> {}

const collections = Effect.gen(function* () {
  const client = yield* Mongo.MongoClient
  const { database } = yield* DatabaseConfig
  const db = client.db(database)
  return { accounts: db.collection<Account>('accounts'), ledger: db.collection<Entry>('ledger') }
})

/** Empties the bank's database (for a fresh run). */
export const reset = Effect.gen(function* () {
  const client = yield* Mongo.MongoClient
  const { database } = yield* DatabaseConfig
  yield* client.db(database).dropDatabase()
})

/** Opens an account; opening one that exists fails with `AccountExists`. */
export const openAccount = (id: string, owner: string) =>
  Effect.gen(function* () {
    const { accounts } = yield* collections
    yield* accounts.insertOne({ _id: id, owner, balance: 0 }).pipe(Effect.catchReason('MotorError', 'DuplicateKey', () => Effect.fail(new AccountExists({ id }))))
  })

/** Adds money to an account (a single-document update: atomic without a transaction). */
export const deposit = (id: string, amount: number) =>
  Effect.gen(function* () {
    const { accounts, ledger } = yield* collections
    const { matchedCount } = yield* accounts.updateOne({ _id: id }, { $inc: { balance: amount } })
    if (matchedCount === 0) return yield* Effect.fail(new UnknownAccount({ id }))
    yield* ledger.insertOne({ account: id, amount, at: Date.now(), memo: 'deposit' })
  })

/** Moves `amount` from one account to another, all or nothing. */
export const transfer = (from: string, to: string, amount: number) =>
  Effect.gen(function* () {
    const client = yield* Mongo.MongoClient
    const { accounts, ledger } = yield* collections
    // The work of one attempt; the driver's rules may run it again after a transient error.
    const attempt = (session: ClientSession): Effect.Effect<Outcome, MotorError> =>
      Effect.gen(function* () {
        if ((yield* accounts.countDocuments({ _id: to }, { session })) === 0) return { failed: 'unknown', id: to }
        const debit = yield* accounts.updateOne({ _id: from, balance: { $gte: amount } }, { $inc: { balance: -amount } }, { session })
        if (debit.matchedCount === 0)
          return (yield* accounts.countDocuments({ _id: from }, { session })) === 0 ? { failed: 'unknown', id: from } : { failed: 'insufficient', id: from }
        yield* accounts.updateOne({ _id: to }, { $inc: { balance: amount } }, { session })
        const at = Date.now()
        yield* ledger.insertMany(
          [
            { account: from, amount: -amount, at, memo: `to ${to}` },
            { account: to, amount, at, memo: `from ${from}` },
          ],
          { session },
        )
        return { failed: false }
      })
    const outcome = yield* client.withSession((session) => session.withTransaction(attempt))
    if (outcome.failed === 'insufficient') return yield* Effect.fail(new InsufficientFunds({ id: outcome.id, amount }))
    if (outcome.failed === 'unknown') return yield* Effect.fail(new UnknownAccount({ id: outcome.id }))
  })

/** What one transaction attempt decided (nothing was written unless `failed` is false). */
type Outcome = { failed: false } | { failed: 'unknown' | 'insufficient'; id: string }

/** The account's ledger, oldest first, each line with the balance after it. */
export const statement = (id: string) =>
  Stream.unwrap(
    Effect.map(collections, ({ ledger }) =>
      ledger
        .find({ account: id }, { batchSize: 50 })
        .sort({ at: 1, _id: 1 })
        .toStream()
        .pipe(Stream.mapAccum(() => 0, (balance, entry: Entry) => [balance + entry.amount, [{ memo: entry.memo, amount: entry.amount, balance: balance + entry.amount }]] as const)),
    ),
  )

export const balanceOf = (id: string) =>
  Effect.gen(function* () {
    const { accounts } = yield* collections
    const account = yield* accounts.findOne({ _id: id })
    return account ? account.balance : yield* Effect.fail(new UnknownAccount({ id }))
  })
