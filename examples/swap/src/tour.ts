/**
 * One pass over the query module with one framework: every step's result, as plain data, so
 * the three frameworks' passes can be printed side by side and compared. Each pass uses its own
 * database (`dbName`) and closes its client.
 */
import type { FrameworkTypes } from '@motor-ts/core'
import type { Runner } from './frameworks.js'
import { library, NoCopyLeft } from './library.js'

/** An error and its causes (Effect's MotorError wraps a reason, whose cause is what was thrown). */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = []
  for (let e = error; e !== undefined && chain.length < 5; e = (e as { cause?: unknown } | null)?.cause) chain.push(e)
  return chain
}

export interface TourOptions {
  /** Run the transaction steps (the server must support transactions). */
  transactions: boolean
}

export async function tour<F extends FrameworkTypes>(runner: Runner<F>, uri: string, dbName: string, options: TourOptions) {
  const client = runner.client(uri)
  try {
    const lib = library(client.db(dbName), runner.framework)
    const { run } = runner
    await run(lib.reset())
    await run(lib.stock())
    await run(lib.index())
    const result = {
      lem: await run(lib.byAuthor('Lem')),
      perAuthor: await run(lib.perAuthor()),
      titles: (await runner.collect(lib.everyTitle())).map((book) => book.title),
      lending: undefined as undefined | { first: string; second: string; copiesLeft?: number; loans: number },
    }
    if (options.transactions) {
      const outcome = (future: ReturnType<typeof lib.lend>) =>
        run(future).then(
          () => 'lent',
          (error: unknown) => (causes(error).some((e) => e instanceof NoCopyLeft) ? 'no copy left' : String(error)),
        )
      const first = await outcome(lib.lend(2, 'ada'))
      const second = await outcome(lib.lend(2, 'grace'))
      result.lending = { first, second, copiesLeft: (await run(lib.copiesOf(2)))?.copies, loans: await run(lib.loansOf('grace')) }
    }
    await run(lib.reset())
    return result
  } finally {
    await runner.run(client.close())
  }
}
