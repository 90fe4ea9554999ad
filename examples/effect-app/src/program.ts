/**
 * The program `main.ts` runs on a fresh database: opens two accounts (twice, to show `AccountExists` recovered by
 * its tag), deposits, transfers, tries an overdraft (`InsufficientFunds`, recovered), and
 * prints a statement streamed from the ledger.
 */
import { Console, Effect, Stream } from 'effect'
import { balanceOf, deposit, openAccount, reset, statement, transfer } from './bank.js'

export const program = Effect.gen(function* () {
  yield* reset
  for (const [id, owner] of [
    ['alice', 'Alice'],
    ['bob', 'Bob'],
    ['alice', 'Alice again'],
  ] as const) {
    yield* openAccount(id, owner).pipe(Effect.catchTag('AccountExists', (e) => Console.log(`account ${e.id} exists already`)))
  }
  yield* deposit('alice', 100)
  yield* transfer('alice', 'bob', 30)
  yield* transfer('bob', 'alice', 500).pipe(
    Effect.catchTag('InsufficientFunds', (e) => Console.log(`refused: ${e.id} cannot pay ${e.amount}`)),
  )
  yield* Console.log(`alice ${yield* balanceOf('alice')}, bob ${yield* balanceOf('bob')}`)
  yield* statement('alice').pipe(Stream.runForEach((line) => Console.log(`  ${line.memo.padEnd(10)} ${String(line.amount).padStart(5)} -> ${line.balance}`)))
})
