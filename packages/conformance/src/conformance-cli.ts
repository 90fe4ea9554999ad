#!/usr/bin/env node
/**
 * `conformance`: runs test sources (today the unified-format spec files; more kinds can be
 * registered in `SOURCES`) on the raw mongodb driver, the baseline, and on Synchro over each
 * framework, then prints a passed/failed/skipped matrix and how many tests get the baseline's
 * verdict on every framework. Exit code 0 only when every test matches the baseline and no
 * exclusion entry is stale.
 *
 *   conformance [--specs DIR|FILE ...] [--uri URI] [--label TEXT] [--capabilities a,b]
 *               [--frameworks a,b] [--grep TEXT] [--json FILE]
 *
 * It runs against a server that is already running (`--uri`, else `MONGODB_URI`) and starts
 * none itself; the repository's `pnpm conformance --server NAME` provisions one first.
 */
import { existsSync, statSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { missingNeeds, runScenario } from './run-scenario.js'
import { conformanceTargets } from './targets.js'
import { type ScenarioNeed, scenarios } from './scenarios.js'
import { type DriverModule, listUnifiedFiles, summarize, UnifiedRunner, type UnifiedTestResult, type Verdict } from './unified/index.js'

// ---------------------------------------------------------------------------------------
// Test sources

export interface CaseResult {
  /** Stable key of the test across targets. */
  id: string
  file?: string
  description: string
  verdict: Verdict
  reason?: string
  durationMs: number
}

export interface Target {
  name: string
  driver: DriverModule
}

/** A kind of test the CLI can run on every target (unified spec files, scenarios, ...). */
export interface TestSource {
  name: string
  /** What is run, for the header line. */
  describe(): string
  run(target: Target, uri: string, onResult: (r: CaseResult) => void, server?: ServerFacts): Promise<CaseResult[]>
  /** Problems with the source itself (e.g. stale exclusions), reported once. */
  problems?(): string[]
}

/** Unified-format spec files from directories and/or single files. */
export function unifiedSource(paths: readonly string[], grep?: string): TestSource {
  const stale = new Set<string>()
  const keep = (description: string, file: string) => !grep || `${file} ${description}`.toLowerCase().includes(grep.toLowerCase())
  return {
    name: 'unified',
    describe: () => paths.join(', '),
    async run(target, uri, onResult) {
      const runner = await UnifiedRunner.open({ driver: target.driver, uri, filter: keep })
      const out: CaseResult[] = []
      const add = (r: UnifiedTestResult) => {
        const c: CaseResult = { id: `${r.file}#${r.description}`, ...r }
        out.push(c)
        onResult(c)
      }
      try {
        for (const p of paths) {
          const isDir = statSync(p).isDirectory()
          const files = isDir ? await listUnifiedFiles(p) : [p]
          for (const f of files) for (const r of await runner.runFile(f)) add(r)
          for (const r of runner.unmatchedExclusions(files, isDir ? p : undefined)) {
            add(r)
            stale.add(`${r.file}: ${r.reason}`)
          }
        }
      } finally {
        await runner.close()
      }
      return out
    },
    problems: () => [...stale],
  }
}

/** What the scenario source needs to know of the server to skip what it cannot do. */
export interface ServerFacts {
  label: string
  capabilities: Partial<Record<ScenarioNeed, boolean>>
}

/** The scenario tests (`scenarios.ts`): plain driver-API code covering every wrapped class. */
export function scenarioSource(_paths: readonly string[], grep?: string): TestSource {
  const chosen = scenarios.filter((s) => !grep || s.name.toLowerCase().includes(grep.toLowerCase()))
  return {
    name: 'scenarios',
    describe: () => `${chosen.length} scenarios`,
    async run(target, uri, onResult, server) {
      const out: CaseResult[] = []
      for (const scenario of chosen) {
        const t0 = performance.now()
        const why = missingNeeds(scenario, server?.label ?? 'the server', server?.capabilities ?? {})
        const r = why ? { verdict: 'skipped' as const, reason: why } : await runScenario(target.driver, scenario, uri)
        const c: CaseResult = { id: `scenario#${scenario.name}`, description: scenario.name, ...r, durationMs: performance.now() - t0 }
        out.push(c)
        onResult(c)
      }
      return out
    },
  }
}

/** Several sources run one after the other as one. */
function combined(sources: TestSource[]): TestSource {
  return {
    name: sources.map((s) => s.name).join(' + '),
    describe: () => sources.map((s) => `${s.name}: ${s.describe()}`).join('; '),
    async run(target, uri, onResult, server) {
      const out: CaseResult[] = []
      for (const s of sources) out.push(...(await s.run(target, uri, onResult, server)))
      return out
    },
    problems: () => sources.flatMap((s) => s.problems?.() ?? []),
  }
}

/** Registry of source kinds by name, for `--suite`. */
export const SOURCES: Record<string, (paths: readonly string[], grep?: string) => TestSource> = {
  all: (paths, grep) => combined([scenarioSource(paths, grep), unifiedSource(paths, grep)]),
  scenarios: scenarioSource,
  unified: unifiedSource,
}

// ---------------------------------------------------------------------------------------
// Arguments, targets, server

interface Args {
  specs: string[]
  uri?: string
  label?: string
  capabilities?: string[]
  json?: string
  frameworks?: string[]
  grep?: string
  suite: string
}

const CAPABILITIES: readonly ScenarioNeed[] = ['sessions', 'transactions', 'changeStreams', 'failCommand']

const USAGE = `usage: conformance [--specs DIR|FILE ...] [--uri URI] [--label TEXT] [--capabilities LIST]
                   [--frameworks promise,rxjs,effect,callback] [--grep TEXT] [--json FILE] [--suite all|scenarios|unified]
  --specs         spec directories or files (repeatable); default $MOTOR_SPECS_DIR or ../shared/specs/crud/tests/unified
  --uri           the running server to test against; default $MONGODB_URI
  --label         how to name the server in the report (default: its URI, password hidden)
  --capabilities  what the server supports, of ${CAPABILITIES.join(',')} (default: all); scenarios
                  needing anything else are skipped with a note
  --frameworks  frameworks to compare with the raw driver (default: all)
  --grep        only tests whose file or description contains TEXT
  --json        write every test's verdict per target to FILE
  --suite       all (default: the scenario suite, then the spec files), scenarios, or unified`

function parseArgs(argv: string[]): Args {
  const args: Args = { specs: [], suite: 'all' }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const value = () => {
      const v = argv[++i]
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`)
      return v
    }
    switch (a) {
      case '--specs':
        args.specs.push(value())
        break
      case '--label':
        args.label = value()
        break
      case '--capabilities':
        args.capabilities = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        break
      case '--uri':
        args.uri = value()
        break
      case '--json':
        args.json = value()
        break
      case '--frameworks':
        args.frameworks = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
        break
      case '--grep':
        args.grep = value()
        break
      case '--suite':
        args.suite = value()
        break
      case '-h':
      case '--help':
        console.log(USAGE)
        process.exit(0)
        break
      default:
        throw new UsageError(`unknown argument ${a}`)
    }
  }
  return args
}

class UsageError extends Error {}

/** The repository root: the nearest ancestor with pnpm-workspace.yaml, from this file, then the cwd. */
function repoRoot(): string {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    let dir = start
    for (;;) {
      if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir
      const up = dirname(dir)
      if (up === dir) break
      dir = up
    }
  }
  return process.cwd()
}

function defaultSpecs(): string[] {
  const fromEnv = process.env.MOTOR_SPECS_DIR
  if (fromEnv) {
    const dir = resolve(fromEnv)
    // Accept the specs root as well as a folder of test files.
    return [existsSync(join(dir, 'crud/tests/unified')) ? join(dir, 'crud/tests/unified') : dir]
  }
  return [resolve(repoRoot(), '../shared/specs/crud/tests/unified')]
}

interface ServerHandle extends ServerFacts {
  uri: string
  stop(): Promise<void>
}

async function openServer(args: Args): Promise<ServerHandle> {
  const uri = args.uri ?? process.env.MONGODB_URI
  if (!uri) throw new UsageError('needs a running server: pass --uri URI or set MONGODB_URI')
  // The server is not probed: without --capabilities every scenario runs, and a gap shows as
  // a failure on the baseline too (parity still holds).
  const unknownCap = (args.capabilities ?? []).filter((c) => !(CAPABILITIES as readonly string[]).includes(c))
  if (unknownCap.length) throw new UsageError(`unknown capabilities ${unknownCap.join(', ')} (known: ${CAPABILITIES.join(', ')})`)
  const capabilities = Object.fromEntries(CAPABILITIES.map((c) => [c, args.capabilities ? args.capabilities.includes(c) : true]))
  return { uri, label: args.label ?? redact(uri), capabilities, stop: async () => {} }
}

function redact(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):([^@/]*)@/, '//$1:***@')
}

// ---------------------------------------------------------------------------------------
// Report

interface TargetRun {
  target: string
  results: CaseResult[]
  error?: string
}

export function parity(runs: readonly TargetRun[]): { matching: number; total: number; mismatches: string[] } {
  const [baseline, ...others] = runs
  if (!baseline) return { matching: 0, total: 0, mismatches: [] }
  const byTarget = others.map((r) => ({ name: r.target, map: new Map(r.results.map((c) => [c.id, c])) }))
  let matching = 0
  const mismatches: string[] = []
  for (const b of baseline.results) {
    const differing = byTarget.filter((t) => t.map.get(b.id)?.verdict !== b.verdict)
    if (differing.length === 0) matching++
    else {
      const detail = differing.map((t) => `${t.name}=${t.map.get(b.id)?.verdict ?? 'missing'}${t.map.get(b.id)?.reason ? ` (${t.map.get(b.id)!.reason})` : ''}`)
      mismatches.push(`${b.id}: ${baseline.target}=${b.verdict}, ${detail.join(', ')}`)
    }
  }
  // Tests a framework reported that the baseline did not run at all also break parity.
  const baseIds = new Set(baseline.results.map((c) => c.id))
  let total = baseline.results.length
  for (const t of byTarget) {
    for (const id of t.map.keys()) {
      if (!baseIds.has(id)) {
        total++
        baseIds.add(id)
        mismatches.push(`${id}: not run on ${baseline.target}, ${t.name}=${t.map.get(id)!.verdict}`)
      }
    }
  }
  return { matching, total, mismatches }
}

function pad(s: string | number, n: number, right = false): string {
  const str = String(s)
  return right ? str.padStart(n) : str.padEnd(n)
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv)
  const makeSource = SOURCES[args.suite]
  if (!makeSource) throw new UsageError(`unknown suite ${args.suite} (known: ${Object.keys(SOURCES).join(', ')})`)
  const specs = (args.specs.length > 0 ? args.specs : defaultSpecs()).map((p) => resolve(p))
  for (const p of specs) if (!existsSync(p)) throw new UsageError(`specs path not found: ${p}`)
  const source = makeSource(specs, args.grep)

  const targets = await conformanceTargets(args.frameworks)
  const server = await openServer(args)
  const started = performance.now()
  const runs: TargetRun[] = []
  try {
    console.log(`conformance: ${source.name} tests from ${source.describe()}`)
    console.log(`server: ${server.label}`)
    for (const target of targets) {
      const t0 = performance.now()
      try {
        const results = await source.run(target, server.uri, () => {}, server)
        runs.push({ target: target.name, results })
      } catch (e) {
        runs.push({ target: target.name, results: [], error: (e as Error).stack ?? String(e) })
      }
      const s = summarize(runs.at(-1)!.results)
      console.error(`  ${target.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (${((performance.now() - t0) / 1000).toFixed(1)}s)`)
    }
  } finally {
    await server.stop()
  }

  const width = Math.max(8, ...runs.map((r) => r.target.length)) + 2
  console.log('')
  console.log(`${pad('target', width)}${pad('passed', 8, true)}${pad('failed', 8, true)}${pad('skipped', 9, true)}`)
  for (const run of runs) {
    const s = summarize(run.results)
    const tag = run === runs[0] ? '  (baseline)' : ''
    console.log(`${pad(run.target, width)}${pad(s.passed, 8, true)}${pad(s.failed, 8, true)}${pad(s.skipped, 9, true)}${tag}`)
    if (run.error) console.log(`  error: ${run.error.split('\n')[0]}`)
  }
  const problems = source.problems?.() ?? []
  for (const p of problems) console.log(`stale exclusion: ${p}`)
  const { matching, total, mismatches } = parity(runs)
  if (mismatches.length > 0) {
    console.log('')
    console.log(`tests whose verdict differs from the baseline (${mismatches.length}):`)
    for (const m of mismatches.slice(0, 100)) console.log(`  ${m}`)
    if (mismatches.length > 100) console.log(`  ... and ${mismatches.length - 100} more (see --json)`)
  }
  console.log(`time: ${((performance.now() - started) / 1000).toFixed(1)}s`)

  if (args.json) {
    const ids = [...new Set(runs.flatMap((r) => r.results.map((c) => c.id)))]
    const lookup = runs.map((r) => ({ name: r.target, map: new Map(r.results.map((c) => [c.id, c])) }))
    const report = {
      suite: source.name,
      specs,
      server: server.label,
      targets: runs.map((r) => ({ name: r.target, ...summarize(r.results), error: r.error })),
      parity: { matching, total },
      tests: ids.map((id) => {
        const first = lookup.map((l) => l.map.get(id)).find(Boolean)!
        return {
          id,
          file: first.file,
          description: first.description,
          verdicts: Object.fromEntries(lookup.map((l) => [l.name, l.map.get(id)?.verdict ?? 'missing'])),
          reasons: Object.fromEntries(lookup.flatMap((l) => (l.map.get(id)?.reason ? [[l.name, l.map.get(id)!.reason]] : []))),
        }
      }),
    }
    await mkdir(dirname(resolve(args.json)), { recursive: true })
    await writeFile(resolve(args.json), `${JSON.stringify(report, null, 2)}\n`)
  }

  console.log(`parity: ${matching}/${total} tests match the baseline on every framework`)
  const anyError = runs.some((r) => r.error)
  return matching === total && problems.length === 0 && !anyError ? 0 : 1
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (e) => {
    if (e instanceof UsageError) {
      console.error(`conformance: ${e.message}\n${USAGE}`)
      process.exitCode = 2
    } else {
      console.error(`conformance: ${(e as Error)?.stack ?? String(e)}`)
      process.exitCode = 1
    }
  },
)
