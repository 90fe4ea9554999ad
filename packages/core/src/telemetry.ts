/**
 * OpenTelemetry names for an operation, after the database semantic conventions for MongoDB:
 * `db.system.name` (`mongodb`), `db.namespace` (the database), `db.collection.name`,
 * `db.operation.name` (the driver method, e.g. `insertOne`), `server.address` / `server.port`
 * (the first host of the client's seed list). Framework-agnostic: the Effect package puts them
 * on its spans; any other tracer can call `operationAttributes` with the `Operation` core hands
 * to `runOnExecutor`.
 *
 * Only the operation's target is read, through the driver's public API: never filters,
 * documents or options, so no document content ever reaches a trace. The server address is
 * known for operations on a client, database or collection; cursors and change streams do not
 * expose their client publicly, so theirs carry the namespace only.
 */
import { AbstractCursor, ChangeStream, Collection, Db, type HostAddress, MongoClient } from 'mongodb'
import type { Operation } from './framework.js'

export type SpanAttributes = Record<string, string | number>

interface Place {
  readonly db?: string
  readonly collection?: string
  readonly client?: MongoClient
}

function placeOf(target: object): Place {
  if (target instanceof Collection) return { db: target.dbName, collection: target.collectionName, client: target.db.client }
  if (target instanceof AbstractCursor || target instanceof ChangeStream) {
    const ns = target.namespace
    return { db: ns.db, ...(ns.collection && { collection: ns.collection }) }
  }
  if (target instanceof Db) return { db: target.databaseName, client: target.client }
  if (target instanceof MongoClient) return { client: target }
  return {}
}

/** The span name the conventions ask for: `{operation} {collection}` (or the database, or the operation alone). */
export function operationSpanName(op: Operation): string {
  const { db, collection } = placeOf(op.target)
  const where = collection ?? db
  return where ? `${op.name} ${where}` : op.name
}

/** The span attributes of `op` (see the module comment). */
export function operationAttributes(op: Operation): SpanAttributes {
  const { db, collection, client } = placeOf(op.target)
  const attributes: SpanAttributes = { 'db.system.name': 'mongodb', 'db.operation.name': op.name }
  if (db) attributes['db.namespace'] = db
  if (collection) attributes['db.collection.name'] = collection
  const host: HostAddress | undefined = client?.options?.hosts?.[0]
  if (host?.host) {
    attributes['server.address'] = host.host
    if (host.port !== undefined) attributes['server.port'] = host.port
  } else if (host?.socketPath) attributes['server.address'] = host.socketPath
  return attributes
}
