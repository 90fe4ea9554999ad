/**
 * `pnpm check:packages`: packs every published package with pnpm (as `pnpm release` does) and
 * checks each tarball as the registry would serve it:
 *  - the manifest has no `workspace:` range and names no private workspace package;
 *  - LICENSE (identical to the repo's) and README.md are in the tarball;
 *  - `publint --strict` finds nothing;
 *  - `attw` (Are The Types Wrong) finds nothing: export entries with a `require` condition under
 *    the strict profile, ESM-only entries (Synchro's and conformance's subpaths)
 *    under the esm-only profile, which does not ask CommonJS to `require()` them.
 * Exits non-zero on the first package with a problem, after printing every result.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CommandError, repoRoot, run } from '../src/cache.ts'
import { entrypoints, packTarballs, privatePackageNames, publishedPackages, type Tarball } from '../src/packages.ts'

const root = repoRoot()
const bin = (name: string) => join(root, 'node_modules', '.bin', name)
const privateNames = privatePackageNames(root)

/** Runs a check; returns '' when it passes, else its output. */
async function check(command: string, args: string[]): Promise<string> {
  try {
    await run(command, args, { cwd: root, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } })
    return ''
  } catch (error) {
    return error instanceof CommandError ? error.message : String(error)
  }
}

async function manifestProblems(tarball: Tarball): Promise<string[]> {
  const read = (path: string) => run('tar', ['-xzOf', tarball.file, `package/${path}`]).catch(() => undefined)
  const problems: string[] = []
  const manifest = await read('package.json')
  if (!manifest) return ['no package.json in the tarball']
  if (manifest.includes('workspace:')) problems.push('manifest still has a workspace: range')
  for (const name of privateNames) if (manifest.includes(`"${name}"`)) problems.push(`manifest names the private package ${name}`)
  if ((await read('LICENSE')) !== readFileSync(join(root, 'LICENSE'), 'utf8')) problems.push('LICENSE missing or not the repo LICENSE')
  if (!(await read('README.md'))) problems.push('README.md missing')
  return problems
}

async function checkTarball(tarball: Tarball): Promise<string[]> {
  const problems = await manifestProblems(tarball)
  const publint = await check(bin('publint'), ['run', tarball.file, '--strict', '--pack', 'false'])
  if (publint) problems.push(`publint --strict: ${publint}`)
  const { cjs, esmOnly } = entrypoints(tarball.manifest)
  for (const [profile, entries] of [['strict', cjs], ['esm-only', esmOnly]] as const) {
    if (entries.length === 0) continue
    const attw = await check(bin('attw'), [tarball.file, '--profile', profile, '--entrypoints', ...entries, '--format', 'table-flipped', '--no-emoji'])
    if (attw) problems.push(`attw --profile ${profile} (${entries.join(' ')}): ${attw}`)
  }
  return problems
}

const started = performance.now()
const dest = mkdtempSync(join(tmpdir(), 'motor-ts-pack-'))
let failed = 0
try {
  if (publishedPackages(root).length === 0) throw new Error('no published package found under packages/')
  for (const tarball of await packTarballs(dest, root)) {
    const problems = await checkTarball(tarball)
    const { cjs, esmOnly } = entrypoints(tarball.manifest)
    const shape = `${cjs.length ? `ESM+CJS ${cjs.join(' ')}` : ''}${cjs.length && esmOnly.length ? '; ' : ''}${esmOnly.length ? `ESM-only ${esmOnly.join(' ')}` : ''}`
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${tarball.manifest.name}@${tarball.manifest.version} (${shape}): manifest, LICENSE, README, publint --strict, attw`)
    for (const problem of problems) console.log(`     ${problem.replaceAll('\n', '\n     ')}`)
    if (problems.length) failed++
  }
} finally {
  rmSync(dest, { recursive: true, force: true })
}
console.log(`check:packages: ${failed ? `${failed} package(s) with problems` : 'every published package is clean'} (${((performance.now() - started) / 1000).toFixed(1)} s)`)
process.exit(failed ? 1 : 0)
