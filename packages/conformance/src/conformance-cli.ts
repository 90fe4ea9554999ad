#!/usr/bin/env node
/**
 * `conformance`: runs test sources (today the unified-format spec files; more kinds can be
 * registered in `SOURCES`) on the raw mongodb driver, the baseline, and on Synchro over each
 * framework, then prints a passed/failed/skipped matrix and how many tests get the baseline's
 * verdict on every framework. Exit code 0 only when every test matches the baseline and no
 * exclusion entry is stale.
 *
 *   conformance [--specs DIR|FILE ...] [--uri URI ...] [--label TEXT] [--capabilities a,b]
 *               [--frameworks a,b] [--grep TEXT] [--json FILE] [--markdown FILE] [--jobs N]
 *
 * It runs against servers that are already running (`--uri`, repeatable, else `MONGODB_URI`)
 * and starts none itself; the repository's `pnpm conformance --server NAME` provisions them
 * first. By default it runs the scenarios and the thirteen unified spec folders of
 * `SPEC_FOLDERS`. Given several `--uri` (instances of one server kind), targets run in
 * parallel, one lane per server. The report gives every folder's counts per target, lists
 * each test that fails on the baseline grouped by cause (the error the server returned), and
 * each excluded test grouped by the exclusion's reason.
 */
import { existsSync, statSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { missingNeeds, runScenario } from './run-scenario.js'
import { type ScenarioNeed, scenarios } from './scenarios.js'
import { conformanceTargets } from './targets.js'
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
  uris: string[]
  label?: string
  capabilities?: string[]
  json?: string
  markdown?: string
  frameworks?: string[]
  grep?: string
  suite: string
  jobs?: number
}

const CAPABILITIES: readonly ScenarioNeed[] = ['sessions', 'transactions', 'changeStreams', 'failCommand']

const USAGE = `usage: conformance [--specs DIR|FILE ...] [--uri URI ...] [--label TEXT] [--capabilities LIST]
                   [--frameworks promise,rxjs,effect,callback] [--grep TEXT] [--json FILE] [--markdown FILE]
                   [--suite all|scenarios|unified] [--jobs N]
  --specs         spec directories or files (repeatable); default: the thirteen spec folders under
                  $MOTOR_SPECS_DIR or ../shared/specs (crud, gridfs, sessions, transactions, ...)
  --uri           a running server to test against (repeatable: instances of one server, one lane
                  each, targets in parallel); default $MONGODB_URI
  --label         how to name the server in the report (default: its URI, password hidden)
  --capabilities  what the server supports, of ${CAPABILITIES.join(',')} (default: all); scenarios
                  needing anything else are skipped with a note
  --frameworks    frameworks to compare with the raw driver (default: all)
  --grep          only tests whose file or description contains TEXT
  --json          write every test's verdict per target to FILE
  --markdown      write the report (per-folder counts, baseline failures by cause) to FILE
  --jobs          targets run at once, at most one per server given (default: one per server)
  --suite         all (default: the scenario suite, then the spec files), scenarios, or unified`

