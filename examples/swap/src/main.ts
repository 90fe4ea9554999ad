/**
 * `pnpm --filter @motor-ts/example-swap start`: runs `library.ts` unchanged through Promises,
 * RxJS and Effect against MONGODB_URI (or an embedded test server when unset), prints each
 * framework's results and whether they are identical.
 */
import { isDeepStrictEqual } from 'node:util'
import { selectServerKind, startServer } from '@motor-ts/tools'
import { runners } from './frameworks.js'
import { tour } from './tour.js'

// MONGODB_URI when set (its capabilities probed), else an embedded test server for this run.
const server = await startServer(selectServerKind())
try {
  const { uri, capabilities } = server.info
  const results: unknown[] = []
  for (const runner of runners) {
    const result = await tour(runner, uri, `swap_${runner.name}`, { transactions: capabilities.transactions })
    console.log(`${runner.name.padEnd(8)}`, JSON.stringify(result))
    results.push(result)
  }
  const same = results.every((result) => isDeepStrictEqual(result, results[0]))
  console.log(same ? 'the same results from every framework' : 'the frameworks disagree')
  process.exitCode = same ? 0 : 1
} finally {
  await server.stop()
}
