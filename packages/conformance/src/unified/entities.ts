/**
 * The per-test entity map and the construction of entities through the injected driver:
 * clients (with command, CMAP and SDAM event capture), databases, collections, sessions and
 * GridFS buckets. Also the conversion of the format's readConcern / readPreference /
 * writeConcern documents into what the driver takes.
 */
import { isDocument } from './bson-utils.js'
import { RunnerError } from './errors.js'
import type { DriverModule, Topology } from './types.js'

export type EventKind = 'command' | 'cmap' | 'sdam'

export interface ObservedEvent {
  kind: EventKind
  /** The format's name for the event, e.g. `commandStartedEvent`. */
  type: string
  event: any
}

export interface ClientEntity {
  kind: 'client'
  id: string
  value: any
  /** Events of the types named in observeEvents, in arrival order. */
  events: ObservedEvent[]
  /** Events are appended only while this is true (the operations phase). */
  recording: boolean
  connectionsCheckedOut: number
  closed: boolean
}

export interface SessionEntity {
  kind: 'session'
  id: string
  value: any
  clientId: string
  lsid: unknown
}

export interface CursorEntity {
  kind: 'findCursor' | 'commandCursor' | 'changeStream'
  id?: string
  value: any
  /** Documents read while creating the cursor, served before reading from it. */
  buffer: unknown[]
}

export type Entity =
  | ClientEntity
  | SessionEntity
  | CursorEntity
  | { kind: 'database' | 'collection' | 'bucket'; id: string; value: any; clientId: string }
  | { kind: 'thread'; id: string; value: ThreadState }
  | { kind: 'eventList'; id: string; value: unknown[] }
  | { kind: 'bson'; id: string; value: unknown }
  | { kind: 'clientEncryption'; id: string; value: any }

export interface ThreadState {
  queue: Promise<void>
  errors: unknown[]
}

export type EntityKind = Entity['kind']

export class EntityMap {
  private readonly map = new Map<string, Entity>()

  has(id: string): boolean {
    return this.map.has(id)
  }

  set(id: string, entity: Entity): void {
    if (this.map.has(id)) throw new RunnerError(`entity "${id}" already exists`)
    this.map.set(id, entity)
  }

  get(id: unknown, ...kinds: EntityKind[]): Entity {
    if (typeof id !== 'string') throw new RunnerError(`entity name must be a string, got ${JSON.stringify(id)}`)
    const e = this.map.get(id)
    if (!e) throw new RunnerError(`entity "${id}" is not defined`)
    if (kinds.length > 0 && !kinds.includes(e.kind)) {
      throw new RunnerError(`entity "${id}" is a ${e.kind}, expected ${kinds.join(' or ')}`)
    }
    return e
  }

  client(id: unknown): ClientEntity {
    return this.get(id, 'client') as ClientEntity
  }

  session(id: unknown): SessionEntity {
    return this.get(id, 'session') as SessionEntity
  }

  values(): Entity[] {
    return [...this.map.values()]
  }

  entries(): Array<[string, Entity]> {
    return [...this.map.entries()]
  }
}

const COMMAND_EVENTS: Record<string, string> = {
  commandStartedEvent: 'commandStarted',
  commandSucceededEvent: 'commandSucceeded',
  commandFailedEvent: 'commandFailed',
}

const CMAP_EVENTS: Record<string, string> = {
  poolCreatedEvent: 'connectionPoolCreated',
  poolReadyEvent: 'connectionPoolReady',
  poolClearedEvent: 'connectionPoolCleared',
  poolClosedEvent: 'connectionPoolClosed',
  connectionCreatedEvent: 'connectionCreated',
  connectionReadyEvent: 'connectionReady',
  connectionClosedEvent: 'connectionClosed',
  connectionCheckOutStartedEvent: 'connectionCheckOutStarted',
  connectionCheckOutFailedEvent: 'connectionCheckOutFailed',
  connectionCheckedOutEvent: 'connectionCheckedOut',
  connectionCheckedInEvent: 'connectionCheckedIn',
}

const SDAM_EVENTS: Record<string, string> = {
  serverDescriptionChangedEvent: 'serverDescriptionChanged',
  serverHeartbeatStartedEvent: 'serverHeartbeatStarted',
  serverHeartbeatSucceededEvent: 'serverHeartbeatSucceeded',
  serverHeartbeatFailedEvent: 'serverHeartbeatFailed',
  topologyDescriptionChangedEvent: 'topologyDescriptionChanged',
  topologyOpeningEvent: 'topologyOpening',
  topologyClosedEvent: 'topologyClosed',
  serverOpeningEvent: 'serverOpening',
  serverClosedEvent: 'serverClosed',
}

export function eventKindOf(type: string): EventKind | undefined {
  if (type in COMMAND_EVENTS) return 'command'
  if (type in CMAP_EVENTS) return 'cmap'
  if (type in SDAM_EVENTS) return 'sdam'
  return undefined
}

function driverEventName(type: string): string | undefined {
  return COMMAND_EVENTS[type] ?? CMAP_EVENTS[type] ?? SDAM_EVENTS[type]
}

