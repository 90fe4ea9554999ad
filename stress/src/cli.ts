/**
 * `pnpm stress [--quick] [--server secantusdb|ferretdb] [--only a,b] [--framework a,b] [--seed N]`:
 * runs each stress scenario (web load, cancellation storm, secrets) for each framework (promise, rxjs, effect), each in a process of
 * its own, and prints one line per scenario and framework with its figures, ending `ok`,
 * `FAIL <why>` or `skipped: <reason>`; then one resource-hygiene line per framework (every
 * scenario process exited on its own, no MaxListenersExceededWarning). Exits 1 on any FAIL.
 *
 * The runner starts one server with the repo's tools (loopback only) for the scenarios that
 * share one; the secrets scenario starts its own, since it restarts it with authentication
 * and stops it under a connected client. Every child is bounded in time (killed and failed past it).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { describe, type RunningServer, startServer } from '@motor-ts/tools'
import { type ChildSettings, FRAMEWORKS, type FrameworkName, line, RESULT_MARK, SCENARIOS, type ScenarioName, type ScenarioResult } from './report.ts'

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    server: { type: 'string', default: 'secantusdb' },
    only: { type: 'string' },
    framework: { type: 'string' },
    seed: { type: 'string' },
  },
})

const serverKind = values.server as 'secantusdb' | 'ferretdb'
if (serverKind !== 'secantusdb' && serverKind !== 'ferretdb') usage(`--server must be secantusdb or ferretdb, got ${values.server}`)
const scenarios = pick(values.only, SCENARIOS, '--only')
const frameworks = pick(values.framework, FRAMEWORKS, '--framework')
const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31
if (!Number.isSafeInteger(seed)) usage(`--seed must be an integer, got ${values.seed}`)
const quick = values.quick
/** The longest one scenario process may run before it is killed and failed. */
const CHILD_LIMIT_MS = quick ? 240_000 : 1_200_000
/** How long a process may take to exit on its own after printing its result. */
const EXIT_LIMIT_MS = 10_000

function usage(message: string): never {
  console.error(message)
  console.error('usage: pnpm stress [--quick] [--server secantusdb|ferretdb] [--only web-load,cancel-storm,secrets] [--framework promise,rxjs,effect] [--seed N]')
  process.exit(2)
}

function pick<T extends string>(list: string | undefined, all: readonly T[], flag: string): T[] {
  if (!list) return [...all]
  const wanted = list.split(',').map((s) => s.trim())
  for (const w of wanted) if (!(all as readonly string[]).includes(w)) usage(`${flag}: unknown ${w} (one of ${all.join(', ')})`)
  return wanted as T[]
}

interface ChildOutcome {
  result?: ScenarioResult
  /** ms between the result line and the process exit; undefined if it had to be killed. */
  exitAfterMs?: number
  killed?: string
  maxListenerWarnings: number
  output: string
}

const runOne = fileURLToPath(new URL('./run-one.ts', import.meta.url))
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

function runChild(settings: ChildSettings): Promise<ChildOutcome> {
  return new Promise((resolve) => {
    const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', runOne], {
      cwd: repoRoot,
      env: { ...process.env, MOTOR_STRESS_SETTINGS: JSON.stringify(settings) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const outcome: ChildOutcome = { maxListenerWarnings: 0, output: '' }
    let resultAt: number | undefined
    let exitTimer: ReturnType<typeof setTimeout> | undefined
    let pending = ''
    const onOutput = (chunk: Buffer) => {
      outcome.output += chunk.toString()
      pending += chunk.toString()
      let nl = pending.indexOf('\n')
      while (nl >= 0) {
        const text = pending.slice(0, nl)
        pending = pending.slice(nl + 1)
        if (text.startsWith(RESULT_MARK)) {
          outcome.result = JSON.parse(text.slice(RESULT_MARK.length)) as ScenarioResult
          resultAt = Date.now()
          exitTimer = setTimeout(() => {
            outcome.killed = `did not exit within ${EXIT_LIMIT_MS / 1000}s of its result (still open: ${outcome.result?.activeResources?.join(', ') || 'nothing reported'})`
            child.kill('SIGKILL')
          }, EXIT_LIMIT_MS)
        }
        nl = pending.indexOf('\n')
      }
    }
    child.stdout!.on('data', onOutput)
    child.stderr!.on('data', (chunk: Buffer) => (outcome.output += chunk.toString()))
    const limit = setTimeout(() => {
      outcome.killed = `timed out after ${CHILD_LIMIT_MS / 1000}s`
      child.kill('SIGKILL')
    }, CHILD_LIMIT_MS)
    child.on('exit', () => {
      clearTimeout(limit)
      clearTimeout(exitTimer)
      if (resultAt !== undefined && !outcome.killed) outcome.exitAfterMs = Date.now() - resultAt
      outcome.maxListenerWarnings = outcome.output.split('MaxListenersExceededWarning').length - 1
      resolve(outcome)
    })
  })
}

function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).map((l) => `    | ${l}`).join('\n')
}

