/**
 * Self-check of the unified test format runner with the raw `mongodb` driver: every file of
 * the format's valid-pass suite must pass or be skipped (by its own runOnRequirements or a
 * documented exclusion), every valid-fail file must report at least one failing test, and no
 * exclusion entry may be stale. A short list of tests that the server under test cannot pass
 * is accepted per server product, each with its cause. A few direct matcher checks come last.
 */
import { existsSync, readdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as mongodb from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UnifiedRunner, type UnifiedTestResult } from '../src/unified/index.js'
import { assertMatches, type MatchEnv, matches } from '../src/unified/match.js'

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')

function specsRoot(): string {
  const fromEnv = process.env.MOTOR_SPECS_DIR
  if (fromEnv) {
    // Either the specs root or a folder inside it (e.g. crud/tests/unified).
    let dir = resolve(fromEnv)
    while (!existsSync(join(dir, 'unified-test-format')) && dirname(dir) !== dir) dir = dirname(dir)
    return dir
  }
  return resolve(repoRoot, '../shared/specs')
}

async function testUri(): Promise<string> {
  try {
    const tools = await import('@motor-ts/tools')
    return tools.server().uri
  } catch {
    return process.env.MOTOR_TEST_URI ?? 'mongodb://127.0.0.1:27999/?directConnection=true'
  }
}

const suiteDir = join(specsRoot(), 'unified-test-format/tests')
const list = (name: string) =>
  existsSync(join(suiteDir, name))
    ? readdirSync(join(suiteDir, name))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : []
const validPass = list('valid-pass')
const validFail = list('valid-fail')

/** valid-pass tests a given server cannot pass, with why (file, test description, cause). */
const KNOWN_SERVER_GAPS: Record<string, Array<[string, string, string]>> = {
  SecantusDB: [
    ['poc-retryable-writes.json', 'FindOneAndUpdate is never committed', 'the onPrimaryTransactionalWrite fail point is accepted but never fires'],
    [
      'poc-retryable-writes.json',
      'InsertOne fails after multiple retryable writeConcernErrors',
      'a retried write (same txnNumber) is answered from the retry cache without applying failCommand',
    ],
  ],
  FerretDB: [
    ['collectionData-createOptions.json', 'collection is created with the correct options', '$collStats closes the connection'],
    ['expectedError-errorResponse.json', 'Unsupported query operator', 'unknown top-level query operators are accepted'],
    ['expectedError-isClientError.json', 'isClientError considers network errors', 'no configureFailPoint command'],
    ['operator-type-number_alias.json', 'type number alias matches decimal128', 'inserting a Decimal128 closes the connection'],
    ['poc-crud.json', 'Aggregate with $listLocalSessions', 'no database-level aggregate'],
    ['poc-retryable-reads.json', 'Aggregate succeeds after InterruptedAtShutdown', 'no configureFailPoint command'],
    ['poc-retryable-reads.json', 'Find succeeds on second attempt', 'no configureFailPoint command'],
    ['poc-retryable-reads.json', 'Find fails on first attempt', 'no configureFailPoint command'],
    ['poc-retryable-reads.json', 'Find fails on second attempt', 'no configureFailPoint command'],
    ['poc-retryable-reads.json', 'ListDatabases succeeds on second attempt', 'no configureFailPoint command'],
  ],
}

const show = (r: UnifiedTestResult) => `${r.file.split('/').pop()} :: ${r.description} :: ${r.reason ?? ''}`

