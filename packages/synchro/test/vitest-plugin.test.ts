/**
 * The vitest plugin's routing decisions: which importers get the masquerade for `mongodb`.
 * motor-ts's own packages are recognised by package identity (their package.json), not by
 * path shape: a user's file under `packages/core/src/` is routed; installed libraries are
 * routed only when named. A bad framework name is an error, never a silent pass.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { motorMasquerade } from '../src/vitest.js'

const require = createRequire(import.meta.url)
const root = mkdtempSync(join(tmpdir(), 'motor-plugin-'))
const file = (path: string, text = '') => {
  mkdirSync(dirname(join(root, path)), { recursive: true })
  writeFileSync(join(root, path), text)
  return join(root, path)
}
file('package.json', JSON.stringify({ name: 'my-monorepo' }))
const userCore = file('packages/core/src/db.ts')
file('packages/core/package.json', JSON.stringify({ name: '@acme/core' }))
const installed = file('node_modules/job-queue/lib/index.js')
file('node_modules/job-queue/package.json', JSON.stringify({ name: 'job-queue' }))
file('node_modules/job-queue/lib/package.json', JSON.stringify({ type: 'commonjs' }))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const ownCore = require.resolve('@motor-ts/core')
const ownSynchro = new URL('../src/synchro.ts', import.meta.url).pathname

describe('motorMasquerade()', () => {
  it('routes user code, by package identity rather than path shape', async () => {
    const plugin = motorMasquerade({ framework: 'rxjs' })
    const masquerade = await plugin.resolveId('mongodb', userCore)
    expect(masquerade).toMatch(/[\\/]masquerade\.(ts|js)$/)
    expect(await plugin.resolveId('mongodb', `${userCore}?v=123`)).toBe(masquerade)
    expect(await plugin.resolveId('mongodb', ownCore)).toBeNull()
    expect(await plugin.resolveId('mongodb', ownSynchro)).toBeNull()
    expect(await plugin.resolveId('bson', userCore)).toBeNull()
  })

  it('routes installed libraries only when named', async () => {
    expect(await motorMasquerade({ framework: 'effect' }).resolveId('mongodb', installed)).toBeNull()
    expect(await motorMasquerade({ framework: 'effect', libraries: ['job-queue'] }).resolveId('mongodb', installed)).not.toBeNull()
    expect(await motorMasquerade({ framework: 'effect', libraries: '*' }).resolveId('mongodb', installed)).not.toBeNull()
  })

  it('refuses an unknown framework', async () => {
    expect(() => motorMasquerade({ framework: 'bogus' })).toThrow('MOTOR_FRAMEWORK="bogus" is not a motor-ts framework')
    const fromEnv = motorMasquerade()
    const saved = process.env.MOTOR_FRAMEWORK
    process.env.MOTOR_FRAMEWORK = 'bogus'
    try {
      await expect(fromEnv.resolveId('mongodb', userCore)).rejects.toThrow('is not a motor-ts framework')
    } finally {
      if (saved === undefined) delete process.env.MOTOR_FRAMEWORK
      else process.env.MOTOR_FRAMEWORK = saved
    }
  })

  it('leaves mongodb alone when no framework is chosen, or the raw driver is', async () => {
    expect(await motorMasquerade({ framework: 'driver' }).resolveId('mongodb', userCore)).toBeNull()
  })
})
