/**
 * Memory under a deliberately slow consumer: `docs` documents streamed through each
 * target's native stream (the driver's `for await`, motor-ts's `toStream()` per framework)
 * to a consumer that stalls 4 ms every 64 documents, slower than the server produces. Each
 * target runs in a fresh process (`memory-child.ts`) so peaks do not mix; the child samples
 * heap and RSS as it consumes, and the live heap (after a forced GC) every 8,192 documents.
 * Bounded means a batch or two in flight whatever the size.
 */
import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { MongoClient } from 'mongodb'

export const MEMORY_TARGETS = ['driver', 'promise', 'rxjs', 'effect'] as const

export interface MemoryFigure {
  docs: number
  /** Peak live heap (heapUsed right after a forced GC, sampled as it consumes) above the heap after connecting, MB. */
  liveMB: number
  /** Peak heapUsed above the heap after connecting (garbage included), MB. */
  heapMB: number
  /** Peak RSS of the process, MB. */
  rssMB: number
  /** Peak RSS above the RSS after connecting, MB. */
  rssGrowthMB: number
}

export interface MemoryResult {
  /** Per target, per size. */
  targets: Record<string, MemoryFigure[]>
}

const run = promisify(execFile)
const child = fileURLToPath(new URL('./memory-child.ts', import.meta.url))

export async function memoryFigures(uri: string, writer: MongoClient, dbName: string, quick: boolean): Promise<MemoryResult> {
  const sizes = quick ? [30_000] : [100_000, 1_000_000]
  const coll = writer.db(dbName).collection('memory')
  const result: MemoryResult = { targets: Object.fromEntries(MEMORY_TARGETS.map((t) => [t, []])) }
  let seeded = 0
  for (const docs of sizes) {
    for (; seeded < docs; seeded += 10_000)
      await coll.insertMany(Array.from({ length: 10_000 }, (_, k) => ({ _id: (seeded + k) as never, i: seeded + k, s: 'x'.repeat(64) })))
    for (const target of MEMORY_TARGETS) {
      const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', child, target, uri, dbName, String(docs)], {
        maxBuffer: 1 << 20,
      })
      const figure = JSON.parse(stdout.trim().split('\n').pop()!) as MemoryFigure
      result.targets[target]!.push(figure)
      const base = result.targets.driver!.at(-1)!
      console.log(
        `memory slow consumer ${String(docs).padStart(8)} docs ${target.padEnd(8)} live heap +${figure.liveMB.toFixed(1)} MB, peak heapUsed +${figure.heapMB.toFixed(1)} MB, peak RSS ${figure.rssMB.toFixed(0)} MB (+${figure.rssGrowthMB.toFixed(1)} MB) live heap ratio=${(figure.liveMB / base.liveMB).toFixed(2)}`,
      )
    }
  }
  return result
}