function parseArgs(argv: string[]): Args {
  const args: Args = { specs: [], uris: [], suite: 'all' }
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
        args.uris.push(value())
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
      case '--markdown':
        args.markdown = value()
        break
      case '--jobs':
        args.jobs = Number.parseInt(value(), 10)
        if (!(args.jobs >= 1)) throw new UsageError('--jobs needs a positive number')
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

/** The unified-format spec folders run by default, relative to the specs root. */
export const SPEC_FOLDERS = [
  'crud/tests/unified',
  'gridfs/tests',
  'collection-management/tests',
  'sessions/tests',
  'change-streams/tests/unified',
  'run-command/tests/unified',
  'transactions-convenient-api/tests/unified',
  'transactions/tests/unified',
  'retryable-reads/tests/unified',
  'retryable-writes/tests/unified',
  'index-management/tests',
  'read-write-concern/tests/operation',
  'command-logging-and-monitoring/tests/monitoring',
] as const

/** Every folder of SPEC_FOLDERS under the specs root ($MOTOR_SPECS_DIR, or a folder of test files there). */
function defaultSpecs(): string[] {
  const fromEnv = process.env.MOTOR_SPECS_DIR
  const root = fromEnv ? resolve(fromEnv) : resolve(repoRoot(), '../shared/specs')
  if (fromEnv && !SPEC_FOLDERS.some((f) => existsSync(join(root, f)))) return [root]
  return SPEC_FOLDERS.map((f) => join(root, f))
}

interface ServerHandle extends ServerFacts {
  uri: string
}

/** The servers given (`--uri`, repeatable, else MONGODB_URI): one lane of targets each. */
function givenServers(args: Args): ServerHandle[] {
  const uris = args.uris.length > 0 ? args.uris : process.env.MONGODB_URI ? [process.env.MONGODB_URI] : []
  if (uris.length === 0) throw new UsageError('needs a running server: pass --uri URI or set MONGODB_URI')
  // The server is not probed: without --capabilities every scenario runs, and a gap shows as
  // a failure on the baseline too (parity still holds).
  const unknownCap = (args.capabilities ?? []).filter((c) => !(CAPABILITIES as readonly string[]).includes(c))
  if (unknownCap.length) throw new UsageError(`unknown capabilities ${unknownCap.join(', ')} (known: ${CAPABILITIES.join(', ')})`)
  const capabilities = Object.fromEntries(CAPABILITIES.map((c) => [c, args.capabilities ? args.capabilities.includes(c) : true]))
  return uris.map((uri) => ({ uri, label: args.label ?? redact(uri), capabilities }))
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

interface Report {
  server: string
  specs: readonly string[]
  runs: readonly TargetRun[]
  problems: readonly string[]
  seconds: number
}

/** The folder a result belongs to: its --specs path shortened to a SPEC_FOLDERS name, or its source. */
function groupOf(c: CaseResult, specs: readonly string[]): string {
  if (!c.file) return 'scenarios'
  const spec = specs.find((p) => c.file === p || c.file!.startsWith(`${p}/`))
  if (!spec) return 'exclusion entries'
  const folder = spec === c.file ? dirname(spec) : spec
  return SPEC_FOLDERS.find((f) => folder.endsWith(`/${f}`)) ?? folder
}

/**
 * A failure reason as a cause shared by many tests: the operation name in front and the
 * values that differ per test (ObjectIds, ports, counts in brackets) are taken out.
 */
export function causeOf(reason = '(no reason given)'): string {
  return reason
    .replace(/^\w+ failed unexpectedly: /, 'operation failed: ')
    .replace(/^\w+(?= error \(| result: |: expected )/, 'operation')
    .replace(/\{"\$oid":"[0-9a-f]{24}"\}/g, '<ObjectId>')
    .replace(/ with (non-default )?value .*? is not implemented yet/, ' is not implemented yet')
    .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:<port>')
    .slice(0, 300)
}

function byCause(results: readonly CaseResult[], cause: (c: CaseResult) => string): Array<[string, CaseResult[]]> {
  const groups = new Map<string, CaseResult[]>()
  for (const c of results) groups.set(cause(c), [...(groups.get(cause(c)) ?? []), c])
  return [...groups.entries()].sort((a, b) => b[1].length - a[1].length)
}

/** The report as plain text (CLI output) or markdown: per-folder counts, failures by cause, exclusions. */
function reportText({ server, specs, runs, problems, seconds }: Report, format: 'text' | 'markdown'): string {
  const md = format === 'markdown'
  const out: string[] = []
  const heading = (text: string) => out.push('', ...(md ? [`## ${text}`, ''] : [`${text}:`]))
  const row = (cells: Array<string | number>, widths: number[]) =>
    out.push(md ? `| ${cells.join(' | ')} |` : cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[0]!) : String(c).padStart(widths[i]!))).join('  '))
  const baseline = runs[0]
  if (md) out.push(`# Conformance report`, '', `Server: ${server.replace(/ at mongodb\S*/, '')}. Targets: ${runs.map((r) => r.target).join(', ')} (the first is the baseline). Time: ${seconds.toFixed(0)} s.`)

  // Per folder: passed/failed/skipped per target, and how many tests get the baseline's verdict everywhere.
  const groups = [...new Set(runs.flatMap((r) => r.results.map((c) => groupOf(c, specs))))]
  const width = Math.max(20, ...groups.map((g) => g.length))
  heading('tests per folder (passed/failed/skipped per target; parity = same verdict as the baseline on every framework)')
  const cols = [width, ...runs.map(() => 13), 11]
  row(['folder', ...runs.map((r) => r.target), 'parity'], cols)
  if (md) out.push(`|${' --- |'.repeat(runs.length + 2)}`)
  const pfs = (results: readonly CaseResult[]) => {
    const s = summarize(results)
    return `${s.passed}/${s.failed}/${s.skipped}`
  }
  for (const g of [...groups, 'all']) {
    const pick = (r: TargetRun) => ({ ...r, results: g === 'all' ? r.results : r.results.filter((c) => groupOf(c, specs) === g) })
    const { matching, total } = parity(runs.map(pick))
    row([g, ...runs.map((r) => pfs(pick(r).results)), `${matching}/${total}`], cols)
  }
  for (const r of runs) if (r.error) out.push(`${r.target} did not finish: ${r.error.split('\n')[0]}`)
  for (const p of problems) out.push(`stale exclusion: ${p}`)

  const mismatches = parity(runs).mismatches
  if (mismatches.length > 0) {
    heading(`tests whose verdict differs from the baseline (${mismatches.length})`)
    for (const m of mismatches) out.push(`${md ? '- ' : '  '}${m}`)
  }
  if (!baseline) return `${out.join('\n')}\n`
  const list = (groupsOf: Array<[string, CaseResult[]]>) => {
    for (const [cause, cases] of groupsOf) {
      out.push(md ? `\n### ${cases.length} × \`\` ${cause} \`\`\n` : `  [${cases.length}] ${cause}`)
      const ids = cases.map((c) => `${groupOf(c, specs)}/${c.file?.split('/').pop() ?? ''}: ${c.description}`)
      if (md) for (const id of ids) out.push(`- ${id}`)
      else out.push(`        ${ids.slice(0, 3).join('; ')}${ids.length > 3 ? `; and ${ids.length - 3} more` : ''}`)
    }
  }
  const failed = baseline.results.filter((c) => c.verdict === 'failed')
  heading(`tests that fail on the baseline (${baseline.target}), by cause (${failed.length})`)
  list(byCause(failed, (c) => causeOf(c.reason)))
  const excluded = baseline.results.filter((c) => c.verdict === 'skipped' && c.reason?.startsWith('excluded'))
  heading(`tests excluded on every target, by reason (${excluded.length})`)
  list(byCause(excluded, (c) => c.reason!))
  return `${out.join('\n')}\n`
}

