/**
 * The unified test runner proper. A UnifiedRunner holds an internal client made from the real
 * `mongodb` package (test plumbing: server probing, initialData, outcome, fail points,
 * killAllSessions) and runs test files whose entities are created only through the injected
 * driver module. Each test gets a fresh entity map; its verdict is passed, failed (with the
 * reason) or skipped (runOnRequirements, skipReason or an exclusion).
 */
import { readFile } from 'node:fs/promises'
import { driverObjectOf } from '@motor-ts/synchro'
import * as InternalDriver from 'mongodb'
import { MongoClient as InternalMongoClient } from 'mongodb'
import { type BsonModule, bsonOf, isDocument, parseTestFile, show } from './bson-utils.js'
import {
  type ClientEntity,
  type CursorEntity,
  convertCommonOptions,
  createClientEntity,
  EntityMap,
  type ObservedEvent,
  singleHostUri,
  type ThreadState,
} from './entities.js'
import {
  AssertionFailure,
  CODE_NAMES,
  errorClassNames,
  errorParts,
  fail,
  hasErrorLabel,
  isRunnerInternal,
  isServerError,
  isTimeoutError,
  RunnerError,
} from './errors.js'
import { defaultExclusions } from './exclusions.js'
import { asDocument, assertMatches, deepEquals, type MatchEnv, matches, specialOperator } from './match.js'
import { errorResult, type OpResult, type OpRuntime, runEntityOperation } from './operations.js'
import type {
  DriverModule,
  FileExclusion,
  OperationExclusion,
  RunOptions,
  ServerCapabilities,
  ServerInfo,
  Topology,
  UnifiedExclusion,
  UnifiedTestResult,
} from './types.js'
import { validateTestFile } from './validate.js'

/** Highest schema version this runner implements. */
export const SUPPORTED_SCHEMA_VERSION = [1, 23, 0] as const

type Doc = Record<string, any>

export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0)
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0)
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

function schemaSupported(version: unknown): boolean {
  if (typeof version !== 'string' || !/^\d+(\.\d+){0,2}$/.test(version)) return false
  const [major, minor = 0, patch = 0] = version.split('.').map(Number)
  const [smaj, smin, spatch] = SUPPORTED_SCHEMA_VERSION
  if (major !== smaj) return false
  return minor! < smin || (minor === smin && patch! <= spatch)
}

function pathEndsWith(path: string, suffix: string): boolean {
  const p = `/${path.replace(/\\/g, '/')}`
  return p.endsWith(`/${suffix.replace(/\\/g, '/').replace(/^\/+/, '')}`)
}

function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  const e = err as any
  const code = e.code !== undefined ? ` (code ${e.code}${e.codeName ? ` ${e.codeName}` : ''})` : ''
  const cause = e.cause instanceof Error ? ` caused by ${describeError(e.cause)}` : ''
  return `${errorClassNames(err)[0] ?? err.name}: ${err.message}${code}${cause}`
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

class TimeoutError extends Error {}

/** Names of the operations a test runs, at any depth (withTransaction callbacks, runOnThread). */
function operationNames(operations: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(operations)) for (const op of operations) operationNames(op, into)
  else if (isDocument(operations)) {
    if (typeof operations.name === 'string' && typeof operations.object === 'string') into.add(operations.name)
    for (const value of Object.values(operations)) if (typeof value === 'object' && value !== null) operationNames(value, into)
  }
  return into
}

/** Whether the raw driver has `Class.member` (on the class's prototype or as a static). */
function driverHas(member: string): boolean {
  const [cls, name] = member.split('.') as [string, string]
  const ctor = (InternalDriver as unknown as Record<string, { prototype?: object } | undefined>)[cls]
  return !!ctor && (name in ctor || (!!ctor.prototype && name in ctor.prototype))
}

export class UnifiedRunner {
  private serverParameters: Doc | undefined
  private readonly exclusions: readonly UnifiedExclusion[]
  private readonly matchedExclusions = new Set<UnifiedExclusion>()
  private readonly reportedOperationExclusions = new Set<UnifiedExclusion>()
  readonly bson: BsonModule

  private constructor(
    readonly options: RunOptions,
    readonly internal: InternalMongoClient,
    readonly serverInfo: ServerInfo,
  ) {
    this.exclusions = options.exclusions ?? defaultExclusions
    this.bson = bsonOf(options.driver as unknown as { BSON?: BsonModule })
  }

  get driver(): DriverModule {
    return this.options.driver
  }

  /** Connects the internal client, probes the server and terminates leftover transactions. */
  static async open(options: RunOptions): Promise<UnifiedRunner> {
    // One seed only: on a sharded cluster every plumbing command then goes to the same mongos.
    const internal = new InternalMongoClient(singleHostUri(options.uri), { serverSelectionTimeoutMS: 10_000 })
    try {
      await internal.connect()
      const info = await probeServer(internal, options)
      const runner = new UnifiedRunner(options, internal, info)
      await runner.killAllSessions()
      return runner
    } catch (e) {
      await internal.close().catch(() => {})
      throw e
    }
  }

  async close(): Promise<void> {
    await this.internal.close()
  }