const SENSITIVE_COMMANDS = new Set([
  'authenticate',
  'saslstart',
  'saslcontinue',
  'getnonce',
  'createuser',
  'updateuser',
  'copydbgetnonce',
  'copydbsaslstart',
  'copydb',
])
const HELLO_COMMANDS = new Set(['hello', 'ismaster'])

/** A command is sensitive if it is an auth command or a hello carrying speculativeAuthenticate (redacted to {}). */
function isSensitiveStart(ev: any): boolean {
  const name = String(ev.commandName ?? '').toLowerCase()
  if (SENSITIVE_COMMANDS.has(name)) return true
  if (HELLO_COMMANDS.has(name)) {
    const cmd = ev.command
    return !cmd || typeof cmd !== 'object' || Object.keys(cmd).length === 0 || cmd.speculativeAuthenticate != null
  }
  return false
}

export interface ClientSpec {
  id: string
  uriOptions?: Record<string, unknown>
  useMultipleMongoses?: boolean
  observeEvents?: string[]
  ignoreCommandMonitoringEvents?: string[]
  observeSensitiveCommands?: boolean
  storeEventsAsEntities?: Array<{ id: string; events: string[] }>
  serverApi?: { version: string; strict?: boolean; deprecationErrors?: boolean }
  observeLogMessages?: unknown
  autoEncryptOpts?: unknown
}

const CLIENT_KEYS = new Set([
  'id',
  'uriOptions',
  'useMultipleMongoses',
  'observeEvents',
  'ignoreCommandMonitoringEvents',
  'observeSensitiveCommands',
  'storeEventsAsEntities',
  'serverApi',
  'observeLogMessages',
  'autoEncryptOpts',
])

export interface ClientContext {
  driver: DriverModule
  uri: string
  topology: Topology
  entities: EntityMap
}

/** Creates a client entity through the injected driver and wires its event listeners. */
export async function createClientEntity(ctx: ClientContext, spec: ClientSpec): Promise<ClientEntity> {
  for (const key of Object.keys(spec)) {
    if (!CLIENT_KEYS.has(key)) throw new RunnerError(`client entity "${spec.id}": unsupported field ${key}`)
  }
  if (spec.observeLogMessages !== undefined) throw new RunnerError('observeLogMessages is not supported by this runner')
  if (spec.autoEncryptOpts !== undefined) throw new RunnerError('autoEncryptOpts is not supported by this runner')

  const observe = new Set(spec.observeEvents ?? [])
  for (const t of observe) {
    if (!eventKindOf(t)) throw new RunnerError(`client "${spec.id}": unsupported observeEvents type ${t}`)
  }
  const ignore = new Set(spec.ignoreCommandMonitoringEvents ?? [])
  ignore.add('configureFailPoint')
  const observeSensitive = spec.observeSensitiveCommands === true

  const uriOptions = { ...(spec.uriOptions ?? {}) }
  for (const [k, v] of Object.entries(uriOptions)) {
    if (isDocument(v) && '$$placeholder' in v) throw new RunnerError(`uriOptions.${k}: $$placeholder values are not available in this environment`)
  }
  let uri = ctx.uri
  if (ctx.topology === 'sharded' && spec.useMultipleMongoses === false) uri = singleHostUri(uri)

  const options: Record<string, unknown> = {
    ...uriOptions,
    monitorCommands: true,
    // Connect without the initial ping, so a test observing CMAP events sees only its own checkouts.
    __skipPingOnConnect: true,
  }
  if (spec.serverApi) options.serverApi = { ...spec.serverApi }

  const client = new ctx.driver.MongoClient(uri, options as any)
  const entity: ClientEntity = {
    kind: 'client',
    id: spec.id,
    value: client,
    events: [],
    recording: true,
    connectionsCheckedOut: 0,
    closed: false,
  }

  // Event lists (storeEventsAsEntities) are independent of observeEvents.
  const stored = new Map<string, unknown[][]>()
  for (const s of spec.storeEventsAsEntities ?? []) {
    const list: unknown[] = []
    ctx.entities.set(s.id, { kind: 'eventList', id: s.id, value: list })
    for (const name of s.events) {
      const type = name.charAt(0).toLowerCase() + name.slice(1)
      if (!eventKindOf(type)) throw new RunnerError(`storeEventsAsEntities: unsupported event ${name}`)
      if (!stored.has(type)) stored.set(type, [])
      stored.get(type)!.push(list)
    }
  }

  const sensitiveRequests = new Set<unknown>()
  const wanted = new Set<string>([...observe, ...stored.keys(), 'connectionCheckedOutEvent', 'connectionCheckedInEvent'])
  for (const type of wanted) {
    const driverName = driverEventName(type)!
    const kind = eventKindOf(type)!
    client.on(driverName, (ev: any) => {
      if (type === 'connectionCheckedOutEvent') entity.connectionsCheckedOut++
      if (type === 'connectionCheckedInEvent') entity.connectionsCheckedOut--
      for (const list of stored.get(type) ?? []) list.push(serializeEvent(type, ev))
      if (!observe.has(type) || !entity.recording) return
      if (kind === 'command') {
        if (type === 'commandStartedEvent' && isSensitiveStart(ev)) sensitiveRequests.add(ev.requestId)
        const sensitive =
          sensitiveRequests.has(ev.requestId) || SENSITIVE_COMMANDS.has(String(ev.commandName ?? '').toLowerCase())
        if (sensitive && !observeSensitive) return
        if (ignore.has(ev.commandName)) return
      }
      entity.events.push({ kind, type, event: type === 'commandStartedEvent' ? asSent(ev) : ev })
    })
  }
  // Sensitive started events must be known even when only succeeded/failed events are observed.
  if (!observe.has('commandStartedEvent') && (observe.has('commandSucceededEvent') || observe.has('commandFailedEvent'))) {
    client.on('commandStarted', (ev: any) => {
      if (isSensitiveStart(ev)) sensitiveRequests.add(ev.requestId)
    })
  }

  await client.connect()
  return entity
}

