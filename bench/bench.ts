/**
 * `pnpm bench`: what motor-ts costs where the server cannot hide it. Client CPU and wall
 * time per operation (or document, or change event) for every workload on the raw driver,
 * on motor-ts through Promises, RxJS and Effect, and on the hand-written baseline per
 * framework, interleaved in the same run on the same server, with ratios to the driver and
 * to the baseline and their spread; then memory under a slow consumer, import time and
 * bundle size. Nothing here asserts: it prints figures for people to read.
 *
 *   pnpm bench [--quick] [--json FILE] [--only REGEX] [--rounds N] [--skip memory,startup] [--compare DIR]
 *
 * `--only` selects workloads by name (`findOne`, `x128`, ...), or `memory` / `startup`.
 *
 * `--compare DIR` adds, as `promise@before`, `rxjs@before` and `effect@before`, the motor-ts
 * built in another checkout (e.g. `git worktree add DIR <commit> && cd DIR && pnpm i && pnpm build`),
 * measured interleaved with this one: the fairest before/after on a noisy machine.
 * `--quick` (under 3 minutes) uses smaller sizes and 3 rounds. Set MOTOR_TEST_SERVER or
 * MONGODB_URI to choose the server (default: SecantusDB, provisioned by `pnpm provision`).
 */
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { MongoClient } from 'mongodb'
import { redact, selectServerKind, startServer } from '../tools/src/index.ts'
import { figureLines, measure, table, type WorkloadResult } from './measure.ts'
import { memoryFigures, type MemoryResult } from './memory.ts'
import { startupFigures, type StartupResult } from './startup.ts'
import { allTargets, loadBuild } from './targets.ts'
import { FULL, QUICK, seed, workloads } from './workloads.ts'

const { values: opts } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    json: { type: 'string' },
    only: { type: 'string' },
    rounds: { type: 'string' },
    skip: { type: 'string', default: '' },
    compare: { type: 'string' },
  },
})

export interface BenchReport {
  meta: Record<string, unknown>
  workloads: WorkloadResult[]
  memory?: MemoryResult
  startup?: StartupResult
}

async function main(): Promise<void> {
  const started = performance.now()
  const quick = opts.quick
  const sizes = quick ? QUICK : FULL
  const rounds = Number(opts.rounds ?? (quick ? 3 : 7))
  const skip = new Set(opts.skip.split(',').filter(Boolean))
  const only = opts.only ? new RegExp(opts.only, 'i') : undefined
  // `--only memory` / `--only startup` run just that part; other patterns select workloads.
  const wants = (part: string) => !skip.has(part) && (!only || only.test(part))
  const server = await startServer(selectServerKind())
  const dbName = `motor_bench_${process.pid}`
  const writer = await new MongoClient(server.info.uri).connect()
  const report: BenchReport = {
    meta: {
      date: new Date().toISOString(),
      mode: quick ? 'quick' : 'full',
      rounds,
      node: process.version,
      cpu: `${cpus()[0]?.model ?? 'unknown'} x${cpus().length}`,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      server: `${server.info.name} ${server.info.version} (MongoDB ${server.info.mongodbVersion} API, ${server.info.capabilities.topology})`,
      driver: (await import('mongodb/package.json', { with: { type: 'json' } })).default.version,
      rxjs: (await import('rxjs/package.json', { with: { type: 'json' } })).default.version,
      effect: (await import('effect/package.json', { with: { type: 'json' } })).default.version,
    },
    workloads: [],
  }
  const compare = opts.compare ? await loadBuild(opts.compare) : undefined
  if (opts.compare) report.meta.compare = opts.compare
  const targets = await allTargets(server.info.uri, dbName, compare)
  try {
    console.log(`server: ${report.meta.server} at ${redact(server.info.uri)}`)
    console.log(`node ${process.version}, ${report.meta.cpu}; ${rounds} rounds after a warm-up, interleaved; client CPU and wall per unit`)
    await seed(writer, dbName, sizes)
    const caps = server.info.capabilities
    for (const w of workloads(sizes, () => writer, dbName)) {
      if (only && !only.test(`${w.name} (${w.mode})`)) continue
      if (w.name.startsWith('transaction') && !caps.transactions) {
        console.log(`skipped ${w.name}: ${server.info.name} has no transactions`)
        continue
      }
      if (w.name.startsWith('change event') && !caps.changeStreams) {
        console.log(`skipped ${w.name}: ${server.info.name} has no change streams`)
        continue
      }
      const result = await measure(w, targets, rounds)
      report.workloads.push(result)
      for (const line of figureLines(result)) console.log(line)
    }
  } finally {
    for (const t of targets) await t.close()
  }
  try {
    if (wants('memory')) {
      report.memory = await memoryFigures(server.info.uri, writer, dbName, quick)
    }
  } finally {
    await writer.db(dbName).dropDatabase()
    await writer.close()
    await server.stop()
  }
  if (wants('startup')) report.startup = await startupFigures(quick)
  if (report.workloads.length) console.log(`\nclient CPU per unit: driver µs, then each target's median ratio to the driver ±half its spread, h = ratio to the hand-written baseline\n`)
  if (report.workloads.length) console.log(table(report.workloads, targets.map((t) => t.name)))
  report.meta.seconds = Math.round((performance.now() - started) / 1000)
  if (opts.json) writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`)
  console.log(`\nbench finished in ${report.meta.seconds} s`)
}

await main()
