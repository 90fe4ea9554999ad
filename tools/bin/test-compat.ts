/**
 * `pnpm test:compat [--cell NAME ...] [--no-specs] [--list]`: the compatibility matrix. Builds and
 * packs the workspace packages once, starts one test server (MOTOR_TEST_SERVER / MONGODB_URI, as
 * the tests do; SecantusDB by default), then for each cell (see `tools/src/compat-cells.ts`)
 * installs a consumer project with that cell's versions and runs its checks
 * (`tools/src/compat-consumer.ts`). Prints `compat <cell>: N passed, N failed, N skipped` per cell
 * with every failure named, then the cell table and a last line with the totals. Exits non-zero
 * when a non-informational cell failed. Downloads (Node binaries, npm packages) are cached under
 * MOTOR_CACHE_DIR; consumer projects stay in $TMPDIR/motor-ts-compat/<cell> for inspection, with every
 * check's verdict in results.json.
 */
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { log, quietEnv, repoRoot, run } from '../src/cache.ts'
import { CELLS, type Cell, LATEST } from '../src/compat-cells.ts'
import { type CheckResult, COMPAT_DIR, installConsumer, packWorkspace, runtimeChecks, typeChecks } from '../src/compat-consumer.ts'
import { npmView } from '../src/npm.ts'
import { selectServerKind, startServer } from '../src/server.ts'

const { values } = parseArgs({
  options: { cell: { type: 'string', multiple: true }, 'no-specs': { type: 'boolean' }, list: { type: 'boolean' } },
})
const chosen = values.cell?.length ? CELLS.filter((c) => values.cell!.includes(c.name)) : [...CELLS]
const unknown = (values.cell ?? []).filter((n) => !CELLS.some((c) => c.name === n))
if (unknown.length) {
  console.error(`unknown cell ${unknown.join(', ')}; cells: ${CELLS.map((c) => c.name).join(', ')}`)
  process.exit(2)
}
const describeCell = (c: Cell) =>
  `node ${c.node}, mongodb ${c.mongodb}, rxjs ${c.rxjs}, effect ${c.effect}, typescript ${c.typescript}; ${c.checks.join(' + ')}`
if (values.list) {
  for (const c of CELLS) console.log(`${c.name.padEnd(18)} ${describeCell(c)}${c.informational ? ' (informational)' : ''}`)
  process.exit(0)
}

interface Outcome {
  cell: Cell
  results: CheckResult[]
  seconds: number
  note?: string
}

/** The newest dev build of the driver, or why the `next` cell has nothing to run. */
async function resolveNext(cell: Cell): Promise<Cell | string> {
  try {
    const times = await npmView<Record<string, string>>('mongodb', 'time')
    const dev = Object.entries(times)
      .filter(([v]) => v.includes('-dev'))
      .sort((a, b) => Date.parse(a[1]) - Date.parse(b[1]))
      .at(-1)?.[0]
    const newer = dev && dev.split('-')[0]!.localeCompare(LATEST.mongodb, undefined, { numeric: true }) > 0
    return newer ? { ...cell, mongodb: dev } : `the newest dev build (${dev ?? 'none'}) is not ahead of mongodb ${LATEST.mongodb}`
  } catch (error) {
    return `the npm registry could not be reached (${(error as Error).message.split('\n')[0]})`
  }
}

const root = repoRoot()
const specsDir = (() => {
  if (values['no-specs']) return undefined
  const base = process.env.MOTOR_SPECS_DIR ? resolve(process.env.MOTOR_SPECS_DIR) : resolve(root, '../shared/specs')
  const dir = existsSync(join(base, 'crud/tests/unified')) ? join(base, 'crud/tests/unified') : base
  return existsSync(dir) ? dir : undefined
})()

const started = Date.now()
log('building the workspace packages (pnpm build), then packing them')
await run('pnpm', ['build'], { cwd: root, env: quietEnv({ TURBO_TELEMETRY_DISABLED: '1' }) })
const tarballs = await packWorkspace(join(COMPAT_DIR, 'tarballs'))
log(`built and packed in ${((Date.now() - started) / 1000).toFixed(0)}s`)
const server = await startServer(selectServerKind())
log(`server: ${server.info.name} ${server.info.version} at ${server.info.uri}${specsDir ? '' : ' (no spec files found: scenarios only)'}`)

const outcomes: Outcome[] = []
try {
  for (const planned of chosen) {
    const t0 = Date.now()
    let cell = planned
    if (planned.mongodb === 'next') {
      const next = await resolveNext(planned)
      if (typeof next === 'string') {
        outcomes.push({ cell: planned, results: [{ verdict: 'skipped', name: 'mongodb-next', why: next }], seconds: 0, note: next })
        console.log(`compat ${planned.name}: 0 passed, 0 failed, 1 skipped (${next})`)
        continue
      }
      cell = next
    }
    log(`===== compat ${cell.name}: ${describeCell(cell)}`)
    let results: CheckResult[]
    try {
      const dir = await installConsumer(cell, tarballs)
      const [runtime, types] = await Promise.all([
        cell.checks.includes('runtime') ? runtimeChecks(cell, dir, server.info.uri, specsDir) : [],
        cell.checks.includes('types') ? typeChecks(dir) : [],
      ])
      results = [...runtime, ...types]
      await writeFile(join(dir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`)
    } catch (error) {
      results = [{ verdict: 'failed', name: 'setting up the cell', why: (error as Error).message.split('\n').slice(0, 4).join(' | ') }]
    }
    const outcome: Outcome = { cell, results, seconds: (Date.now() - t0) / 1000 }
    outcomes.push(outcome)
    const count = (v: CheckResult['verdict']) => results.filter((r) => r.verdict === v).length
    for (const r of results.filter((x) => x.verdict === 'failed')) console.log(`  FAILED ${cell.name}: ${r.name}${r.why ? ` -- ${r.why}` : ''}`)
    console.log(`compat ${cell.name}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped (${outcome.seconds.toFixed(0)}s)`)
  }
} finally {
  await server.stop()
}

const tally = (o: Outcome, v: CheckResult['verdict']) => o.results.filter((r) => r.verdict === v).length
console.log('')
console.log(`compat matrix on ${server.info.name} ${server.info.version} (${((Date.now() - started) / 1000).toFixed(0)}s):`)
console.log(`  ${'cell'.padEnd(18)}${'node'.padEnd(10)}${'mongodb'.padEnd(33)}${'rxjs'.padEnd(7)}${'effect'.padEnd(8)}${'ts'.padEnd(7)}result`)
for (const o of outcomes) {
  const c = o.cell
  const result = o.note ?? `${tally(o, 'passed')} passed, ${tally(o, 'failed')} failed, ${tally(o, 'skipped')} skipped`
  console.log(
    `  ${c.name.padEnd(18)}${c.node.padEnd(10)}${c.mongodb.padEnd(33)}${c.rxjs.padEnd(7)}${c.effect.padEnd(8)}${c.typescript.padEnd(7)}${result}${c.informational ? ' (informational)' : ''}`,
  )
}
const counted = outcomes.filter((o) => !o.cell.informational)
const sum = (v: CheckResult['verdict']) => counted.reduce((n, o) => n + tally(o, v), 0)
console.log(`compat: ${counted.length} cells, ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`)
process.exit(sum('failed') > 0 ? 1 : 0)