interface Hygiene {
  processes: number
  exited: number
  slowestExitMs: number
  warnings: number
  problems: string[]
}

const started = Date.now()
const secret = `pw-${randomBytes(12).toString('hex')}`
let server: RunningServer | undefined
let failed = 0
let passed = 0
let skipped = 0
const hygiene = new Map<FrameworkName, Hygiene>(frameworks.map((f) => [f, { processes: 0, exited: 0, slowestExitMs: 0, warnings: 0, problems: [] }]))
try {
  server = await startServer(serverKind)
  console.log(`stress${quick ? ' --quick' : ''} on ${describe(server.info)}; seed ${seed} (replay: --seed ${seed})`)
  for (const scenario of scenarios) {
    for (const framework of frameworks) {
      const t0 = Date.now()
      const outcome = await runChild({
        scenario,
        framework,
        quick,
        uri: server.info.uri,
        serverKind,
        serverName: `${server.info.name} ${server.info.version}`,
        capabilities: server.info.capabilities as unknown as Record<string, unknown>,
        notes: server.info.notes as Record<string, string>,
        seed,
        secret,
      })
      const seconds = `${((Date.now() - t0) / 1000).toFixed(1)} s`
      report(scenario, framework, outcome, seconds)
    }
  }
} finally {
  await server?.stop()
}
for (const [framework, h] of hygiene) {
  const figures = [`${h.exited}/${h.processes} processes exited on their own`, `slowest ${h.slowestExitMs} ms after its result`, `MaxListenersExceededWarning ${h.warnings}`]
  const ok = h.exited === h.processes && h.warnings === 0
  ok ? passed++ : failed++
  console.log(line('hygiene', framework, figures, ok ? 'ok' : `FAIL ${h.problems.join('; ')}`))
}
console.log(`${passed} ok, ${failed} FAIL, ${skipped} skipped in ${((Date.now() - started) / 1000).toFixed(0)} s (seed ${seed})`)
process.exitCode = failed ? 1 : 0

function report(scenario: ScenarioName, framework: FrameworkName, outcome: ChildOutcome, seconds: string): void {
  const h = hygiene.get(framework)!
  h.processes++
  h.warnings += outcome.maxListenerWarnings
  if (outcome.exitAfterMs !== undefined) {
    h.exited++
    h.slowestExitMs = Math.max(h.slowestExitMs, outcome.exitAfterMs)
  } else h.problems.push(`${scenario}: ${outcome.killed ?? 'exited without a result'}`)
  if (outcome.maxListenerWarnings) h.problems.push(`${scenario}: MaxListenersExceededWarning printed`)
  const result = outcome.result
  const failures = [...(result?.failures ?? [])]
  if (!result) failures.push(outcome.killed ?? 'no result (the process died)')
  if (outcome.output.includes(secret)) failures.push('the password appeared in the output')
  const figures = [...(result?.figures ?? []), seconds]
  if (result?.skipped && failures.length === 0) {
    skipped++
    console.log(line(scenario, framework, figures, `skipped: ${result.skipped}`))
    return
  }
  if (failures.length === 0) {
    passed++
    console.log(line(scenario, framework, figures, 'ok'))
    return
  }
  failed++
  console.log(line(scenario, framework, figures, `FAIL ${failures.join('; ')}`))
  console.log(tail(outcome.output.replaceAll(secret, '<password>')))
}