/** Runs every target, `jobs` at a time; each lane runs on its own server. Results in target order. */
async function runTargets(source: TestSource, targets: readonly Target[], args: Args, jobs: number): Promise<{ runs: TargetRun[]; server: string }> {
  // Each server runs one target at a time; the targets of one server run one after the other.
  const servers = givenServers(args).slice(0, Math.max(1, Math.min(jobs, targets.length)))
  const runs: TargetRun[] = []
  const label = servers[0]?.label ?? ''
  console.log(`server: ${label}${servers.length > 1 ? ` (and ${servers.length - 1} more instances, one lane each)` : ''}`)
  let next = 0
  const lane = async (server: ServerHandle) => {
    for (let i = next++; i < targets.length; i = next++) {
      const target = targets[i]!
      const t0 = performance.now()
      try {
        runs[i] = { target: target.name, results: await source.run(target, server.uri, () => {}, server) }
      } catch (e) {
        runs[i] = { target: target.name, results: [], error: (e as Error).stack ?? String(e) }
      }
      const s = summarize(runs[i]!.results)
      console.error(`  ${target.name}: ${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped (${((performance.now() - t0) / 1000).toFixed(1)}s)`)
    }
  }
  await Promise.all(servers.map(lane))
  return { runs, server: label }
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv)
  const makeSource = SOURCES[args.suite]
  if (!makeSource) throw new UsageError(`unknown suite ${args.suite} (known: ${Object.keys(SOURCES).join(', ')})`)
  // The scenario suite reads no spec files: only a suite that does needs the default folders.
  const specs = (args.specs.length > 0 ? args.specs : args.suite === 'scenarios' ? [] : defaultSpecs()).map((p) => resolve(p))
  const missing = specs.filter((p) => !existsSync(p))
  if (missing.length > 0) {
    const given = args.specs.length > 0
    throw new UsageError(
      [
        `specs path not found: ${missing.join(', ')}`,
        ...(given
          ? []
          : [
              "MongoDB's unified-format spec tests (the specifications repository's source/*/tests folders) are read in place, by",
              'default from ../shared/specs beside the repository: set MOTOR_SPECS_DIR=DIR or pass --specs DIR,',
              'or run only the scenario suite with --suite scenarios.',
            ]),
      ].join('\n'),
    )
  }
  const source = makeSource(specs, args.grep)

  const targets = await conformanceTargets(args.frameworks)
  const jobs = args.jobs ?? targets.length
  const started = performance.now()
  console.log(`conformance: ${source.name} tests from ${source.describe()}`)
  const { runs, server } = await runTargets(source, targets, args, jobs)
  const problems = source.problems?.() ?? []
  const { matching, total } = parity(runs)
  const report: Report = { server, specs, runs, problems, seconds: (performance.now() - started) / 1000 }
  console.log(`\n${reportText(report, 'text')}`)
  if (args.json) await writeOut(args.json, `${JSON.stringify(jsonReport(source, report), null, 2)}\n`)
  if (args.markdown) await writeOut(args.markdown, reportText(report, 'markdown'))
  console.log(`parity: ${matching}/${total} tests match the baseline on every framework`)
  const anyError = runs.some((r) => r.error)
  return matching === total && problems.length === 0 && !anyError ? 0 : 1
}

