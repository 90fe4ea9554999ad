/**
 * One cell of the compatibility matrix, run as a user would meet motor-ts: the workspace
 * packages are packed (`pnpm pack`, as published) and installed with npm, next to the cell's
 * `mongodb`, `rxjs`, `effect` and TypeScript, into a throwaway consumer project outside the
 * repository (`$TMPDIR/motor-ts-compat/<cell>`, so nothing resolves from the workspace's
 * node_modules; the workspace and its lockfile are never touched). Then:
 * - runtime (with the cell's Node binary): the conformance scenarios (and, in driver cells, the
 *   unified CRUD specs) on the raw driver and each framework; the ESM and CommonJS smoke
 *   checks (`tools/compat/smoke-lib.cjs`); the masquerade through the Node hook per framework;
 * - types: one `tsc` (the cell's TypeScript, `skipLibCheck: false`) over an ESM and a CommonJS
 *   consumer file and the packages' own type tests (`*.test-d.ts`, rewritten to import the
 *   packages), each test block counted on its own.
 * Each check ends as one `CheckResult`.
 */
import { spawn } from 'node:child_process'
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { log, quietEnv, repoRoot, run } from './cache.ts'
import { type Cell, EXPECT_TYPE, TYPES_NODE } from './compat-cells.ts'
import { nodeBinary, npmEnv } from './npm.ts'

export interface CheckResult {
  verdict: 'passed' | 'failed' | 'skipped'
  name: string
  why?: string
}

/**
 * Where the conformance scenarios come from: a package of the workspace and its CLI (run with
 * `--suite scenarios|all --uri <uri> --json <file>`), and the optional peers it needs installed
 * (none: the CLI loads without vitest). The one place to change when they move.
 */
export const CONFORMANCE = {
  package: '@motor-ts/conformance',
  script: 'dist/conformance-cli.js',
  peers: {} as Record<string, string>,
}

/** The workspace packages a consumer installs, by folder. */
const PACKAGES = ['core', 'framework-promise', 'framework-rxjs', 'framework-effect', 'framework-callback', 'synchro', 'conformance']
const FIXTURES = join(repoRoot(), 'tools', 'compat')

/** Where the consumer projects and packed tarballs go: outside the repository, kept for inspection. */
export const COMPAT_DIR = join(tmpdir(), 'motor-ts-compat')

/** Packs every workspace package into `dir`; returns package name → tarball path. */
export async function packWorkspace(dir: string): Promise<Record<string, string>> {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const tarballs: Record<string, string> = {}
  await Promise.all(
    PACKAGES.map(async (folder) => {
      const cwd = join(repoRoot(), 'packages', folder)
      const pkg = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as { name: string }
      await run('pnpm', ['pack', '--pack-destination', dir], { cwd, env: quietEnv() })
      const prefix = pkg.name.replace('@', '').replace('/', '-')
      const file = (await readdir(dir)).find((f) => f.startsWith(`${prefix}-`) && f.endsWith('.tgz'))
      if (!file) throw new Error(`pnpm pack left no tarball for ${pkg.name} in ${dir}`)
      tarballs[pkg.name] = join(dir, file)
    }),
  )
  return tarballs
}

/** Creates the cell's consumer project and installs everything into it. */
export async function installConsumer(cell: Cell, tarballs: Record<string, string>): Promise<string> {
  const dir = join(COMPAT_DIR, cell.name)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const dependencies: Record<string, string> = {
    mongodb: cell.mongodb,
    rxjs: cell.rxjs,
    effect: cell.effect,
    ...Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`])),
  }
  if (cell.checks.includes('runtime')) Object.assign(dependencies, CONFORMANCE.peers)
  if (cell.checks.includes('types')) Object.assign(dependencies, { typescript: cell.typescript, '@types/node': TYPES_NODE, 'expect-type': EXPECT_TYPE })
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ private: true, type: 'module', dependencies }, null, 2)}\n`)
  await run('npm', ['install', '--prefer-offline', '--ignore-scripts', '--no-package-lock'], { cwd: dir, env: npmEnv() })
  for (const file of await readdir(FIXTURES)) await cp(join(FIXTURES, file), join(dir, file))
  return dir
}

/** Runs a child to completion (killed after `timeoutMs`), returning its exit code and output. */
function runChild(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, timeoutMs = 300_000) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk))
    child.stderr.on('data', (chunk: Buffer) => (out += chunk))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      resolve({ code: null, out: `${out}${error.message}` })
    })
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, out })
    })
  })
}

