/**
 * Schema-checked collections, for every framework: `withSchema(collection, schema)` takes any
 * Standard Schema (Zod, Valibot, ArkType, Effect Schema...) and returns the same collection,
 * typed after the schema's output, whose
 * - reads are validated and decoded: `findOne`, `findOneAndDelete/Replace/Update` (and their
 *   `value` with `includeResultMetadata`), `find` cursors (through the driver's own
 *   `cursor.map`, so `next`, `toArray`, `for await`, `toStream` and re-runs on a clone are all
 *   covered), and change streams' `fullDocument` / `fullDocumentBeforeChange`;
 * - writes are validated before they leave: `insertOne`, `insertMany`, `replaceOne`,
 *   `findOneAndReplace`, and `bulkWrite`'s `insertOne` / `replaceOne` models. The document you
 *   gave is what is sent (so the driver still sets `_id` on it); a missing `_id` is not an
 *   error on a write, since the driver or the server supplies it.
 * A failure is a `SchemaValidationError` naming the document's `_id` and the failing path, in
 * the framework's error channel (Effect: the `Validation` reason of `MotorError`).
 *
 * Not covered: reads with a `projection` (partial documents do not have the schema's shape;
 * they pass unchecked), `aggregate` and `distinct` (results of another shape), change
 * streams used as event emitters (`on('change')`) or Node streams (`stream()`), and update
 * operators (`updateOne`'s `$set` is not a document). Cursor reads need a synchronous schema
 * check when iterated by the driver's Node stream; elsewhere async checks are awaited.
 *
 * Opt-in: nothing here runs for collections made without `withSchema`.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec'
import type { AbstractCursor, ChangeStream, Collection, Document } from 'mongodb'
import { invalidArgument, SchemaValidationError, type ValidationDirection, type ValidationIssue } from './errors.js'
import type { Framework, FrameworkTypes, Future } from './framework.js'
import type { MotorCollection } from './generated/driver-api.generated.js'
import { bindDelegate, delegateOf, isFailedDelegate } from './registry.js'

/** A Standard Schema whose output is a document. */
export type DocumentSchema = StandardSchemaV1<any, Document>

/** The document type a schema decodes to. */
export type SchemaOutput<S extends DocumentSchema> = StandardSchemaV1.InferOutput<S>

/** `withSchema` for one framework (each framework package exports it). */
export type WithSchema<F extends FrameworkTypes> = <S extends DocumentSchema>(
  collection: MotorCollection<F, any>,
  schema: S,
) => MotorCollection<F, SchemaOutput<S>>

type Check = (doc: unknown, id?: unknown) => unknown

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown>)?.then === 'function'
const idOf = (doc: unknown): unknown => (doc && typeof doc === 'object' ? (doc as Document)._id : undefined)

function pathOf(issue: StandardSchemaV1.Issue): string {
  return (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment)).join('.')
}

/** A check that returns the schema's output (or a Promise of it) and throws `SchemaValidationError`. */
function checker(schema: DocumentSchema, direction: ValidationDirection, namespace: string): Check {
  const validate = schema['~standard'].validate
  const settle = (result: StandardSchemaV1.Result<unknown>, doc: unknown, id: unknown): unknown => {
    if (!result.issues) return result.value
    let issues: ValidationIssue[] = result.issues.map((issue) => ({ message: issue.message, path: pathOf(issue) }))
    // On a write, a missing `_id` is supplied by the driver or kept by the server.
    if (direction === 'write' && idOf(doc) === undefined) issues = issues.filter((issue) => issue.path !== '_id')
    if (issues.length === 0) return doc
    throw new SchemaValidationError(direction, namespace, id, issues)
  }
  return (doc, id = idOf(doc)) => {
    const result = validate(doc)
    return isPromise(result) ? result.then((r) => settle(r, doc, id)) : settle(result, doc, id)
  }
}

/** Run `fn` after `checks` pass, as a future (checks may be async). */
function after<F extends FrameworkTypes, A>(fw: Framework<F>, checks: () => unknown[], fn: () => Future<F, A>): Future<F, A> {
  return fw.chainFuture(fw.runOnExecutor(async () => Promise.all(checks())), fn)
}

/** A wrapper of the same class as `wrapper`, over another driver object. */
function rewrap<T extends object>(wrapper: T, delegate: object): T {
  const copy = Object.create(Object.getPrototypeOf(wrapper)) as T
  bindDelegate(copy, delegate)
  return copy
}

/** The driver cursor with the read check mapped over it; its clones are checked too. */
function checkedCursor(cursor: AbstractCursor, read: Check): AbstractCursor {
  cursor.map((doc) => {
    const out = read(doc)
    if (!isPromise(out)) return out
    // The driver closes the cursor when a synchronous transform throws; do the same for async.
    return out.catch(async (error) => {
      await cursor.close().catch(() => undefined)
      throw error
    })
  })
  return new Proxy(cursor, {
    get: (target, key, receiver) =>
      key === 'clone' ? () => checkedCursor(target.clone(), read) : Reflect.get(target, key, receiver),
  })
}