/**
 * A started event whose command is a copy taken now: the driver keeps using objects of the
 * command (a transaction's command takes the client's ReadConcern object itself, and the next
 * transaction adds `afterClusterTime` to it), so the event must show the command as it was
 * sent. Documents and option objects are copied; BSON values, bytes and dates are kept.
 */
function asSent(ev: any): any {
  const copy = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(copy)
    if (typeof value !== 'object' || value === null || '_bsontype' in value || ArrayBuffer.isView(value)) return value
    if (value instanceof Date || value instanceof RegExp || value instanceof Map) return value
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]))
  }
  return Object.create(ev, { command: { value: copy(ev.command), enumerable: true } })
}

function serializeEvent(type: string, ev: any): Record<string, unknown> {
  const name = type.charAt(0).toUpperCase() + type.slice(1)
  const doc: Record<string, unknown> = { name, observedAt: Date.now() / 1000 }
  for (const key of ['commandName', 'databaseName', 'requestId', 'duration', 'address', 'connectionId', 'reason']) {
    if (ev?.[key] !== undefined) doc[key] = typeof ev[key] === 'bigint' ? Number(ev[key]) : ev[key]
  }
  if (ev?.failure !== undefined) doc.failure = String(ev.failure?.message ?? ev.failure)
  return doc
}

/** Keeps only the first host of a mongodb:// URI (useMultipleMongoses: false on a sharded cluster). */
export function singleHostUri(uri: string): string {
  const m = /^(mongodb:\/\/)([^@/]*@)?([^/?]+)(.*)$/.exec(uri)
  if (!m) return uri
  const first = m[3]!.split(',')[0]
  return `${m[1]}${m[2] ?? ''}${first}${m[4]}`
}

export function readPreferenceFrom(driver: DriverModule, spec: unknown): any {
  if (!isDocument(spec)) throw new RunnerError(`readPreference must be a document, got ${JSON.stringify(spec)}`)
  const { mode, tagSets, maxStalenessSeconds, hedge, ...rest } = spec as Record<string, any>
  if (Object.keys(rest).length > 0) throw new RunnerError(`readPreference: unsupported fields ${Object.keys(rest).join(', ')}`)
  if (typeof mode !== 'string') throw new RunnerError('readPreference.mode is required')
  const normalized = mode.charAt(0).toLowerCase() + mode.slice(1)
  const opts: Record<string, unknown> = {}
  if (maxStalenessSeconds !== undefined) opts.maxStalenessSeconds = maxStalenessSeconds
  if (hedge !== undefined) opts.hedge = hedge
  return new driver.ReadPreference(normalized as any, tagSets, opts as any)
}

export function writeConcernFrom(spec: unknown): Record<string, unknown> {
  if (!isDocument(spec)) throw new RunnerError(`writeConcern must be a document, got ${JSON.stringify(spec)}`)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'w' || k === 'wtimeoutMS' || k === 'journal') out[k] = v
    else if (k === 'j') out.journal = v
    else if (k === 'wtimeout') out.wtimeoutMS = v
    else throw new RunnerError(`writeConcern: unsupported field ${k}`)
  }
  return out
}

export function readConcernFrom(spec: unknown): Record<string, unknown> {
  if (!isDocument(spec)) throw new RunnerError(`readConcern must be a document, got ${JSON.stringify(spec)}`)
  return { ...spec }
}

/** Converts collectionOrDatabaseOptions / transaction options / bucket options to driver options. */
export function convertCommonOptions(driver: DriverModule, spec: unknown, context: string): Record<string, unknown> {
  if (spec === undefined) return {}
  if (!isDocument(spec)) throw new RunnerError(`${context} must be a document`)
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'readPreference') out.readPreference = readPreferenceFrom(driver, v)
    else if (k === 'readConcern') out.readConcern = readConcernFrom(v)
    else if (k === 'writeConcern') out.writeConcern = writeConcernFrom(v)
    else if (k === 'defaultTransactionOptions') out.defaultTransactionOptions = convertCommonOptions(driver, v, `${context}.${k}`)
    else out[k] = v
  }
  return out
}
