/**
 * Self-check of the unified test format runner with the raw `mongodb` driver: every file of
 * the format's valid-pass suite must pass or be skipped (by its own runOnRequirements or a
 * documented exclusion), every valid-fail file must report at least one failing test, and no
 * exclusion entry may be stale. A short list of tests that the server under test cannot pass
 * is accepted per server product, each with its cause. A few direct matcher checks come last.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { driverObjectOf } from '@motor-ts/synchro'
import { requires, server, uniqueName } from '@motor-ts/tools'
import * as mongodb from 'mongodb'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type ConformanceTarget, conformanceTargets } from '../src/targets.js'
import { runUnifiedFile, UnifiedRunner, type UnifiedTestResult } from '../src/unified/index.js'
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
    expect(matches(env, { a: { $$unsetOrMatches: { $$exists: true } } }, {})).toBe(true)
    expect(matches(env, { a: { $$unsetOrMatches: { $$exists: true } } }, { a: { x: 1 } })).toBe(true)
    expect(matches(env, { a: { $$unsetOrMatches: { $$exists: false } } }, {})).toBe(true)
    expect(matches(env, { a: { $$unsetOrMatches: { $$exists: false } } }, { a: 1 })).toBe(false)
    expect(matches(env, [{ $$unsetOrMatches: { $$exists: true } }], [5])).toBe(true)
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

describe('unified runner on every target', () => {
  const names = ['driver', 'promise', 'rxjs', 'effect']
  const targets = new Map<string, ConformanceTarget>()
  const dir = mkdtempSync(join(tmpdir(), 'motor-unified-'))
  const dbName = uniqueName('unified')

  beforeAll(async () => {
    for (const t of await conformanceTargets()) targets.set(t.name, t)
  })

  /** A one-test spec file on collection `coll0` of a fresh database, observing command starts. */
  function specFile(name: string, test: object, clientOptions: object = {}): string {
    const path = join(dir, `${name}.json`)
    const doc = {
      description: name,
      schemaVersion: '1.21',
      createEntities: [
        { client: { id: 'client0', observeEvents: ['commandStartedEvent'], ...clientOptions } },
        { database: { id: 'db0', client: 'client0', databaseName: dbName } },
        { collection: { id: 'coll0', database: 'db0', collectionName: 'coll0' } },
        { session: { id: 'session0', client: 'client0' } },
      ],
      initialData: [{ databaseName: dbName, collectionName: 'coll0', documents: [] }],
      tests: [{ description: name, ...test }],
    }
    writeFileSync(path, JSON.stringify(doc))
    return path
  }

  const runOn = async (target: string, path: string) => {
    const results = await runUnifiedFile(path, { driver: targets.get(target)!.driver, uri: server().uri })
    return results.map((r) => ({ verdict: r.verdict, reason: r.reason }))
  }

  for (const target of names) {
    describe(target, () => {
      it('starts a change stream with its aggregate alone, no getMore', async (ctx) => {
        requires(ctx, 'changeStreams')
        const path = specFile(`change-stream-start-${target}`, {
          operations: [
            { name: 'createChangeStream', object: 'coll0', arguments: { pipeline: [] }, saveResultAsEntity: 'stream0' },
            { name: 'insertOne', object: 'coll0', arguments: { document: { _id: 1 } } },
            {
              name: 'iterateUntilDocumentOrError',
              object: 'stream0',
              expectResult: { operationType: 'insert', fullDocument: { _id: 1 } },
            },
          ],
          expectEvents: [
            {
              client: 'client0',
              ignoreExtraEvents: true,
              events: ['aggregate', 'insert', 'getMore'].map((commandName) => ({ commandStartedEvent: { commandName } })),
            },
          ],
        })
        expect(await runOn(target, path)).toEqual([{ verdict: 'passed' }])
      })

      it('reads the transaction state of the driver session behind the entity', async (ctx) => {
        requires(ctx, 'transactions')
        const state = (s: string) => ({ name: 'assertSessionTransactionState', object: 'testRunner', arguments: { session: 'session0', state: s } })
        const path = specFile(`transaction-state-${target}`, {
          operations: [
            state('none'),
            { name: 'startTransaction', object: 'session0' },
            state('starting'),
            { name: 'insertOne', object: 'coll0', arguments: { session: 'session0', document: { _id: 1 } } },
            state('in_progress'),
            { name: 'commitTransaction', object: 'session0' },
            state('committed'),
          ],
          outcome: [{ databaseName: dbName, collectionName: 'coll0', documents: [{ _id: 1 }] }],
        })
        expect(await runOn(target, path)).toEqual([{ verdict: 'passed' }])
      })

      it("returns a snapshot session's snapshot time", async (ctx) => {
        const info = server()
        if (info.capabilities.topology !== 'replicaset') ctx.skip(`${info.name} ${info.version} is not a replica set: no snapshot reads`)
        const path = join(dir, `snapshot-time-${target}.json`)
        const doc = JSON.parse(readFileSync(specFile(`snapshot-time-${target}`, {}), 'utf8'))
        doc.createEntities[3].session.sessionOptions = { snapshot: true }
        doc.tests[0].operations = [
          { name: 'find', object: 'coll0', arguments: { session: 'session0', filter: {} }, expectResult: [] },
          { name: 'getSnapshotTime', object: 'session0', expectResult: { $$type: 'timestamp' } },
        ]
        writeFileSync(path, JSON.stringify(doc))
        expect(await runOn(target, path)).toEqual([{ verdict: 'passed' }])
      })

      it('saves the collection createCollection returns as an entity', async () => {
        const path = specFile(`create-collection-${target}`, {
          operations: [
            { name: 'dropCollection', object: 'db0', arguments: { collection: 'made' } },
            { name: 'createCollection', object: 'db0', arguments: { collection: 'made' }, saveResultAsEntity: 'made' },
            { name: 'insertOne', object: 'made', arguments: { document: { _id: 7 } } },
          ],
          outcome: [{ databaseName: dbName, collectionName: 'made', documents: [{ _id: 7 }] }],
        })
        expect(await runOn(target, path)).toEqual([{ verdict: 'passed' }])
      })

      it('sends the search index commands', async () => {
        const definition = { mappings: { dynamic: true } }
        const op = (name: string, args: object) => ({ name, object: 'coll0', arguments: args, ignoreResultAndError: true })
        const started = (command: object) => ({ commandStartedEvent: { command, databaseName: dbName } })
        const path = specFile(`search-indexes-${target}`, {
          operations: [
            op('createSearchIndex', { model: { name: 'i1', definition } }),
            op('createSearchIndexes', { models: [{ name: 'i2', definition, type: 'search' }] }),
            op('listSearchIndexes', { name: 'i1', aggregationOptions: { batchSize: 5 } }),
            op('updateSearchIndex', { name: 'i1', definition: {} }),
            op('dropSearchIndex', { name: 'i2' }),
          ],
          expectEvents: [
            {
              client: 'client0',
              events: [
                started({ createSearchIndexes: 'coll0', indexes: [{ name: 'i1', definition }] }),
                started({ createSearchIndexes: 'coll0', indexes: [{ name: 'i2', definition, type: 'search' }] }),
                started({ aggregate: 'coll0', pipeline: [{ $listSearchIndexes: { name: 'i1' } }], cursor: { batchSize: 5 } }),
                started({ updateSearchIndex: 'coll0', name: 'i1', definition: {} }),
                started({ dropSearchIndex: 'coll0', name: 'i2' }),
              ],
            },
          ],
        })
        expect(await runOn(target, path)).toEqual([{ verdict: 'passed' }])
      })

      it('reaches the driver object behind a wrapper', () => {
        const { driver } = targets.get(target)!
        const client = new driver.MongoClient(server().uri)
        const session = client.startSession()
        try {
          expect(driverObjectOf(session)).toBeInstanceOf(mongodb.ClientSession)
          expect(driverObjectOf(session) === session).toBe(target === 'driver')
          expect(driverObjectOf(client.db('x'))).toBeInstanceOf(mongodb.Db)
          expect(driverObjectOf(42)).toBe(42)
        } finally {
          void session.endSession()
        }
      })
    })
  }

  it('skips a test that runs an operation the driver lacks, with the reason', async () => {
    const path = specFile('map-reduce', {
      operations: [{ name: 'mapReduce', object: 'coll0', arguments: { map: 'function() {}', reduce: 'function() {}', out: { inline: 1 } } }],
    })
    const [result, ...rest] = await runUnifiedFile(path, { driver: mongodb, uri: server().uri })
    expect(rest).toEqual([])
    expect(result).toMatchObject({ verdict: 'skipped', reason: expect.stringContaining('Collection.mapReduce in 5.0') })
  })

  it('reports an operation exclusion as stale once the driver has the member', async () => {
    const runner = await UnifiedRunner.open({
      driver: mongodb,
      uri: server().uri,
      exclusions: [{ operation: 'find', driverLacks: 'Collection.find', reason: 'test entry', category: 'api-difference' }],
    })
    try {
      expect(runner.unmatchedExclusions([])).toMatchObject([{ verdict: 'failed', reason: expect.stringContaining('now has Collection.find') }])
    } finally {
      await runner.close()
    }
  })
})
