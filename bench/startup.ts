/**
 * Cold start and size of each framework package beyond its framework library and `mongodb`:
 * - import time: in fresh processes, `mongodb` and the framework library are imported
 *   first, then the package is timed alone (median of repeated processes);
 * - bundle size: the package bundled with esbuild (the one tsup ships with), minified, with
 *   `mongodb` and the framework library external, then gzipped.
 */
import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { spread, type Spread } from './measure.ts'

const PACKAGES = [
  { name: '@motor-ts/promise', libs: ['mongodb'] },
  { name: '@motor-ts/rxjs', libs: ['mongodb', 'rxjs'] },
  { name: '@motor-ts/effect', libs: ['mongodb', 'effect'] },
] as const

/** The budgets the issue sets: 15 ms of import time and 10 kB min+gz per package. */
const IMPORT_BUDGET_MS = 15
const SIZE_BUDGET_KB = 10

export interface StartupResult {
  packages: Record<string, { importMs: Spread; libsMs: Spread; minBytes: number; gzBytes: number }>
}

const run = promisify(execFile)
const root = fileURLToPath(new URL('..', import.meta.url))

async function importTimes(pkg: string, libs: readonly string[]): Promise<{ own: number; libs: number }> {
  const script = `const t0 = performance.now(); ${libs.map((l) => `await import('${l}');`).join(' ')}
const t1 = performance.now(); await import('${pkg}'); const t2 = performance.now();
console.log(JSON.stringify({ libs: t1 - t0, own: t2 - t1 }))`
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: root })
  return JSON.parse(stdout)
}

/** The part of esbuild's API used here (esbuild comes with tsup, without types at the root). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles: { contents: Uint8Array }[] }>
}

async function bundleSize(pkg: string): Promise<{ minBytes: number; gzBytes: number }> {
  const esbuild = createRequire(createRequire(`${root}/package.json`).resolve('tsup'))('esbuild') as Esbuild
  const out = await esbuild.build({
    stdin: { contents: `export * from '${pkg}'`, resolveDir: root },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    write: false,
    external: ['mongodb', 'rxjs', 'rxjs/*', 'effect', 'effect/*'],
    logLevel: 'silent',
  })
  const code = out.outputFiles[0]!.contents
  return { minBytes: code.length, gzBytes: gzipSync(code, { level: 9 }).length }
}

export async function startupFigures(quick: boolean): Promise<StartupResult> {
  const processes = quick ? 5 : 21
  const result: StartupResult = { packages: {} }
  for (const { name, libs } of PACKAGES) {
    const own: number[] = []
    const base: number[] = []
    for (let i = 0; i < processes; i++) {
      const t = await importTimes(name, libs)
      own.push(t.own)
      base.push(t.libs)
    }
    const size = await bundleSize(name)
    const figure = { importMs: spread(own), libsMs: spread(base), ...size }
    result.packages[name] = figure
    const ms = figure.importMs
    console.log(
      `import ${name.padEnd(18)} ${ms.median.toFixed(1)} ms [${ms.min.toFixed(1)}..${ms.max.toFixed(1)}] beyond ${libs.join(' + ')} (${figure.libsMs.median.toFixed(0)} ms), budget ${IMPORT_BUDGET_MS} ms ratio=${(ms.median / IMPORT_BUDGET_MS).toFixed(2)}`,
    )
    console.log(
      `size   ${name.padEnd(18)} ${(size.gzBytes / 1024).toFixed(1)} kB min+gz (${(size.minBytes / 1024).toFixed(1)} kB min) beyond ${libs.join(' + ')}, budget ${SIZE_BUDGET_KB} kB ratio=${(size.gzBytes / 1024 / SIZE_BUDGET_KB).toFixed(2)}`,
    )
  }
  return result
}
