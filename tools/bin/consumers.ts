/**
 * `pnpm consumers`: installs the packed tarballs into throwaway projects as a new user would,
 * and proves each one type-checks with `tsc --strict` (library .d.ts files included:
 * skipLibCheck off) and runs against a real test server. The cells, for each framework
 * package (promise, rxjs, effect):
 *   - esm:     `module: node16` ESM (.mts), compiled by tsc and run by node;
 *   - cjs:     `module: node16` CommonJS (.cts), compiled by tsc and run by node. For
 *              @motor-ts/effect the CommonJS code uses `await import()`: Effect 4 is ESM only, so
 *              under node16 only a dynamic import types (`require` needs TS 5.8+ nodenext,
 *              which `pnpm test:compat` covers);
 *   - bundler: `moduleResolution: bundler`, type-checked, bundled by esbuild, run by node.
 * Each project depends only on its framework package (a tarball), mongodb and its framework's
 * library: the framework-agnostic query module takes `FrameworkTypes`/`MotorDb` from the
 * framework package. `@motor-ts/core` comes from its tarball too (a pnpm override), never from
 * the registry; third-party packages come from the npm registry (pnpm's store when warm).
 * Needs `pnpm build` first. Server: MONGODB_URI, else MOTOR_TEST_SERVER, else SecantusDB.
 * Prints one line per cell and ends with "N passed, N failed".
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandError, repoRoot, run } from '../src/cache.ts'
import { packTarballs, type Tarball } from '../src/packages.ts'
import { selectServerKind, startServer } from '../src/server.ts'

/** The version of `name` this repo has installed (esbuild: the one tsup uses), so the projects match the lockfile. */
function installedVersion(name: string): string {
  const from = name === 'esbuild' ? createRequire(join(root, 'package.json')).resolve('tsup/package.json') : join(root, 'package.json')
  return (createRequire(from)(`${name}/package.json`) as { version: string }).version
}

const root = repoRoot()
/** Third-party versions the throwaway projects install: the repo's own, from the npm registry (or pnpm's store). */
const THIRD_PARTY = Object.fromEntries(['mongodb', 'rxjs', 'effect', 'typescript', '@types/node', 'esbuild'].map((name) => [name, installedVersion(name)]))
const FRAMEWORKS = { promise: [], rxjs: ['rxjs'], effect: ['effect'] } as const
type FrameworkName = keyof typeof FRAMEWORKS
const KINDS = ['esm', 'cjs', 'bundler'] as const
type Kind = (typeof KINDS)[number]