async function writeOut(file: string, text: string): Promise<void> {
  await mkdir(dirname(resolve(file)), { recursive: true })
  await writeFile(resolve(file), text)
}

function jsonReport(source: TestSource, { runs, specs, server }: Report) {
  const ids = [...new Set(runs.flatMap((r) => r.results.map((c) => c.id)))]
  const lookup = runs.map((r) => ({ name: r.target, map: new Map(r.results.map((c) => [c.id, c])) }))
  const { matching, total } = parity(runs)
  return {
    suite: source.name,
    specs,
    server,
    targets: runs.map((r) => ({ name: r.target, ...summarize(r.results), error: r.error })),
    parity: { matching, total },
    tests: ids.map((id) => {
      const found = lookup.map((l) => [l.name, l.map.get(id)] as const).filter((e): e is readonly [string, CaseResult] => !!e[1])
      const first = found[0]![1]
      return {
        id,
        file: first.file,
        description: first.description,
        verdicts: Object.fromEntries(lookup.map((l) => [l.name, l.map.get(id)?.verdict ?? 'missing'])),
        reasons: Object.fromEntries(found.flatMap(([name, c]) => (c.reason ? [[name, c.reason]] : []))),
        durationsMs: Object.fromEntries(found.map(([name, c]) => [name, Math.round(c.durationMs)])),
      }
    }),
  }
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