/** The `compat-check` lines a smoke script printed; a crash without them is one failed check. */
function parseChecks(name: string, code: number | null, out: string): CheckResult[] {
  const results = [...out.matchAll(/^compat-check (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as CheckResult)
  if (code !== 0 || results.length === 0) {
    const tail = out.trim().split('\n').slice(-3).join(' | ')
    results.push({ verdict: 'failed', name: `${name} exited ${code}`, why: tail })
  }
  return results
}

interface ConformanceReport {
  targets: Array<{ name: string; error?: string }>
  tests: Array<{ id: string; verdicts: Record<string, string>; reasons: Record<string, string> }>
}

/** Scenarios (and specs) per target; a framework whose verdict differs from the raw driver's fails. */
async function conformance(cell: Cell, dir: string, node: string, uri: string, specsDir: string | undefined): Promise<CheckResult[]> {
  const script = join(dir, 'node_modules', CONFORMANCE.package, CONFORMANCE.script)
  const json = join(dir, 'conformance.json')
  const suite = cell.specs && specsDir ? 'all' : 'scenarios'
  const args = [script, '--suite', suite, '--uri', uri, '--json', json, ...(suite === 'all' ? ['--specs', specsDir!] : [])]
  const { code, out } = await runChild(node, args, dir, quietEnv())
  let report: ConformanceReport
  try {
    report = JSON.parse(await readFile(json, 'utf8')) as ConformanceReport
  } catch {
    return [{ verdict: 'failed', name: `conformance (${suite}) exited ${code} without a report`, why: out.trim().split('\n').slice(-3).join(' | ') }]
  }
  const results: CheckResult[] = report.targets
    .filter((t) => t.error)
    .map((t) => ({ verdict: 'failed' as const, name: `conformance ${t.name}: run failed`, why: t.error!.split('\n')[0] }))
  for (const test of report.tests) {
    const baseline = test.verdicts.driver
    for (const [target, verdict] of Object.entries(test.verdicts)) {
      const name = `conformance ${target}: ${test.id}`
      const why = test.reasons[target]
      // The raw driver failing is the server's gap, not motor-ts's: skipped, with the driver's error.
      if (target !== 'driver' && verdict !== baseline)
        results.push({ verdict: 'failed', name, why: `${verdict} where the raw driver ${baseline}${why ? ` (${why})` : ''}` })
      else if (verdict === 'passed') results.push({ verdict: 'passed', name })
      else results.push({ verdict: 'skipped', name, why: verdict === 'failed' ? `fails on the raw driver too: ${test.reasons.driver}` : why })
    }
  }
  return results
}

/** The runtime checks of a cell, on its Node. */
export async function runtimeChecks(cell: Cell, dir: string, uri: string, specsDir?: string): Promise<CheckResult[]> {
  const node = await nodeBinary(cell.node)
  const env = quietEnv({ COMPAT_URI: uri })
  const results = await conformance(cell, dir, node, uri, specsDir)
  for (const script of ['smoke.mjs', 'smoke.cjs']) {
    const { code, out } = await runChild(node, [script], dir, env)
    results.push(...parseChecks(script, code, out))
  }
  for (const framework of ['promise', 'rxjs', 'effect']) {
    const { code, out } = await runChild(node, ['--import', '@motor-ts/synchro/register', 'masquerade.mjs'], dir, {
      ...env,
      MOTOR_FRAMEWORK: framework,
    })
    results.push(...parseChecks(`masquerade (${framework})`, code, out))
  }
  return results
}

/** Copies the packages' type tests into the consumer, importing the packages instead of their sources. */
async function copyTypeTests(dir: string): Promise<string[]> {
  const out = join(dir, 'typetests')
  await mkdir(out, { recursive: true })
  const files: string[] = []
  for (const folder of PACKAGES) {
    const testDir = join(repoRoot(), 'packages', folder, 'test')
    const pkg = JSON.parse(await readFile(join(repoRoot(), 'packages', folder, 'package.json'), 'utf8')) as { name: string }
    for (const file of (await readdir(testDir).catch(() => [] as string[])).filter((f) => f.endsWith('.test-d.ts'))) {
      const source = (await readFile(join(testDir, file), 'utf8'))
        .replaceAll("'../src/index.js'", `'${pkg.name}'`)
        .replaceAll("from 'vitest'", "from '../vitest-shim.js'")
      const target = join(out, `${folder}.${file}`)
      await writeFile(target, source)
      files.push(target)
    }
  }
  return files
}

/** The test blocks (`it('...')` / `test('...')`) of a type test file, by starting line. */
function testBlocks(source: string): Array<{ line: number; title: string }> {
  return source
    .split('\n')
    .flatMap((text, i) => [...text.matchAll(/\b(?:it|test)\(\s*'([^']+)'/g)].map((m) => ({ line: i + 1, title: m[1]! })))
}

/** The type checks of a cell: one `tsc` run, its errors attributed to the check they break. */
export async function typeChecks(dir: string): Promise<CheckResult[]> {
  const driverDts = await readFile(join(dir, 'node_modules', 'mongodb', 'mongodb.d.ts'), 'utf8')
  const changeStream = /export declare class ChangeStream<[\s\S]*?\n}\n/.exec(driverDts)?.[0] ?? ''
  const lacksBufferedCount = !/\n {4}bufferedCount\(\)/.test(changeStream)
  const typeTests = await copyTypeTests(dir)
  const consumers = ['types.mts', 'types.cts', lacksBufferedCount ? 'lacks.mts' : 'has.mts']
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      // DOM: effect's declarations name WebCrypto types (CryptoKey, JsonWebKey) only lib.dom declares.
      lib: ['ES2023', 'ESNext.Disposable', 'DOM'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      types: ['node'],
      strict: true,
      skipLibCheck: false,
      noEmit: true,
    },
    files: [...consumers, ...typeTests.map((f) => `typetests/${basename(f)}`)],
  }
  await writeFile(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`)
  const tsc = join(dir, 'node_modules', 'typescript', 'bin', 'tsc')
  const { code, out } = await runChild(process.execPath, [tsc, '-p', 'tsconfig.json', '--pretty', 'false'], dir, quietEnv())
  const errors = [...out.matchAll(/^(.+?)\((\d+),\d+\): error (TS\d+: [^\n]*)/gm)].map((m) => ({ file: m[1]!, line: Number(m[2]), text: m[3]! }))
  const errorsIn = (file: string) => errors.filter((e) => e.file === file || e.file.endsWith(`/${file}`))
  const results: CheckResult[] = []
  const verdict = (name: string, found: typeof errors): CheckResult =>
    found.length ? { verdict: 'failed', name, why: `${found[0]!.file}(${found[0]!.line}): ${found[0]!.text}` } : { verdict: 'passed', name }
  const declarationErrors = errors.filter((e) => e.file.includes('node_modules'))
  results.push(verdict('types: every declaration file compiles (skipLibCheck: false)', declarationErrors))
  results.push(verdict('types: ESM consumer', errorsIn('types.mts')))
  results.push(verdict('types: CommonJS consumer', errorsIn('types.cts')))
  results.push(
    verdict(
      lacksBufferedCount ? 'types: a member the installed driver lacks does not compile' : 'types: ChangeStream.bufferedCount keeps its type',
      errorsIn(consumers[2]!),
    ),
  )
  for (const file of typeTests) {
    const rel = `typetests/${basename(file)}`
    const blocks = testBlocks(await readFile(file, 'utf8'))
    const found = errorsIn(rel)
    blocks.forEach((block, i) => {
      const end = blocks[i + 1]?.line ?? Number.POSITIVE_INFINITY
      results.push(verdict(`types: ${basename(file)} ${block.title}`, found.filter((e) => e.line >= block.line && e.line < end)))
    })
    const outside = found.filter((e) => e.line < (blocks[0]?.line ?? Number.POSITIVE_INFINITY))
    if (outside.length) results.push(verdict(`types: ${basename(file)} (outside any test)`, outside))
  }
  const known = (e: (typeof errors)[number]) =>
    e.file.includes('node_modules') || e.file.includes('typetests/') || consumers.some((c) => e.file.endsWith(c))
  const other = errors.filter((e) => !known(e))
  if (other.length) results.push(verdict('types: other files', other))
  if (code !== 0 && errors.length === 0) results.push({ verdict: 'failed', name: `tsc exited ${code}`, why: out.trim().split('\n').slice(-3).join(' | ') })
  log(`tsc ${errors.length ? `${errors.length} errors` : 'clean'} in ${dir}`)
  return results
}