const fixtures = join(root, 'tools', 'consumers')
const work = mkdtempSync(join(tmpdir(), 'motor-ts-consumers-'))
const started = performance.now()
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)}s`
const quiet = { ...process.env, DO_NOT_TRACK: '1', NO_COLOR: '1', npm_config_update_notifier: 'false' }

/** A pnpm workspace of one project per framework, each depending on its tarball. */
function writeProjects(tarballs: Tarball[]): void {
  const tgz = (name: string) => tarballs.find((t) => t.manifest.name === name)?.file ?? fail(`no tarball for ${name}`)
  const overrides = Object.fromEntries(tarballs.map((t) => [t.manifest.name, `file:${t.file}`]))
  writeFileSync(join(work, 'pnpm-workspace.yaml'), 'packages:\n  - "*"\n')
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'consumers', private: true, pnpm: { overrides } }, null, 2))
  for (const [framework, libs] of Object.entries(FRAMEWORKS) as [FrameworkName, readonly string[]][]) {
    const pick = ['mongodb', 'typescript', '@types/node', 'esbuild', ...libs]
    const dependencies = { [`@motor-ts/${framework}`]: `file:${tgz(`@motor-ts/${framework}`)}`, ...Object.fromEntries(pick.map((p) => [p, THIRD_PARTY[p]])) }
    mkdirSync(join(work, framework))
    writeFileSync(join(work, framework, 'package.json'), JSON.stringify({ name: `consumer-${framework}`, private: true, dependencies }, null, 2))
    for (const kind of KINDS) writeCell(framework, kind)
  }
}

/** The sources and tsconfig of one cell, from the fixtures with the right extensions. */
function writeCell(framework: FrameworkName, kind: Kind): void {
  const dir = join(work, framework, kind)
  mkdirSync(dir)
  const ext = { esm: 'mts', cjs: 'cts', bundler: 'ts' }[kind]
  const jsExt = { esm: 'mjs', cjs: 'cjs', bundler: 'js' }[kind]
  const fixture = (name: string) => readFileSync(join(fixtures, name), 'utf8')
  if (framework === 'effect' && kind === 'cjs') {
    writeFileSync(join(dir, `main.${ext}`), fixture('effect-from-cjs.ts'))
  } else {
    writeFileSync(join(dir, `queries.${ext}`), fixture('queries.ts').replaceAll("'motor-package'", `'@motor-ts/${framework}'`))
    writeFileSync(join(dir, `main.${ext}`), fixture(`${framework}.ts`).replace("'./queries.js'", `'./queries.${jsExt}'`))
  }
  const module = kind === 'bundler' ? { module: 'preserve', moduleResolution: 'bundler', noEmit: true } : { module: 'node16', moduleResolution: 'node16', outDir: 'dist' }
  // Effect's own .d.ts files name Web Crypto and Storage types, so an Effect project needs the DOM lib.
  const lib = framework === 'effect' ? ['es2023', 'dom'] : ['es2023']
  const compilerOptions = { strict: true, target: 'es2022', lib, types: ['node'], skipLibCheck: false, ...module }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: [`*.${ext}`] }, null, 2))
}

function fail(message: string): never {
  throw new Error(message)
}

/** Runs one step of a cell; returns its output, or throws with it. */
async function step(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = quiet): Promise<string> {
  return run(command, args, { cwd, env })
}

async function runCell(framework: FrameworkName, kind: Kind, uri: string): Promise<string> {
  const project = join(work, framework)
  const dir = join(project, kind)
  const bin = (name: string) => join(project, 'node_modules', '.bin', name)
  await step(dir, bin('tsc'), ['-p', '.'])
  let entry = join(dir, 'dist', kind === 'esm' ? 'main.mjs' : 'main.cjs')
  if (kind === 'bundler') {
    entry = join(dir, 'dist', 'main.mjs')
    await step(dir, bin('esbuild'), ['main.ts', '--bundle', '--platform=node', '--format=esm', '--target=node20', '--external:mongodb', `--outfile=${entry}`, '--log-level=warning'])
  }
  const out = await step(dir, process.execPath, [entry], { ...quiet, MONGODB_URI: uri, CONSUMER_DB: `consumer_${framework}_${kind}` })
  const line = out.split('\n').find((l) => l.startsWith('consumer ok'))
  if (!line) throw new Error(`ran without reporting success:\n${out}`)
  return line
}

const results: { cell: string; ok: boolean; detail: string }[] = []
const server = await startServer(selectServerKind())
try {
  const packStarted = performance.now()
  const tarballs = await packTarballs(join(work, 'tarballs'), root)
  writeProjects(tarballs)
  console.log(`packed ${tarballs.length} tarballs (${seconds(packStarted)}); projects in ${work}`)
  const installStarted = performance.now()
  await step(work, 'pnpm', ['install', '--prefer-offline', '--no-frozen-lockfile', '--reporter=append-only', '--config.auto-install-peers=false'])
  console.log(`pnpm install of 3 consumer projects from the tarballs (${seconds(installStarted)})`)
  for (const framework of Object.keys(FRAMEWORKS) as FrameworkName[]) {
    for (const kind of KINDS) {
      const cellStarted = performance.now()
      const cell = `${framework}/${kind}`
      try {
        const line = await runCell(framework, kind, server.info.uri)
        results.push({ cell, ok: true, detail: line })
      } catch (error) {
        results.push({ cell, ok: false, detail: error instanceof CommandError ? error.message : String(error) })
      }
      const last = results.at(-1)!
      console.log(`${last.ok ? 'ok  ' : 'FAIL'} ${cell.padEnd(16)} ${seconds(cellStarted).padStart(6)}  ${last.detail.replaceAll('\n', '\n      ')}`)
    }
  }
} finally {
  await server.stop()
  if (!process.env.MOTOR_KEEP_CONSUMERS) rmSync(work, { recursive: true, force: true })
}
const failed = results.filter((r) => !r.ok).length
console.log(`consumers: ${results.length} cells in ${seconds(started)} (tsc --strict, then run against ${server.info.name} ${server.info.version})`)
console.log(`${results.length - failed} passed, ${failed} failed`)
process.exit(failed ? 1 : 0)
