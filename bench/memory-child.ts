/** One memory run (see `memory.ts`): argv = target uri dbName docs; prints a MemoryFigure as JSON. */
import { allTargets } from './targets.ts'

const [target, uri, dbName, docsArg] = process.argv.slice(2) as [string, string, string, string]
const docs = Number(docsArg)
const targets = await allTargets(uri, dbName)
const t = targets.find((x) => x.name === target)!
const gc = (globalThis as { gc?: () => void }).gc!
await t.findOne('memory', 0) // connections open before the baseline
gc()
const base = process.memoryUsage()
let peakHeap = base.heapUsed
let peakRss = base.rss
// Live heap: heapUsed right after a forced GC, every LIVE_EVERY documents (peak heapUsed also
// counts garbage not yet collected, which V8 lets grow with the allocation rate).
const LIVE_EVERY = 8192
let peakLive = base.heapUsed
let seen = 0
const spin = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until) {}
}
const n = await t.stream('memory', () => {
  if (++seen % 64 !== 0) return
  const m = process.memoryUsage()
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed
  if (m.rss > peakRss) peakRss = m.rss
  if (seen % LIVE_EVERY === 0) {
    gc()
    peakLive = Math.max(peakLive, process.memoryUsage().heapUsed)
  }
  spin(4)
})
if (n !== docs) throw new Error(`read ${n} of ${docs}`)
for (const x of targets) await x.close()
const MB = 1024 * 1024
console.log(JSON.stringify({ docs, liveMB: (peakLive - base.heapUsed) / MB, heapMB: (peakHeap - base.heapUsed) / MB, rssMB: peakRss / MB, rssGrowthMB: (peakRss - base.rss) / MB }))
