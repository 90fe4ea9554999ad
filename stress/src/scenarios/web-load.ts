/**
 * Scenario 1, web load: the HTTP service of `web-service.ts` on this framework, a pool of
 * `maxPoolSize` 20 (ten times fewer connections than concurrent requests, so requests queue
 * for connections), driven by autocannon from another process: first serially, then with 200
 * concurrent connections. Passes when no request fails, the pool never opens more than
 * `maxPoolSize` connections (counted from the driver's pool events) and none stays checked out
 * afterwards. Also reports latency and resident memory at start, end and its trend.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { closeQuietly, newClient, settle } from '../frameworks.ts'
import { mb, PoolMonitor, RssSampler } from '../probes.ts'
import { type ChildSettings, Findings, type ScenarioResult } from '../report.ts'
import { type Counters, type Item, startService } from './web-service.ts'

const MAX_POOL = 20
const CONCURRENCY = 200
const IDS = 1000

interface LoadResult {
  sent: number
  ok: number
  errors: number
  timeouts: number
  non2xx: number
  p50: number
  p99: number
  rps: number
}

const loadClient = fileURLToPath(new URL('../load-client.ts', import.meta.url))

function load(url: string, connections: number, amount: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', loadClient, JSON.stringify({ url, connections, amount, ids: IDS })], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('error', reject)
    child.on('exit', (code) => {
      try {
        resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as LoadResult)
      } catch {
        reject(new Error(`the load client exited ${code} without a result: ${out.slice(-300)}`))
      }
    })
  })
}

function gcRss(): number {
  globalThis.gc?.()
  return process.memoryUsage.rss()
}

export async function webLoad(settings: ChildSettings): Promise<ScenarioResult> {
  const f = new Findings()
  const serial = settings.quick ? 500 : 5000
  const concurrent = settings.quick ? 2000 : 20_000
  const dbName = `stress_web_${settings.framework}_${process.pid}`
  const client = newClient(settings.framework, settings.uri, { maxPoolSize: MAX_POOL, appName: 'motor-ts-stress' })
  const pool = new PoolMonitor(client as never)
  await settle(settings.framework, client.connect())
  const counters: Counters = { served: 0, failures: 0 }
  const rss = new RssSampler(() => counters.served)
  const service = await startService(settings.framework, client, dbName, counters)
  try {
    const items = (client as any).db(dbName).collection('items')
    const docs: Item[] = Array.from({ length: IDS }, (_, i) => ({ _id: i, name: `item ${i}`, hits: 0 }))
    await settle(settings.framework, items.insertMany(docs))
    const rssStart = gcRss()
    rss.start()
    const one = await load(service.url, 1, serial)
    const rssWarm = gcRss()
    const many = await load(service.url, CONCURRENCY, concurrent)
    // The trend is taken over the second half of the concurrent load, once warmed up.
    const concurrentFrom = rss.samples.findIndex((s) => s.requests >= serial + concurrent / 2)
    rss.stop()
    const checkedOutAfter = await pool.settledCheckedOut()
    const rssEnd = gcRss()
    const rssPeak = Math.max(...rss.samples.map((s) => s.rss))
    const errors = (r: LoadResult) => r.errors + r.timeouts + r.non2xx + (r.sent - r.ok - r.non2xx - r.errors - r.timeouts)
    const totalErrors = errors(one) + errors(many)

    f.figure(`serial ${one.ok}/${serial} req (p50 ${one.p50} ms, ${one.rps} req/s)`)
    f.figure(`${CONCURRENCY} concurrent ${many.ok}/${concurrent} req (p50 ${many.p50} ms, p99 ${many.p99} ms, ${many.rps} req/s)`)
    f.figure(`errors ${totalErrors}`)
    f.figure(`peak open ${pool.peakOpen}/${MAX_POOL} (checked out ${pool.peakCheckedOut})`)
    f.figure(`checked out after ${checkedOutAfter}`)
    f.figure(`rss ${mb(rssStart)}→${mb(rssWarm)}→${mb(rssEnd)} MB start→after serial→end (peak ${mb(rssPeak)}, trend ${rss.trendPer10k(Math.max(0, concurrentFrom)).toFixed(1)} MB/10k req)`)
    f.check(totalErrors === 0, `${totalErrors} request(s) failed${counters.lastFailure ? ` (last: ${counters.lastFailure})` : ''}`)
    f.check(one.ok === serial && many.ok === concurrent, `only ${one.ok + many.ok} of ${serial + concurrent} requests answered 2xx`)
    f.check(pool.peakOpen <= MAX_POOL, `the pool opened ${pool.peakOpen} connections, more than maxPoolSize ${MAX_POOL}`)
    f.check(checkedOutAfter === 0, `${checkedOutAfter} connection(s) still checked out after the load`)
    await settle(settings.framework, (client as any).db(dbName).dropDatabase()).catch(() => undefined)
  } finally {
    rss.stop()
    await service.close()
    await closeQuietly(settings.framework, client)
  }
  return f.result()
}
