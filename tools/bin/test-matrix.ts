/**
 * `pnpm test:matrix [-- <vitest args>]`: the whole root test suite once per server.
 *
 * Servers: SecantusDB and FerretDB (each provisioned first, timed), plus the server at
 * MONGODB_URI when that is set (`MOTOR_MATRIX_SERVERS=a,b` narrows the list). For each, runs `vitest run` with MOTOR_TEST_SERVER=<name> (and
 * MONGODB_URI only for the 'uri' run), the default reporter on the terminal and the JSON reporter
 * into .cache/test-results/vitest-<name>.json, then prints one line per server,
 * `server <name>: N passed, N failed, N skipped`, and a last line with the totals. A test file
 * that failed outside any test (an import error, say) counts as one failed test. Exits non-zero
 * if anything failed, a run errored, or a server could not be provisioned.
 */
import { spawn } from 'node:child_process'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { log, repoRoot } from '../src/cache.ts'
import { ProvisionError, provision, type ServerKind } from '../src/install.ts'

interface JsonReport {
  numPassedTests: number
  numFailedTests: number
  numPendingTests: number
  numTodoTests: number
  testResults: Array<{
    name: string
    status: string
    message?: string
    assertionResults: Array<{ status: string; fullName: string; meta?: { motorSkip?: string } }>
  }>
}

interface Outcome {
  name: string
  passed: number
  failed: number
  skipped: number
  problems: string[]
  /** Why tests were skipped (the note `requires()` left), with how many. */
  skips: Map<string, number>
}

const root = repoRoot()
const vitestArgs = process.argv.slice(2).filter((a) => a !== '--')
const vitestEntry = join(dirname(createRequire(join(root, 'package.json')).resolve('vitest/package.json')), 'vitest.mjs')
const resultsDir = join(root, '.cache', 'test-results')
await mkdir(resultsDir, { recursive: true })

// MOTOR_MATRIX_SERVERS=ferretdb (a comma list) narrows the matrix, e.g. in CI after `pnpm test`
// has already run the suite on the default server.
const chosen = process.env.MOTOR_MATRIX_SERVERS?.split(',').filter(Boolean)
const servers: ServerKind[] = (['secantusdb', 'ferretdb'] as const).filter((k) => !chosen || chosen.includes(k))
if (process.env.MONGODB_URI) servers.push('uri')

function runVitest(kind: ServerKind, outputFile: string): Promise<number | null> {
  const env: NodeJS.ProcessEnv = { ...process.env, MOTOR_TEST_SERVER: kind, DO_NOT_TRACK: '1' }
  if (kind !== 'uri') delete env.MONGODB_URI
  const args = [vitestEntry, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${outputFile}`, ...vitestArgs]
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] })
    child.on('error', reject)
    child.on('close', (code, signal) => resolveRun(signal ? null : code))
  })
}

const outcomes: Outcome[] = []
for (const kind of servers) {
  const outcome: Outcome = { name: kind, passed: 0, failed: 0, skipped: 0, problems: [], skips: new Map() }
  outcomes.push(outcome)
  log(`===== ${kind}: provisioning`)
  const started = Date.now()
  try {
    await provision(kind)
    log(`${kind}: provisioned in ${((Date.now() - started) / 1000).toFixed(1)}s`)
  } catch (error) {
    const hints = error instanceof ProvisionError && error.hints.length ? ` (fix: ${error.hints.join('; ')})` : ''
    outcome.problems.push(`could not be provisioned: ${(error as Error).message}${hints}`)
    continue
  }

  log(`===== ${kind}: vitest run ${vitestArgs.join(' ')}`)
  const outputFile = join(resultsDir, `vitest-${kind}.json`)
  await rm(outputFile, { force: true })
  const code = await runVitest(kind, outputFile)
  let report: JsonReport | undefined
  try {
    report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonReport
  } catch {
    outcome.problems.push(`vitest wrote no JSON report (exit code ${code}); see its output above`)
  }
  if (report) {
    const brokenFiles = report.testResults.filter((file) => file.status === 'failed' && !file.assertionResults.some((t) => t.status === 'failed'))
    outcome.passed = report.numPassedTests
    outcome.failed = report.numFailedTests + brokenFiles.length
    outcome.skipped = report.numPendingTests + report.numTodoTests
    for (const file of report.testResults) {
      for (const test of file.assertionResults) {
        if (test.status !== 'skipped' && test.status !== 'pending' && test.status !== 'todo') continue
        const why = test.meta?.motorSkip ?? 'skipped in the test code (it.skip / it.todo / ctx.skip without requires)'
        outcome.skips.set(why, (outcome.skips.get(why) ?? 0) + 1)
      }
    }
    for (const file of brokenFiles) outcome.problems.push(`${file.name} failed to run: ${(file.message ?? '').split('\n')[0]}`)
  }
  if (code !== 0 && outcome.failed === 0 && outcome.problems.length === 0) {
    outcome.problems.push(`vitest exited with code ${code} (an error outside the tests: see its output above)`)
  }
}

console.log('')
for (const o of outcomes) {
  if (o.skips.size === 0) continue
  console.log(`skipped on ${o.name}:`)
  for (const [why, count] of [...o.skips].sort((a, b) => b[1] - a[1])) console.log(`  ${count} x ${why}`)
}
for (const o of outcomes) {
  console.log(`server ${o.name}: ${o.passed} passed, ${o.failed} failed, ${o.skipped} skipped`)
  for (const problem of o.problems) console.log(`  ${o.name}: ${problem}`)
}
const sum = (key: 'passed' | 'failed' | 'skipped') => outcomes.reduce((n, o) => n + o[key], 0)
console.log(`${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`)
process.exit(sum('failed') > 0 || outcomes.some((o) => o.problems.length > 0) ? 1 : 0)
