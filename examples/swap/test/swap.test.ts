/**
 * The query module through each framework against the test server: every framework gets the
 * same, expected results, the failed loan included (rolled back in all three). The lending
 * steps need transactions and are left out, with a note, on a server without them.
 */
import { missing, server, uniqueName } from '@motor-ts/tools'
import { describe, expect, it } from 'vitest'
import { runners } from '../src/frameworks.js'
import { tour } from '../src/tour.js'

const expected = {
  lem: [
    { title: 'Solaris', year: 1961 },
    { title: 'The Cyberiad', year: 1965 },
  ],
  perAuthor: [
    { _id: 'Lem', copies: 4 },
    { _id: 'Herbert', copies: 2 },
    { _id: 'Simmons', copies: 2 },
    { _id: 'Gibson', copies: 1 },
  ],
  titles: ['Dune', 'Solaris', 'The Cyberiad', 'Neuromancer', 'Hyperion'],
  lending: { first: 'lent', second: 'no copy left', copiesLeft: 0, loans: 0 },
}

describe('swap example: one query module, three frameworks', () => {
  for (const runner of runners) {
    it(`runs unchanged through ${runner.name}`, async (ctx) => {
      const noTransactions = missing(server(), ['transactions'])
      if (noTransactions) ctx.annotate(`lending steps left out: ${noTransactions}`)
      const result = await tour(runner, server().uri, uniqueName(`swap_${runner.name}`), { transactions: !noTransactions })
      expect(result).toEqual({ ...expected, lending: noTransactions ? undefined : expected.lending })
    })
  }
})