  /**
   * Exclusion entries in scope for the given files/directory that matched no test, and
   * operation entries for a member the raw driver now has.
   */
  unmatchedExclusions(files: string[], dir?: string): UnifiedTestResult[] {
    const results: UnifiedTestResult[] = []
    for (const ex of this.exclusions) {
      if ('operation' in ex) {
        if (!this.reportedOperationExclusions.has(ex) && driverHas(ex.driverLacks)) {
          this.reportedOperationExclusions.add(ex)
          results.push({
            file: `operation ${ex.operation}`,
            description: `exclusion: ${ex.operation}`,
            verdict: 'failed',
            reason: `exclusion entry is stale: the driver now has ${ex.driverLacks} (${ex.reason})`,
            durationMs: 0,
          })
        }
        continue
      }
      if (this.matchedExclusions.has(ex)) continue
      const exDir = ex.file.includes('/') ? ex.file.slice(0, ex.file.lastIndexOf('/')) : ''
      const fileInRun = files.some((f) => pathEndsWith(f, ex.file))
      const dirInRun = dir !== undefined && exDir !== '' && pathEndsWith(dir.replace(/\/+$/, ''), exDir)
      if (fileInRun || dirInRun) {
        results.push({
          file: ex.file,
          description: `exclusion: ${ex.test ?? '(whole file)'}`,
          verdict: 'failed',
          reason: `exclusion entry matches no ${ex.test ? 'test' : 'file'} in this run (${ex.reason})`,
          durationMs: 0,
        })
      }
    }
    return results
  }

  async runFile(path: string): Promise<UnifiedTestResult[]> {
    const results: UnifiedTestResult[] = []
    const emit = (r: UnifiedTestResult) => {
      results.push(r)
      this.options.onResult?.(r)
    }
    let file: Doc
    try {
      file = parseTestFile(await readFile(path, 'utf8'), this.bson)
    } catch (e) {
      emit({ file: path, description: '(file)', verdict: 'failed', reason: `cannot load test file: ${describeError(e)}`, durationMs: 0 })
      return results
    }
    const tests: Doc[] = Array.isArray(file.tests) ? file.tests : []
    const selected = tests.filter((t) => !this.options.filter || this.options.filter(String(t?.description), path))
    const failAll = (reason: string) => {
      if (selected.length === 0 && tests.length === 0) emit({ file: path, description: '(file)', verdict: 'failed', reason, durationMs: 0 })
      for (const t of selected) emit({ file: path, description: String(t?.description ?? '(test)'), verdict: 'failed', reason, durationMs: 0 })
    }

    if (!schemaSupported(file.schemaVersion)) {
      failAll(`unsupported schemaVersion ${JSON.stringify(file.schemaVersion)} (runner supports up to ${SUPPORTED_SCHEMA_VERSION.join('.')})`)
      return results
    }
    const problems = validateTestFile(file)
    if (problems.length > 0) {
      failAll(`invalid test file: ${problems.join('; ')}`)
      return results
    }

    const fileExclusions = this.exclusions.filter((ex): ex is FileExclusion => 'file' in ex && pathEndsWith(path, ex.file))
    const operationExclusions = this.exclusions.filter((ex): ex is OperationExclusion => 'operation' in ex)
    const wholeFile = fileExclusions.find((ex) => ex.test === undefined)
    const fileReq = await this.checkRequirements(file.runOnRequirements)

    for (const test of selected) {
      const description = String(test.description)
      const skip = (reason: string) => emit({ file: path, description, verdict: 'skipped', reason, durationMs: 0 })
      const used = operationExclusions.length > 0 ? operationNames(test.operations) : undefined
      const excluded =
        fileExclusions.find((ex) => ex.test === description) ?? wholeFile ?? operationExclusions.find((ex) => used?.has(ex.operation))
      if (excluded) {
        this.matchedExclusions.add(excluded)
        skip(`excluded (${excluded.category}): ${excluded.reason}`)
        continue
      }
      if (!fileReq.met) {
        skip(fileReq.reason)
        continue
      }
      if (typeof test.skipReason === 'string') {
        skip(`skipReason: ${test.skipReason}`)
        continue
      }
      const testReq = await this.checkRequirements(test.runOnRequirements)
      if (!testReq.met) {
        skip(testReq.reason)
        continue
      }
      const started = performance.now()
      const run = new TestRun(this, file, test)
      const failure = await run.execute()
      const durationMs = Math.round(performance.now() - started)
      emit(
        failure === undefined
          ? { file: path, description, verdict: 'passed', durationMs }
          : { file: path, description, verdict: 'failed', reason: failure, durationMs },
      )
    }
    // Entries naming a test that does not exist in this file are stale.
    // (Tests left out by the filter still count as matched: the entry is not stale.)
    for (const ex of fileExclusions) {
      if (ex.test !== undefined && !tests.some((t) => t?.description === ex.test)) {
        emit({
          file: path,
          description: `exclusion: ${ex.test}`,
          verdict: 'failed',
          reason: `exclusion entry matches no test in this file (${ex.reason})`,
          durationMs: 0,
        })
      }
      this.matchedExclusions.add(ex)
    }
    return results
  }

  // -------------------------------------------------------------------------------------
  // runOnRequirements

  async checkRequirements(reqs: unknown): Promise<{ met: true } | { met: false; reason: string }> {
    if (reqs === undefined) return { met: true }
    if (!Array.isArray(reqs)) return { met: false, reason: 'runOnRequirements is not an array' }
    if (reqs.length === 0) return { met: true }
    const reasons: string[] = []
    for (const req of reqs) {
      const r = await this.checkRequirement(req)
      if (r === undefined) return { met: true }
      reasons.push(r)
    }
    return { met: false, reason: `runOnRequirements not met: ${reasons.join(' | ')}` }
  }

