/**
 * Every published entry point loads with only what its package declares. Each published
 * package's `dist` and package.json are copied into a temporary `node_modules` beside the
 * declared peers (mongodb, rxjs, effect) and nothing else, so neither vitest nor the repo's
 * tools can be resolved; then every `exports` subpath is imported (and `require`d where it
 * offers CommonJS) in a child process, and the conformance CLI is started. The one entry
 * that needs vitest (`@motor-ts/conformance/vitest`) must fail for want of it, which also
 * shows vitest really is out of reach. Needs the built `dist` (`pnpm test` builds first).
 */
import { execFile } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, expect, it } from 'vitest'

const repo = join(dirname(new URL(import.meta.url).pathname), '../..')
const require = createRequire(join(repo, 'package.json'))

interface Manifest {
  name: string
  private?: boolean
  exports: Record<string, string | Record<string, unknown>>
  bin?: Record<string, string>
}

const published = readdirSync(join(repo, 'packages'))
  .map((dir) => ({ dir: join(repo, 'packages', dir), manifest: JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')) as Manifest }))
  .filter(({ manifest }) => !manifest.private)

const root = mkdtempSync(join(tmpdir(), 'motor-entries-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'entries-check', private: true, type: 'module' }))
for (const { dir, manifest } of published) {
  const to = join(root, 'node_modules', manifest.name)
  cpSync(join(dir, 'dist'), join(to, 'dist'), { recursive: true })
  cpSync(join(dir, 'package.json'), join(to, 'package.json'))
}
for (const peer of ['mongodb', 'rxjs', 'effect']) {
  mkdirSync(join(root, 'node_modules'), { recursive: true })
  symlinkSync(dirname(require.resolve(`${peer}/package.json`)), join(root, 'node_modules', peer), 'dir')
}

/** Every subpath, and whether it offers `require`. */
const entries = published.flatMap(({ manifest }) =>
  Object.entries(manifest.exports)
    .filter(([sub]) => sub !== './package.json')
    .map(([sub, target]) => ({
      spec: sub === '.' ? manifest.name : `${manifest.name}/${sub.slice(2)}`,
      cjs: typeof target === 'object' && 'require' in target,
    })),
)

const CHECK = `
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const out = {}
for (const { spec, cjs } of JSON.parse(process.env.ENTRIES)) {
  for (const how of cjs ? ['import', 'require'] : ['import']) {
    try {
      if (how === 'import') await import(spec)
      else require(spec)
      out[how + ' ' + spec] = 'ok'
    } catch (e) {
      out[how + ' ' + spec] = e.code + ': ' + e.message.split('\\n')[0]
    }
  }
}
console.log(JSON.stringify(out))
`
writeFileSync(join(root, 'check.mjs'), CHECK)

function node(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { NODE_OPTIONS: _, MONGODB_URI: __, ...base } = process.env
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, env: { ...base, MOTOR_FRAMEWORK: 'driver', ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

it('imports and requires every published entry without vitest or the repo tools', async () => {
  expect(entries.map((e) => e.spec)).toEqual(expect.arrayContaining(['@motor-ts/synchro', '@motor-ts/conformance', '@motor-ts/conformance/vitest']))
  const r = await node(['check.mjs'], { ENTRIES: JSON.stringify(entries) })
  expect(r.code).toBe(0)
  const results = JSON.parse(r.stdout) as Record<string, string>
  const expected = Object.fromEntries(Object.keys(results).map((key) => [key, 'ok']))
  expected['import @motor-ts/conformance/vitest'] = "ERR_MODULE_NOT_FOUND: Cannot find package 'vitest' imported from " + join(root, 'node_modules/@motor-ts/conformance/dist/suite.js')
  expect(results).toEqual(expected)
  expect(Object.keys(results)).toEqual(expect.arrayContaining(['require @motor-ts/synchro', 'require @motor-ts/conformance', 'import @motor-ts/synchro/register']))
})

it('starts the conformance CLI without the repo tools, asking for a server', async () => {
  const cli = join(root, 'node_modules/@motor-ts/conformance/dist/conformance-cli.js')
  expect(readFileSync(cli, 'utf8')).not.toContain('pip install')
  const help = await node([cli, '--help'])
  expect(help.stdout).toContain('--uri')
  expect(help.code).toBe(0)
  const noServer = await node([cli, '--specs', root])
  expect(noServer.stderr).toContain('needs a running server: pass --uri URI or set MONGODB_URI')
  expect(noServer.code).toBe(2)
})
