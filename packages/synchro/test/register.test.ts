/**
 * The Node hook (`node --import @motor-ts/synchro/register`), in child processes, on an app
 * laid out as a user's: an ESM entry importing `mongodb`, its own CommonJS library
 * `require`-ing it (and subclassing `MongoClient`), and an installed CommonJS library under
 * `node_modules`. Run from another directory, so the framework package must be resolved
 * from the app's files. Each probe reports the masquerade's marker (`motorFramework`) and
 * whether its client is the real driver's, and pings the test server through it.
 * Needs the built `dist` (`pnpm test` builds first). `MOTOR_TEST_NODE=/path/to/node` runs
 * the apps on another Node (20.19-22.14 take the `module.register` + CommonJS resolver
 * path, 22.15+ the `module.registerHooks` one).
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { server } from '@motor-ts/tools'
import { afterAll, describe, expect, it } from 'vitest'

const require = createRequire(import.meta.url)
/** The Node that runs the app: this one, or another to check (e.g. a Node 22 with `module.registerHooks`). */
const NODE = process.env.MOTOR_TEST_NODE || process.execPath
const REGISTER = pathToFileURL(fileURLToPath(new URL('../dist/register.js', import.meta.url))).href
const REAL_MONGODB = require.resolve('mongodb')
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`))

const PROBE = `
const real = require(process.env.REAL_MONGODB)
async function probe(mongodb) {
  class StoreClient extends mongodb.MongoClient {}
  const client = new StoreClient(process.env.URI, { serverSelectionTimeoutMS: 5000 })
  try {
    const { ok } = await client.db('admin').command({ ping: 1 })
    return { framework: mongodb.motorFramework ?? null, driverClient: Object.getPrototypeOf(StoreClient.prototype) === real.MongoClient.prototype, ok }
  } finally {
    await client.close()
  }
}
`
const files: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'fixture-app', private: true }),
  'lib/store.cjs': `${PROBE}\nconst mongodb = require('mongodb')\nexports.probe = () => probe(mongodb)\nexports.probeWith = probe\n`,
  'node_modules/legacy-store/package.json': JSON.stringify({ name: 'legacy-store', version: '1.0.0', main: 'index.js' }),
  'node_modules/legacy-store/index.js': `${PROBE}\nconst mongodb = require('mongodb')\nexports.probe = () => probe(mongodb)\n`,
  'app.mjs': `
import { createRequire } from 'node:module'
import * as esm from 'mongodb'
const require = createRequire(import.meta.url)
const store = require('./lib/store.cjs')
const out = {
  esm: await store.probeWith(esm),
  cjs: await store.probe(),
  installed: await require('legacy-store').probe(),
  sameClass: esm.MongoClient === require('mongodb').MongoClient,
}
console.log(JSON.stringify(out))
`,
  'installed-only.cjs': `require('legacy-store').probe().then((r) => console.log(JSON.stringify(r)))\n`,
}

function fixture(links: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'motor-register-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  for (const [name, target] of Object.entries(links)) {
    mkdirSync(dirname(join(root, 'node_modules', name)), { recursive: true })
    symlinkSync(target, join(root, 'node_modules', name), 'dir')
  }
  return root
}

// The app installs mongodb and the framework packages; `bare` installs only mongodb.
const app = fixture({
  mongodb: packageDir('mongodb'),
  '@motor-ts/promise': packageDir('@motor-ts/promise'),
  '@motor-ts/rxjs': packageDir('@motor-ts/rxjs'),
  '@motor-ts/effect': packageDir('@motor-ts/effect'),
})
const bare = fixture({ mongodb: packageDir('mongodb') })
afterAll(() => {
  for (const dir of [app, bare]) rmSync(dir, { recursive: true, force: true })
})

interface Run {
  code: number
  stdout: string
  stderr: string
}

function run(dir: string, script: string, env: Record<string, string | undefined>): Promise<Run> {
  // NODE_PATH too: pnpm sets it to its hoisted store, where every workspace package resolves.
  const { NODE_OPTIONS: _, NODE_PATH: _p, MOTOR_FRAMEWORK: __, MOTOR_MASQUERADE_LIBRARIES: ___, ...base } = process.env
  const childEnv = { ...base, URI: server().uri, REAL_MONGODB, ...env }
  return new Promise((resolve) => {
    // Run from the temporary directory's parent: the binding must come from the app's files.
    execFile(NODE, ['--import', REGISTER, join(dir, script)], { cwd: tmpdir(), env: childEnv, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })
}

describe('node --import @motor-ts/synchro/register', () => {
  it.each(['promise', 'rxjs', 'effect'])('routes import and require, and an opted-in installed library, through %s', async (framework) => {
    const r = await run(app, 'app.mjs', { MOTOR_FRAMEWORK: framework, MOTOR_MASQUERADE_LIBRARIES: 'legacy-store' })
    expect(r.stderr).toBe('')
    const routed = { framework, driverClient: false, ok: 1 }
    expect(JSON.parse(r.stdout)).toEqual({ esm: routed, cjs: routed, installed: routed, sameClass: true })
    expect(r.code).toBe(0)
  })

  it('leaves installed libraries on the driver unless named', async () => {
    const r = await run(app, 'app.mjs', { MOTOR_FRAMEWORK: 'rxjs' })
    const out = JSON.parse(r.stdout)
    expect(out.cjs).toEqual({ framework: 'rxjs', driverClient: false, ok: 1 })
    expect(out.installed).toEqual({ framework: null, driverClient: true, ok: 1 })
    expect(r.code).toBe(0)
  })

  it('fails when nothing was routed, naming what was left on the driver', async () => {
    const r = await run(app, 'installed-only.cjs', { MOTOR_FRAMEWORK: 'promise' })
    expect(JSON.parse(r.stdout)).toEqual({ framework: null, driverClient: true, ok: 1 })
    expect(r.stderr).toContain("no import or require of 'mongodb' was routed through the masquerade")
    expect(r.stderr).toContain('legacy-store is an installed library (route it with MOTOR_MASQUERADE_LIBRARIES=legacy-store)')
    expect(r.code).toBe(1)
  })

  it.each([
    ['bogus', 'MOTOR_FRAMEWORK="bogus" is not a motor-ts framework: use one of promise, rxjs, effect'],
    [undefined, 'needs MOTOR_FRAMEWORK'],
  ])('refuses MOTOR_FRAMEWORK=%s before running anything', async (framework, message) => {
    const r = await run(app, 'app.mjs', { MOTOR_FRAMEWORK: framework })
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(message)
    expect(r.code).not.toBe(0)
  })

  it('says where it looked when the framework package cannot be resolved', async () => {
    const r = await run(bare, 'app.mjs', { MOTOR_FRAMEWORK: 'effect' })
    expect(r.stdout).toBe('')
    expect(r.stderr).toContain(`needs @motor-ts/effect, which Node could not resolve from ${pathToFileURL(join(bare, 'app.mjs')).href} nor from ${tmpdir()}/`)
    expect(r.code).not.toBe(0)
  })
})
