/**
 * The HTTP load client of the web-load scenario, in a process of its own so that its memory
 * and CPU are not the service's: autocannon sends `amount` requests over `connections`
 * keep-alive connections, cycling through an item lookup, a page of a list and an update,
 * each on a random id, and prints its counts as one JSON line.
 */
import autocannon from 'autocannon'

const { url, connections, amount, ids } = JSON.parse(process.argv[2] ?? '{}') as { url: string; connections: number; amount: number; ids: number }
const randomId = () => Math.floor(Math.random() * ids)

const result = await autocannon({
  url,
  connections,
  amount,
  timeout: 20,
  requests: [
    { method: 'GET', setupRequest: (req) => ({ ...req, path: `/item/${randomId()}` }) },
    { method: 'GET', setupRequest: (req) => ({ ...req, path: `/list/${randomId()}` }) },
    { method: 'POST', setupRequest: (req) => ({ ...req, path: `/bump/${randomId()}` }) },
  ],
})
process.stdout.write(
  `${JSON.stringify({
    sent: result.requests.sent,
    ok: result['2xx'],
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    p50: result.latency.p50,
    p99: result.latency.p99,
    rps: Math.round(result.requests.average),
  })}\n`,
)