/** The driver change stream whose `next` / `tryNext` (and so iteration) check full documents. */
function checkedChangeStream(stream: ChangeStream, read: Check): ChangeStream {
  const decode = async (change: Document | null) => {
    if (!change) return change
    const id = change.documentKey?._id
    const out = { ...change }
    if (change.fullDocument) out.fullDocument = await read(change.fullDocument, id)
    if (change.fullDocumentBeforeChange) out.fullDocumentBeforeChange = await read(change.fullDocumentBeforeChange, id)
    return out
  }
  return new Proxy(stream, {
    get: (target, key, receiver) => {
      if (key === 'next') return async () => decode(await target.next.call(receiver))
      if (key === 'tryNext') return async () => decode(await target.tryNext.call(receiver))
      return Reflect.get(target, key, receiver)
    },
  })
}

/** `withSchema(collection, schema)` for framework `fw`: see the module comment. */
export function withSchema<F extends FrameworkTypes>(fw: Framework<F>, collection: object, schema: DocumentSchema): any {
  if (typeof (schema as Partial<DocumentSchema> | null)?.['~standard']?.validate !== 'function')
    throw invalidArgument('withSchema schema', 'a Standard Schema (Zod, Valibot, ArkType, Effect Schema...)', schema)
  const driver = delegateOf<Collection>(collection)
  const read = checker(schema, 'read', driver.namespace)
  const write = checker(schema, 'write', driver.namespace)
  const base = Object.getPrototypeOf(collection) as Record<string, (...args: any[]) => any>
  const checked = Object.create(collection) as Record<string, unknown>
  bindDelegate(checked, driver)

  const unprojected = (options: unknown) => !(options as { projection?: unknown } | undefined)?.projection
  const decodeOne = (future: Future<F, any>, options: unknown) =>
    unprojected(options)
      ? fw.chainFuture(future, (result: any) =>
          fw.runOnExecutor(async () => {
            if (result === null || result === undefined) return result
            if (!(options as { includeResultMetadata?: boolean } | undefined)?.includeResultMetadata) return read(result)
            return result.value ? { ...result, value: await read(result.value) } : result
          }),
        )
      : future
  const bulkChecks = (ops: unknown) => () =>
    (Array.isArray(ops) ? ops : []).flatMap((op: Document) => {
      if (op?.insertOne) return [write(op.insertOne.document)]
      if (op?.replaceOne) return [write(op.replaceOne.replacement)]
      return []
    })

  const overrides: Record<string, (...args: any[]) => unknown> = {
    insertOne: (doc, options) => after(fw, () => [write(doc)], () => base.insertOne!.call(checked, doc, options)),
    insertMany: (docs, options) =>
      after(fw, () => (Array.isArray(docs) ? docs.map((d) => write(d)) : []), () => base.insertMany!.call(checked, docs, options)),
    replaceOne: (filter, doc, options) =>
      after(fw, () => [write(doc, idOf(doc) ?? idOf(filter))], () => base.replaceOne!.call(checked, filter, doc, options)),
    bulkWrite: (ops, options) => after(fw, bulkChecks(ops), () => base.bulkWrite!.call(checked, ops, options)),
    findOne: (filter, options) => decodeOne(base.findOne!.call(checked, filter, options), options),
    findOneAndDelete: (filter, options) => decodeOne(base.findOneAndDelete!.call(checked, filter, options), options),
    findOneAndUpdate: (filter, update, options) => decodeOne(base.findOneAndUpdate!.call(checked, filter, update, options), options),
    findOneAndReplace: (filter, doc, options) =>
      after(
        fw,
        () => [write(doc, idOf(doc) ?? idOf(filter))],
        () => decodeOne(base.findOneAndReplace!.call(checked, filter, doc, options), options),
      ),
    find: (filter, options) => {
      const cursor = base.find!.call(checked, filter, options)
      const d = delegateOf<AbstractCursor>(cursor)
      return unprojected(options) && !isFailedDelegate(d) ? rewrap(cursor, checkedCursor(d, read)) : cursor
    },
    watch: (pipeline, options) => {
      const stream = base.watch!.call(checked, pipeline, options)
      const d = delegateOf<ChangeStream>(stream)
      return isFailedDelegate(d) ? stream : rewrap(stream, checkedChangeStream(d, read))
    },
  }
  for (const [key, fn] of Object.entries(overrides))
    Object.defineProperty(checked, key, { configurable: true, enumerable: false, writable: true, value: fn })
  return checked
}