  /** Returns undefined when met, else why not. */
  private async checkRequirement(req: Doc): Promise<string | undefined> {
    const info = this.serverInfo
    const unmet: string[] = []
    for (const [key, value] of Object.entries(req ?? {})) {
      switch (key) {
        case 'minServerVersion':
          if (compareVersions(info.version, String(value)) < 0) unmet.push(`server ${info.version} < ${value}`)
          break
        case 'maxServerVersion':
          if (compareVersions(info.version, String(value)) > 0) unmet.push(`server ${info.version} > ${value}`)
          break
        case 'topologies': {
          const wanted = (value as string[]).map((t) => (t === 'sharded-replicaset' ? 'sharded' : t))
          if (!wanted.includes(info.topology)) unmet.push(`topology ${info.topology} not in [${(value as string[]).join(', ')}]`)
          break
        }
        case 'serverless':
          if (value === 'require' && !info.serverless) unmet.push('requires serverless')
          if (value === 'forbid' && info.serverless) unmet.push('forbids serverless')
          break
        case 'auth':
          if (value !== info.auth) unmet.push(value ? 'requires auth' : 'requires no auth')
          break
        case 'authMechanism': {
          const mechs = (await this.getServerParameters()).authenticationMechanisms
          const ok = Array.isArray(mechs) && mechs.some((m) => String(m).toLowerCase() === String(value).toLowerCase())
          if (!ok) unmet.push(`auth mechanism ${value} not enabled`)
          break
        }
        case 'csfle':
          if (value !== info.csfle) unmet.push(value ? 'requires CSFLE (libmongocrypt + crypt_shared/mongocryptd)' : 'requires no CSFLE')
          break
        case 'serverParameters': {
          const params = await this.getServerParameters()
          for (const [name, expected] of Object.entries(value as Doc)) {
            if (!(name in params)) unmet.push(`server parameter ${name} unavailable`)
            else if (!matches(this.matchEnv(), expected, params[name], false)) {
              unmet.push(`server parameter ${name}=${show(params[name], this.bson)} (needs ${show(expected, this.bson)})`)
            }
          }
          break
        }
        default:
          unmet.push(`unsupported requirement ${key}`)
      }
    }
    return unmet.length === 0 ? undefined : unmet.join(', ')
  }

  private async getServerParameters(): Promise<Doc> {
    if (!this.serverParameters) {
      try {
        this.serverParameters = await this.internal.db('admin').command({ getParameter: '*' })
      } catch {
        this.serverParameters = {}
      }
    }
    return this.serverParameters
  }

  matchEnv(entities?: EntityMap): MatchEnv {
    return {
      bson: this.bson,
      entityValue: (name) => {
        if (!entities) throw new RunnerError(`no entity map to resolve ${name}`)
        const e = entities.get(name)
        if (e.kind === 'client' || e.kind === 'database' || e.kind === 'collection' || e.kind === 'session') {
          throw new RunnerError(`$$matchesEntity: entity "${name}" is a ${e.kind}, not a BSON value`)
        }
        return e.value
      },
      sessionLsid: (name) => {
        if (!entities) throw new RunnerError(`no entity map to resolve ${name}`)
        return entities.session(name).lsid
      },
    }
  }

  async killAllSessions(): Promise<void> {
    if (!this.serverInfo.capabilities.killAllSessions) return
    try {
      await this.internal.db('admin').command({ killAllSessions: [] })
    } catch {
      // Interrupted / Unauthorized / CommandNotFound are all acceptable here.
    }
  }
}

async function probeServer(internal: InternalMongoClient, options: RunOptions): Promise<ServerInfo> {
  const admin = internal.db('admin')
  const hello = await admin.command({ hello: 1 }).catch(() => admin.command({ isMaster: 1 }))
  const build = await admin.command({ buildInfo: 1 })
  const versionArray: number[] = Array.isArray(build.versionArray) ? build.versionArray : String(build.version).split('.').map(Number)
  const version = versionArray.slice(0, 3).join('.')
  const loadBalanced = /[?&]loadBalanced=true/i.test(options.uri) || hello.serviceId !== undefined
  const topology: Topology = loadBalanced
    ? 'load-balanced'
    : hello.msg === 'isdbgrid'
      ? 'sharded'
      : typeof hello.setName === 'string'
        ? 'replicaset'
        : 'single'

  let auth = /^mongodb(\+srv)?:\/\/[^/@]+@/.test(options.uri)
  if (!auth) {
    try {
      const status = await admin.command({ connectionStatus: 1 })
      auth = (status.authInfo?.authenticatedUsers?.length ?? 0) > 0
    } catch {
      auth = false
    }
  }

  const probe = async (cmd: Doc) => {
    try {
      await admin.command(cmd)
      return true
    } catch {
      return false
    }
  }
  const failCommand = await probe({ configureFailPoint: 'failCommand', mode: 'off' })
  const killAllSessions = await probe({ killAllSessions: [] })
  const sessions = hello.logicalSessionTimeoutMinutes != null
  const distributed = topology !== 'single'
  const capabilities: ServerCapabilities = {
    failCommand,
    killAllSessions,
    sessions,
    transactions: sessions && distributed && compareVersions(version, topology === 'replicaset' ? '4.0' : '4.2') >= 0,
    changeStreams: distributed && compareVersions(version, '3.6') >= 0,
    ...(options.serverInfo?.capabilities ?? {}),
  }
  const { capabilities: _ignored, ...overrides } = options.serverInfo ?? {}
  const product = build.secantusVersion ? 'SecantusDB' : build.ferretdbVersion ? 'FerretDB' : 'MongoDB'
  return {
    product,
    version,
    topology,
    auth,
    serverless: false,
    csfle: compareVersions(version, '4.2') >= 0 && (await csfleAvailable()),
    capabilities,
    ...overrides,
  }
}