describe('unified runner with the raw driver', () => {
  let runner: UnifiedRunner

  beforeAll(async () => {
    runner = await UnifiedRunner.open({ driver: mongodb, uri: await testUri() })
  })
  afterAll(async () => {
    await runner?.close()
  })

  it('finds the specification test files', () => {
    expect(validPass.length, `no valid-pass files under ${suiteDir} (set MOTOR_SPECS_DIR)`).toBeGreaterThan(0)
    expect(validFail.length).toBeGreaterThan(0)
  })

  describe('valid-pass: every test passes or is skipped', () => {
    for (const name of validPass) {
      it(name, async () => {
        const gaps = KNOWN_SERVER_GAPS[runner.serverInfo.product] ?? []
        const results = await runner.runFile(join(suiteDir, 'valid-pass', name))
        expect(results.length).toBeGreaterThan(0)
        const unexpected = results.filter((r) => r.verdict === 'failed' && !gaps.some(([f, t]) => f === name && t === r.description))
        expect(unexpected.map(show)).toEqual([])
      })
    }

    it('has no stale exclusion entries', () => {
      const files = validPass.map((n) => join(suiteDir, 'valid-pass', n))
      expect(runner.unmatchedExclusions(files, join(suiteDir, 'valid-pass')).map(show)).toEqual([])
    })
  })

  describe('valid-fail: every file reports a failure', () => {
    for (const name of validFail) {
      it(name, async () => {
        const results = await runner.runFile(join(suiteDir, 'valid-fail', name))
        const failed = results.filter((r) => r.verdict === 'failed')
        expect(failed.length, `no failing test in ${name}: ${results.map(show).join('; ')}`).toBeGreaterThan(0)
      })
    }
  })
})

describe('matcher', () => {
  const env: MatchEnv = {
    bson: mongodb.BSON,
    entityValue: (name) => (name === 'oid' ? new mongodb.ObjectId('000000000000000000000005') : undefined),
    sessionLsid: () => ({ id: 1 }),
  }

  it('compares numbers across int, long and double', () => {
    expect(matches(env, 1, 1.0)).toBe(true)
    expect(matches(env, 1, mongodb.Long.fromNumber(1))).toBe(true)
    expect(matches(env, mongodb.Long.fromString('9223372036854775807'), mongodb.Long.fromString('9223372036854775807'))).toBe(true)
    expect(matches(env, 1, 1.5)).toBe(false)
    expect(matches(env, 1, '1')).toBe(false)
  })

  it('allows extra keys only in root documents', () => {
    expect(matches(env, { x: 1 }, { x: 1, y: 1 })).toBe(true)
    expect(matches(env, { x: { y: 1 } }, { x: { y: 1, z: 1 } })).toBe(false)
    expect(matches(env, { x: 1, y: 1 }, { x: 1 })).toBe(false)
    expect(matches(env, [{ x: 1 }], [{ x: 1, y: 1 }])).toBe(false)
  })

  it('implements the special operators', () => {
    expect(matches(env, { a: { $$exists: false } }, { b: 1 })).toBe(true)
    expect(matches(env, { a: { $$exists: true } }, { a: null })).toBe(true)
    expect(matches(env, { a: { $$unsetOrMatches: 2 } }, {})).toBe(true)
    expect(matches(env, { a: { $$unsetOrMatches: 2 } }, { a: 3 })).toBe(false)
    expect(matches(env, { $$type: ['int', 'long'] }, mongodb.Long.fromNumber(5))).toBe(true)
    expect(matches(env, { $$type: 'objectId' }, 'x')).toBe(false)
    expect(matches(env, { $$lte: 2 }, 2.0)).toBe(true)
    expect(matches(env, { $$lte: 2 }, 2.1)).toBe(false)
    expect(matches(env, { $$matchesEntity: 'oid' }, new mongodb.ObjectId('000000000000000000000005'))).toBe(true)
    expect(matches(env, { $$matchesHexBytes: '12AB' }, Buffer.from([0x12, 0xab]))).toBe(true)
    expect(matches(env, { a: { $$matchAsDocument: { x: 1 } } }, { a: '{"x": 1}' })).toBe(true)
    expect(matches(env, { a: { $$matchAsDocument: { x: 1 } } }, { a: '{"x": 1, "y": 2}' })).toBe(false)
    expect(matches(env, { a: { $$matchAsRoot: { x: 1 } } }, { a: { x: 1, y: 2 } })).toBe(true)
    expect(() => assertMatches(env, { $$bogus: 1 }, 1)).toThrow(/unsupported special operator/)
  })
})
