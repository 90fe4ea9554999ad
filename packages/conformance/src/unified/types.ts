/**
 * Public types of the unified test runner: the injected driver module, run options,
 * what the runner knows about the server, exclusion entries and per-test results.
 */
import type * as mongodb from 'mongodb'

/** A module shaped like the `mongodb` package; entity objects are created only through it. */
export type DriverModule = typeof mongodb

export type Topology = 'single' | 'replicaset' | 'sharded' | 'load-balanced'

export interface ServerCapabilities {
  /** `configureFailPoint` with the failCommand fail point works (enableTestCommands). */
  failCommand: boolean
  /** `killAllSessions` is available. */
  killAllSessions: boolean
  /** The server advertises logical sessions (hello.logicalSessionTimeoutMinutes). */
  sessions: boolean
  /** Multi-document transactions are possible (replica set or sharded, 4.0+/4.2+). */
  transactions: boolean
  /** Change streams are possible (replica set or sharded). */
  changeStreams: boolean
}

export interface ServerInfo {
  /** 'MongoDB', or the product answering for it ('SecantusDB', 'FerretDB') per buildInfo. */
  product: string
  /** major.minor.patch from buildInfo.versionArray. */
  version: string
  topology: Topology
  /** Authentication is enabled (credentials in the URI or authenticated users). */
  auth: boolean
  /** Running against Atlas Serverless. Never detectable; set by the caller. */
  serverless: boolean
  /** Driver and server support client-side field level encryption. */
  csfle: boolean
  capabilities: ServerCapabilities
}

export type ExclusionCategory = 'server-gap' | 'api-difference'

/**
 * A test the runner does not run. Either by place (`file`, optionally `test`), or by an
 * operation the driver does not have (`operation` + `driverLacks`): every test that runs the
 * operation, in whatever file, is excluded.
 */
export type UnifiedExclusion = FileExclusion | OperationExclusion

export interface FileExclusion {
  /** Spec file path ending, e.g. `crud/tests/unified/find.json`; matched as a path suffix. */
  file: string
  /** Test description; omitted = the whole file. */
  test?: string
  reason: string
  category: ExclusionCategory
}

export interface OperationExclusion {
  /** Operation name in the test (at any depth: withTransaction callbacks, threads). */
  operation: string
  /**
   * The driver member the operation would call, `Class.member`: the entry is stale (a
   * failure) as soon as the raw driver has it.
   */
  driverLacks: string
  reason: string
  category: ExclusionCategory
}

export type Verdict = 'passed' | 'failed' | 'skipped'

export interface UnifiedTestResult {
  /** Path of the test file as given to the runner. */
  file: string
  description: string
  verdict: Verdict
  reason?: string
  durationMs: number
}

export interface RunOptions {
  driver: DriverModule
  uri: string
  /** Overrides of what the runner probes from the server. */
  serverInfo?: Partial<ServerInfo> & { capabilities?: Partial<ServerCapabilities> }
  /** Only tests for which this returns true are run (others are left out of the results). */
  filter?: (testDescription: string, file: string) => boolean
  /** Tests not to run; defaults to the built-in list in exclusions.ts. Pass [] to run everything. */
  exclusions?: readonly UnifiedExclusion[]
  /** Per-test time limit; a test running longer fails. Default 30 s. */
  testTimeoutMs?: number
  /** Called after each test with its result. */
  onResult?: (result: UnifiedTestResult) => void
}