/** CSFLE needs mongodb-client-encryption (libmongocrypt) plus crypt_shared or mongocryptd. */
async function csfleAvailable(): Promise<boolean> {
  try {
    const name = 'mongodb-client-encryption'
    await import(name)
  } catch {
    return false
  }
  if (process.env.CRYPT_SHARED_LIB_PATH) return true
  const { access } = await import('node:fs/promises')
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      await access(`${dir}/mongocryptd`)
      return true
    } catch {
      // keep looking
    }
  }
  return false
}

// ---------------------------------------------------------------------------------------

const OPERATION_KEYS = new Set(['name', 'object', 'arguments', 'expectError', 'expectResult', 'saveResultAsEntity', 'ignoreResultAndError'])
const TEST_KEYS = new Set(['description', 'runOnRequirements', 'skipReason', 'operations', 'expectEvents', 'expectLogMessages', 'outcome'])
const EXPECTED_ERROR_KEYS = new Set([
  'isError',
  'isClientError',
  'isTimeoutError',
  'errorContains',
  'errorCode',
  'errorCodeName',
  'errorLabelsContain',
  'errorLabelsOmit',
  'writeErrors',
  'writeConcernErrors',
  'errorResponse',
  'expectResult',
])

/** One test's execution: its entity map, fail points, cursors and threads. */
class TestRun implements OpRuntime {
  readonly entities = new EntityMap()
  private readonly cursors: CursorEntity[] = []
  private readonly failPoints: string[] = []
  private usedTransactions = false
  /** Failures recorded where they cannot be thrown (withTransaction callbacks, threads). */
  private readonly failures: string[] = []
  private clusterTime: unknown

  constructor(
    private readonly runner: UnifiedRunner,
    private readonly file: Doc,
    private readonly test: Doc,
  ) {}

  get driver(): DriverModule {
    return this.runner.driver
  }

  get bson(): BsonModule {
    return this.runner.bson
  }

  trackCursor(c: CursorEntity): void {
    this.cursors.push(c)
  }

  markTransactions(): void {
    this.usedTransactions = true
  }

  driverObjectOf(value: unknown): any {
    return driverObjectOf(value)
  }

  async runCallback(operations: unknown[]): Promise<void> {
    for (const op of operations) await this.executeOperation(op as Doc, true)
  }

  /** Runs the test; returns undefined on success, else the failure reason. */
  async execute(): Promise<string | undefined> {
    let failure: string | undefined
    const timeoutMs = this.runner.options.testTimeoutMs ?? 30_000
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        this.body(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError(`test did not finish within ${timeoutMs} ms`)), timeoutMs)
        }),
      ])
      if (this.failures.length > 0) failure = this.failures.join('; ')
    } catch (e) {
      failure = e instanceof AssertionFailure || e instanceof RunnerError || e instanceof TimeoutError ? e.message : describeError(e)
      if (e instanceof RunnerError) failure = `runner error: ${failure}`
    } finally {
      clearTimeout(timer)
    }
    try {
      await this.cleanup(failure !== undefined)
    } catch (e) {
      failure ??= `cleanup failed: ${describeError(e)}`
    }
    return failure
  }

  private async body(): Promise<void> {
    for (const key of Object.keys(this.test)) {
      if (!TEST_KEYS.has(key)) throw new RunnerError(`unsupported test field ${key}`)
    }
    if (Array.isArray(this.test.expectLogMessages) && this.test.expectLogMessages.length > 0) {
      throw new RunnerError('expectLogMessages is not supported by this runner')
    }
    if (this.file.initialData) await this.setUpInitialData(this.file.initialData)
    await this.createEntities(this.file.createEntities ?? [])

    const operations = this.test.operations
    if (!Array.isArray(operations)) throw new RunnerError('test.operations must be an array')
    for (const op of operations) await this.executeOperation(op, false)

    for (const e of this.entities.values()) if (e.kind === 'client') e.recording = false
    await this.disableFailPoints()
    if (this.test.expectEvents) this.checkEvents(this.test.expectEvents)
    if (this.test.outcome) await this.checkOutcome(this.test.outcome)
  }

  // ----- setup / teardown -------------------------------------------------------------

  private async setUpInitialData(data: Doc[]): Promise<void> {
    const majority = { writeConcern: { w: 'majority' as const } }
    for (const cd of data) {
      const db = this.runner.internal.db(cd.databaseName)
      try {
        await db.command({ drop: cd.collectionName, ...majority })
      } catch (e: any) {
        if (e?.code !== 26 && !/ns not found|does not exist/i.test(String(e?.message))) throw e
      }
      if (cd.createOptions) await db.command({ create: cd.collectionName, ...cd.createOptions, ...majority })
      const docs: Doc[] = Array.isArray(cd.documents) ? cd.documents : []
      if (docs.length > 0) {
        await db.collection(cd.collectionName).insertMany(
          docs.map((d) => ({ ...d })),
          majority,
        )
      } else if (!cd.createOptions) {
        await db.command({ create: cd.collectionName, ...majority })
      }
    }
    const topo = this.runner.serverInfo.topology
    if (topo === 'sharded' || topo === 'load-balanced') {
      const pong = await this.runner.internal.db('admin').command({ ping: 1 })
      this.clusterTime = pong.$clusterTime
    }
  }

  private async createEntities(list: Doc[]): Promise<void> {
    if (!Array.isArray(list)) throw new RunnerError('createEntities must be an array')
    for (const entry of list) {
      if (!isDocument(entry) || Object.keys(entry).length !== 1) throw new RunnerError('an entity must have exactly one type key')
      const type = Object.keys(entry)[0]!
      const spec = entry[type] as Doc
      if (!isDocument(spec) || typeof spec.id !== 'string') throw new RunnerError(`${type} entity needs an id`)
      if (this.entities.has(spec.id)) throw new RunnerError(`entity "${spec.id}" already exists`)
      switch (type) {
        case 'client': {
          const entity = await createClientEntity(
            { driver: this.driver, uri: this.runner.options.uri, topology: this.runner.serverInfo.topology, entities: this.entities },
            spec as any,
          )
          this.entities.set(spec.id, entity)
          break
        }
        case 'database': {
          const client = this.entities.client(spec.client)
          this.allowOnly(spec, ['id', 'client', 'databaseName', 'databaseOptions'], type)
          const db = client.value.db(spec.databaseName, convertCommonOptions(this.driver, spec.databaseOptions, 'databaseOptions'))
          this.entities.set(spec.id, { kind: 'database', id: spec.id, value: db, clientId: client.id })
          break
        }
        case 'collection': {
          const db = this.entities.get(spec.database, 'database') as { value: any; clientId: string }
          this.allowOnly(spec, ['id', 'database', 'collectionName', 'collectionOptions'], type)
          const coll = db.value.collection(
            spec.collectionName,
            convertCommonOptions(this.driver, spec.collectionOptions, 'collectionOptions'),
          )
          this.entities.set(spec.id, { kind: 'collection', id: spec.id, value: coll, clientId: db.clientId })
          break
        }
        case 'session': {
          const client = this.entities.client(spec.client)
          this.allowOnly(spec, ['id', 'client', 'sessionOptions'], type)
          const session = client.value.startSession(convertCommonOptions(this.driver, spec.sessionOptions, 'sessionOptions'))
          if (this.clusterTime) session.advanceClusterTime(this.clusterTime)
          // Reading the id binds the server session now, so the lsid stays known after endSession.
          const lsid = session.id
          this.entities.set(spec.id, { kind: 'session', id: spec.id, value: session, clientId: client.id, lsid })
          break
        }
        case 'bucket': {
          const db = this.entities.get(spec.database, 'database') as { value: any; clientId: string }
          this.allowOnly(spec, ['id', 'database', 'bucketOptions'], type)
          const bucket = new this.driver.GridFSBucket(db.value, convertCommonOptions(this.driver, spec.bucketOptions, 'bucketOptions'))
          this.entities.set(spec.id, { kind: 'bucket', id: spec.id, value: bucket, clientId: db.clientId })
          break
        }
        case 'thread':
          this.allowOnly(spec, ['id'], type)
          this.entities.set(spec.id, { kind: 'thread', id: spec.id, value: { queue: Promise.resolve(), errors: [] } })
          break
        case 'clientEncryption':
          throw new RunnerError('clientEncryption entities are not supported by this runner (no libmongocrypt)')
        default:
          throw new RunnerError(`unsupported entity type ${type}`)
      }
    }
  }

  private allowOnly(spec: Doc, keys: string[], type: string): void {
    for (const k of Object.keys(spec)) if (!keys.includes(k)) throw new RunnerError(`${type} entity: unsupported field ${k}`)
  }

  private async disableFailPoints(): Promise<void> {
    const names = this.failPoints.splice(0)
    for (const name of names) {
      await this.runner.internal
        .db('admin')
        .command({ configureFailPoint: name, mode: 'off' })
        .catch(() => {})
    }
  }

  private async cleanup(failed: boolean): Promise<void> {
    await this.disableFailPoints()
    for (const c of this.cursors) {
      try {
        await c.value.close()
      } catch {
        // ignore
      }
    }
    for (const e of this.entities.values()) {
      if (e.kind === 'session') {
        try {
          await e.value.endSession()
        } catch {
          // ignore
        }
      }
    }
    for (const e of this.entities.values()) {
      if (e.kind === 'client' && !e.closed) {
        e.closed = true
        try {
          await e.value.close()
        } catch {
          // ignore
        }
      }
    }
    if (this.usedTransactions || failed) await this.runner.killAllSessions()
  }

  // ----- operations ---------------------------------------------------------------------

  private async executeOperation(op: Doc, inCallback: boolean): Promise<void> {
    if (!isDocument(op)) throw new RunnerError('an operation must be a document')
    for (const k of Object.keys(op)) if (!OPERATION_KEYS.has(k)) throw new RunnerError(`unsupported operation field ${k}`)
    const { name, object } = op
    if (typeof name !== 'string' || typeof object !== 'string') throw new RunnerError('operation needs "name" and "object"')
    if (op.ignoreResultAndError && (op.expectError || op.expectResult !== undefined || op.saveResultAsEntity)) {
      throw new RunnerError(`${name}: ignoreResultAndError excludes expectError, expectResult and saveResultAsEntity`)
    }
    if (op.expectError && (op.expectResult !== undefined || op.saveResultAsEntity)) {
      throw new RunnerError(`${name}: expectError excludes expectResult and saveResultAsEntity`)
    }

    if (object === 'testRunner') {
      await this.runSpecial(name, (op.arguments ?? {}) as Doc)
      return
    }

    let result: OpResult | undefined
    let error: unknown
    try {
      result = await runEntityOperation(this, object, name, op.arguments)
    } catch (e) {
      if (isRunnerInternal(e)) throw e
      error = e
    }

    if (op.ignoreResultAndError) {
      if (inCallback && error) throw error
      return
    }
    if (op.expectError) {
      if (error === undefined) fail(`${name}: expected an error, got result ${show(result?.value, this.bson)}`)
      this.checkExpectedError(name, op.expectError, error)
      if (inCallback) throw error
      return
    }
    if (error !== undefined) {
      if (inCallback) {
        this.failures.push(`${name} failed unexpectedly in withTransaction callback: ${describeError(error)}`)
        throw error
      }
      fail(`${name} failed unexpectedly: ${describeError(error)}`)
    }
    if (op.expectResult !== undefined) this.matchResult(name, op.expectResult, result!)
    if (op.saveResultAsEntity !== undefined) {
      const id = op.saveResultAsEntity
      if (typeof id !== 'string') throw new RunnerError('saveResultAsEntity must be a string')
      if (result?.cursor) {
        result.cursor.id = id
        this.entities.set(id, result.cursor)
      } else if (result?.collection) {
        const owner = this.entities.get(object, 'database') as { clientId: string }
        this.entities.set(id, { kind: 'collection', id, value: result.collection, clientId: owner.clientId })
      } else {
        if (result?.value === undefined) throw new RunnerError(`${name} returned no result to save as "${id}"`)
        this.entities.set(id, { kind: 'bson', id, value: result.value })
      }
    }
  }

  private matchResult(name: string, expected: unknown, result: OpResult): void {
    const env = this.runner.matchEnv(this.entities)
    const actual = result.value
    try {
      if (result.rootArray && Array.isArray(expected) && Array.isArray(actual)) {
        if (expected.length !== actual.length) {
          fail(`expected ${expected.length} documents, got ${actual.length}: ${show(actual, this.bson)}`)
        }
        for (const [i, e] of expected.entries()) assertMatches(env, e, actual[i], true, `$[${i}]`)
      } else {
        assertMatches(env, expected, actual, true)
      }
    } catch (e) {
      if (e instanceof AssertionFailure) throw new AssertionFailure(`${name} result: ${e.message}`)
      throw e
    }
  }

  private checkExpectedError(name: string, expected: Doc, err: any): void {
    for (const k of Object.keys(expected)) if (!EXPECTED_ERROR_KEYS.has(k)) throw new RunnerError(`unsupported expectError field ${k}`)
    const env = this.runner.matchEnv(this.entities)
    const what = `${name} error (${describeError(err)})`
    if (expected.isClientError !== undefined) {
      const client = !isServerError(err)
      if (client !== expected.isClientError) fail(`${what}: expected ${expected.isClientError ? 'a client' : 'a server'} error`)
    }
    if (expected.isTimeoutError !== undefined && isTimeoutError(err) !== expected.isTimeoutError) {
      fail(`${what}: expected isTimeoutError=${expected.isTimeoutError}`)
    }
    const parts = errorParts(err)
    if (expected.errorContains !== undefined) {
      const needle = String(expected.errorContains).toLowerCase()
      if (!parts.some((p) => typeof p.message === 'string' && p.message.toLowerCase().includes(needle))) {
        fail(`${what}: message does not contain "${expected.errorContains}"`)
      }
    }
    if (expected.errorCode !== undefined && !parts.some((p) => p.code === expected.errorCode)) {
      fail(`${what}: expected error code ${expected.errorCode}`)
    }
    if (expected.errorCodeName !== undefined) {
      const want = String(expected.errorCodeName).toLowerCase()
      const code = Object.entries(CODE_NAMES).find(([n]) => n.toLowerCase() === want)?.[1]
      const ok = parts.some((p) => (typeof p.codeName === 'string' && p.codeName.toLowerCase() === want) || (code !== undefined && p.code === code))
      if (!ok) fail(`${what}: expected code name ${expected.errorCodeName}`)
    }
    const labelHolders = [err, err?.cause].filter((e) => e && typeof e === 'object')
    for (const label of expected.errorLabelsContain ?? []) {
      if (!labelHolders.some((e) => hasErrorLabel(e, label))) fail(`${what}: expected error label ${label}`)
    }
    for (const label of expected.errorLabelsOmit ?? []) {
      if (labelHolders.some((e) => hasErrorLabel(e, label))) fail(`${what}: unexpected error label ${label}`)
    }
    if (expected.errorResponse !== undefined) {
      // A client bulk write error wraps the server's top-level error in `cause`.
      const response = err?.cause?.errorResponse ?? err?.errorResponse
      if (!response) fail(`${what}: error carries no server response`)
      assertMatches(env, expected.errorResponse, response, true, '$errorResponse')
    }
    if (expected.expectResult !== undefined) {
      assertMatches(env, expected.expectResult, errorResult(err), true, '$errorResult')
    }
    if (expected.writeErrors !== undefined) {
      const actual = asDocument(err?.writeErrors instanceof Map ? err.writeErrors : {}) ?? {}
      for (const [index, we] of Object.entries(expected.writeErrors as Doc)) {
        if (!(index in actual)) fail(`${what}: expected a write error at index ${index}`)
        assertMatches(env, we, { ...(actual[index] as object) }, true, `$writeErrors.${index}`)
      }
      for (const index of Object.keys(actual)) {
        if (!(index in (expected.writeErrors as Doc))) fail(`${what}: unexpected write error at index ${index}`)
      }
    }
    if (expected.writeConcernErrors !== undefined) {
      const actual: unknown[] = Array.isArray(err?.writeConcernErrors) ? err.writeConcernErrors : []
      const want = expected.writeConcernErrors as unknown[]
      if (actual.length !== want.length) fail(`${what}: expected ${want.length} write concern errors, got ${actual.length}`)
      for (const [i, w] of want.entries()) assertMatches(env, w, { ...(actual[i] as object) }, true, `$writeConcernErrors[${i}]`)
    }
  }

  // ----- special operations -------------------------------------------------------------

  private requireArgs(name: string, args: Doc, keys: string[]): void {
    for (const k of keys) if (args[k] === undefined) throw new RunnerError(`${name}: missing required argument "${k}"`)
  }

  private async runSpecial(name: string, args: Doc): Promise<void> {
    const internal = this.runner.internal
    switch (name) {
      case 'failPoint': {
        this.requireArgs(name, args, ['failPoint', 'client'])
        this.entities.client(args.client)
        return this.configureFailPoint(args.failPoint)
      }
      case 'targetedFailPoint': {
        this.requireArgs(name, args, ['failPoint', 'session'])
        const session = this.entities.session(args.session).value
        if (!session.isPinned) fail('targetedFailPoint: session is not pinned to a mongos')
        // Single-address deployments: the internal client reaches the same server.
        return this.configureFailPoint(args.failPoint)
      }
      case 'assertSessionTransactionState': {
        this.requireArgs(name, args, ['session', 'state'])
        // ClientSession.transaction is internal to the Node driver but is the only source of the
        // state: it is read from the driver session behind the entity (Synchro/framework wrapper).
        const session = driverObjectOf(this.entities.session(args.session).value)
        if (session?.transaction?.state === undefined) fail('the session exposes no transaction state (ClientSession.transaction.state)')
        const state = transactionState(session.transaction.state)
        if (state !== args.state) fail(`session transaction state is ${state} (${session.transaction.state}), expected ${args.state}`)
        return
      }
      case 'assertSessionPinned':
      case 'assertSessionUnpinned': {
        this.requireArgs(name, args, ['session'])
        const pinned = !!this.entities.session(args.session).value.isPinned
        if (pinned !== (name === 'assertSessionPinned')) fail(`session is ${pinned ? '' : 'not '}pinned`)
        return
      }
      case 'assertSessionDirty':
      case 'assertSessionNotDirty': {
        this.requireArgs(name, args, ['session'])
        const dirty = !!this.entities.session(args.session).value.serverSession?.isDirty
        if (dirty !== (name === 'assertSessionDirty')) fail(`session is ${dirty ? '' : 'not '}dirty`)
        return
      }
      case 'assertSameLsidOnLastTwoCommands':
      case 'assertDifferentLsidOnLastTwoCommands': {
        this.requireArgs(name, args, ['client'])
        const client = this.entities.client(args.client)
        const started = client.events.filter((e) => e.type === 'commandStartedEvent')
        if (started.length < 2) fail(`${name}: fewer than two commandStartedEvents observed`)
        const [a, b] = started.slice(-2).map((e) => e.event.command?.lsid)
        if (a === undefined || b === undefined) fail(`${name}: a command has no lsid`)
        const same = deepEquals(a, b)
        if (same !== (name === 'assertSameLsidOnLastTwoCommands')) {
          fail(`${name}: lsids ${show(a, this.bson)} and ${show(b, this.bson)} are ${same ? 'the same' : 'different'}`)
        }
        return
      }
      case 'assertCollectionExists':
      case 'assertCollectionNotExists': {
        this.requireArgs(name, args, ['databaseName', 'collectionName'])
        const found = await internal.db(args.databaseName).listCollections({ name: args.collectionName }, { nameOnly: true }).toArray()
        if ((found.length > 0) !== (name === 'assertCollectionExists')) {
          fail(`collection ${args.databaseName}.${args.collectionName} ${found.length > 0 ? 'exists' : 'does not exist'}`)
        }
        return
      }
      case 'assertIndexExists':
      case 'assertIndexNotExists': {
        this.requireArgs(name, args, ['databaseName', 'collectionName', 'indexName'])
        let names: string[] = []
        try {
          names = (await internal.db(args.databaseName).collection(args.collectionName).listIndexes().toArray()).map((i) => i.name)
        } catch (e: any) {
          if (e?.code !== 26) throw e
        }
        const exists = names.includes(args.indexName)
        if (exists !== (name === 'assertIndexExists')) fail(`index ${args.indexName} ${exists ? 'exists' : 'does not exist'}`)
        return
      }
      case 'assertNumberConnectionsCheckedOut': {
        this.requireArgs(name, args, ['client', 'connections'])
        const client = this.entities.client(args.client)
        if (client.connectionsCheckedOut !== args.connections) {
          fail(`${client.connectionsCheckedOut} connections checked out, expected ${args.connections}`)
        }
        return
      }
      case 'createEntities':
        this.requireArgs(name, args, ['entities'])
        return this.createEntities(args.entities)
      case 'runOnThread': {
        this.requireArgs(name, args, ['thread', 'operation'])
        const thread = this.entities.get(args.thread, 'thread').value as ThreadState
        thread.queue = thread.queue.then(() =>
          this.executeOperation(args.operation, false).catch((e) => {
            thread.errors.push(e)
          }),
        )
        return
      }
      case 'waitForThread': {
        this.requireArgs(name, args, ['thread'])
        const thread = this.entities.get(args.thread, 'thread').value as ThreadState
        let timer: NodeJS.Timeout | undefined
        await Promise.race([
          thread.queue,
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new AssertionFailure(`thread ${args.thread} did not finish within 10 s`)), 10_000)
          }),
        ]).finally(() => clearTimeout(timer))
        if (thread.errors.length > 0) {
          const e = thread.errors[0]
          fail(`thread ${args.thread}: ${e instanceof Error ? e.message : String(e)}`)
        }
        return
      }
      case 'waitForEvent': {
        this.requireArgs(name, args, ['client', 'event', 'count'])
        const client = this.entities.client(args.client)
        const deadline = Date.now() + 10_000
        while (this.countEvents(client, args.event) < args.count) {
          if (Date.now() > deadline) fail(`waitForEvent: ${show(args.event, this.bson)} not seen ${args.count} times within 10 s`)
          await sleep(20)
        }
        return
      }
      case 'assertEventCount': {
        this.requireArgs(name, args, ['client', 'event', 'count'])
        const n = this.countEvents(this.entities.client(args.client), args.event)
        if (n !== args.count) fail(`assertEventCount: ${show(args.event, this.bson)} seen ${n} times, expected ${args.count}`)
        return
      }
      case 'wait':
        this.requireArgs(name, args, ['ms'])
        await sleep(Number(args.ms))
        return
      default:
        throw new RunnerError(`unsupported testRunner operation ${name}`)
    }
  }

  private async configureFailPoint(command: unknown): Promise<void> {
    if (!isDocument(command) || typeof command.configureFailPoint !== 'string') {
      throw new RunnerError('failPoint must be a configureFailPoint command document')
    }
    try {
      await this.runner.internal.db('admin').command(command)
    } catch (e) {
      fail(`cannot configure fail point ${command.configureFailPoint}: ${describeError(e)}`)
    }
    this.failPoints.push(command.configureFailPoint)
  }

  // ----- events and outcome -------------------------------------------------------------

  private countEvents(client: ClientEntity, expected: Doc): number {
    return client.events.filter((e) => this.eventMatches(expected, e)).length
  }

  private eventMatches(expected: Doc, actual: ObservedEvent): boolean {
    try {
      this.matchEvent(expected, actual, '$')
      return true
    } catch (e) {
      if (e instanceof AssertionFailure) return false
      throw e
    }
  }

  private checkEvents(list: Doc[]): void {
    for (const spec of list) {
      const client = this.entities.client(spec.client)
      const kind = spec.eventType ?? 'command'
      if (!['command', 'cmap', 'sdam'].includes(kind)) throw new RunnerError(`unsupported eventType ${kind}`)
      const expected: Doc[] = spec.events ?? []
      const actual = client.events.filter((e) => e.kind === kind)
      const summary = () => actual.map((e) => (e.event?.commandName ? `${e.type}(${e.event.commandName})` : e.type)).join(', ')
      if (spec.ignoreExtraEvents ? actual.length < expected.length : actual.length !== expected.length) {
        fail(`client ${spec.client}: expected ${expected.length} ${kind} events, observed ${actual.length}: [${summary()}]`)
      }
      for (const [i, exp] of expected.entries()) this.matchEvent(exp, actual[i]!, `${spec.client} ${kind} event[${i}]`)
    }
  }

  private matchEvent(expected: Doc, actual: ObservedEvent, where: string): void {
    const keys = Object.keys(expected)
    if (keys.length !== 1) throw new RunnerError(`${where}: an expected event must have exactly one key`)
    const type = keys[0]!
    if (actual.type !== type) fail(`${where}: expected ${type}, got ${actual.type}${actual.event?.commandName ? ` (${actual.event.commandName})` : ''}`)
    const spec = (expected[type] ?? {}) as Doc
    const ev = actual.event
    const env = this.runner.matchEnv(this.entities)
    for (const [key, value] of Object.entries(spec)) {
      switch (key) {
        case 'command':
          assertMatches(env, value, ev.command, true, `${where}.command`)
          break
        case 'reply':
          assertMatches(env, value, ev.reply, true, `${where}.reply`)
          break
        case 'commandName':
        case 'databaseName':
        case 'reason':
        case 'interruptInUseConnections':
        case 'awaited':
          if (ev[key] !== value) fail(`${where}.${key}: expected ${show(value, this.bson)}, got ${show(ev[key], this.bson)}`)
          break
        case 'hasServiceId': {
          const has = ev.serviceId != null && !/^0+$/.test(String(ev.serviceId.toHexString?.() ?? ev.serviceId))
          if (has !== value) fail(`${where}: hasServiceId is ${has}`)
          break
        }
        case 'hasServerConnectionId': {
          const id = ev.serverConnectionId
          const has = id != null && Number(id) > 0
          if (has !== value) fail(`${where}: hasServerConnectionId is ${has}`)
          break
        }
        case 'previousDescription':
        case 'newDescription': {
          for (const [dk, dv] of Object.entries(value as Doc)) {
            if (dk !== 'type') throw new RunnerError(`${where}.${key}: unsupported field ${dk}`)
            if (ev[key]?.type !== dv) fail(`${where}.${key}.type: expected ${dv}, got ${ev[key]?.type}`)
          }
          break
        }
        default:
          throw new RunnerError(`${where}: unsupported event assertion ${key}`)
      }
    }
  }

  private async checkOutcome(list: Doc[]): Promise<void> {
    const env = this.runner.matchEnv(this.entities)
    for (const cd of list) {
      const docs = await this.runner.internal
        .db(cd.databaseName)
        .collection(cd.collectionName)
        .find({}, { sort: { _id: 1 }, readPreference: 'primary', readConcern: { level: 'local' } })
        .toArray()
      const expected: Doc[] = cd.documents ?? []
      const where = `outcome ${cd.databaseName}.${cd.collectionName}`
      if (docs.length !== expected.length) {
        fail(`${where}: expected ${expected.length} documents, found ${docs.length}: ${show(docs, this.bson)}`)
      }
      expected.forEach((e, i) => {
        if (specialOperator(e)) throw new RunnerError(`${where}: special operators are not allowed in outcome`)
        assertMatches(env, e, docs[i], false, `${where}[${i}]`)
      })
    }
  }
}

function transactionState(state: unknown): string {
  switch (state) {
    case 'NO_TRANSACTION':
      return 'none'
    case 'STARTING_TRANSACTION':
      return 'starting'
    case 'TRANSACTION_IN_PROGRESS':
      return 'in_progress'
    case 'TRANSACTION_COMMITTED':
    case 'TRANSACTION_COMMITTED_EMPTY':
      return 'committed'
    case 'TRANSACTION_ABORTED':
      return 'aborted'
    default:
      return String(state)
  }
}
