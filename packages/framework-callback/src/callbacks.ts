/**
 * Node-style callbacks on every async member of core's driver table. Each member keeps its
 * Promise form; given a trailing function beyond those it takes itself (`forEach`'s
 * iterator, `withSession`'s executor: generated from the driver's declarations), it returns
 * nothing and calls that callback once, as `callback(error)` or `callback(undefined, result)`.
 *
 * The callback runs on a later tick, outside the operation's Promise chain: by then the
 * driver has finished with the operation (connection checked in, session ended), so a
 * callback that throws cannot fail it, call back twice or leave anything held. Its error
 * surfaces as the process's 'uncaughtException', as a throw from an `fs` callback does.
 */
import { driverTable, type FrameworkTypes, type Future, type MemberKind, type MotorConstructors, memberKeyName } from '@motor-ts/core'
import type { AnyError, GridFSFile } from 'mongodb'
import { functionParams, type MotorClientSession } from './generated/driver-api.generated.js'

/** A Node-style callback: `(error)` on failure, `(undefined, result)` on success (as `mongodb-legacy` calls it). */
export type NodeCallback<T> = (error: AnyError | undefined, result: T) => void

/** Work run in a session (`withSession`) or a transaction (`withTransaction`): returns a Promise of its result. */
export type MotorSessionCallback<F extends FrameworkTypes, T = unknown> = (session: MotorClientSession<F>) => Future<F, T>

/** A GridFS upload written through Promises or callbacks (motor-ts's `write`/`end`). */
export interface Uploadable<F extends FrameworkTypes> {
  /** Write a chunk; completes when the chunk is accepted (backpressure respected). */
  write(chunk: Uint8Array | string): Future<F, void>
  write(chunk: Uint8Array | string, callback: NodeCallback<void>): void
  /** Finish the upload (optionally with a last chunk); yields the stored file document. */
  end(chunk?: Uint8Array | string): Future<F, GridFSFile>
  end(callback: NodeCallback<GridFSFile>): void
  end(chunk: Uint8Array | string, callback: NodeCallback<GridFSFile>): void
}

/** Async members core adds beyond the driver's table (`Uploadable`). */
const EXTRA_OPS: Readonly<Record<string, readonly string[]>> = { GridFSBucketWriteStream: ['write', 'end'] }

type AsyncMember = (this: unknown, ...args: unknown[]) => Promise<unknown>

/** Call `callback` once with the outcome of `promise`, on a later tick. */
function settle<T>(promise: Promise<T>, callback: NodeCallback<T>): void {
  promise.then(
    (value) => process.nextTick(callback, undefined, value),
    // A falsy rejection would read as success to `if (error)`: wrap it, as util.callbackify does.
    (error: unknown) => process.nextTick(callback, error || Object.assign(new Error('operation failed without a reason'), { reason: error })),
  )
}

/** `member` with an optional trailing callback after its own `ownFunctions` function arguments. */
function withCallback(member: AsyncMember, ownFunctions: number): AsyncMember {
  return function (this: unknown, ...args: unknown[]) {
    const callback = args[args.length - 1]
    if (typeof callback !== 'function' || args.filter((a) => typeof a === 'function').length <= ownFunctions)
      return member.apply(this, args)
    args.pop()
    // Through an async function, so even a synchronous throw reaches the callback.
    settle((async () => member.apply(this, args))(), callback as NodeCallback<unknown>)
    return undefined as never
  }
}

const isAsync = (kind: MemberKind): boolean => kind.kind === 'op' || kind.kind === 'custom'

function patch(target: object, key: string | symbol, ownFunctions: number): void {
  const member = (target as Record<string | symbol, AsyncMember>)[key]!
  Object.defineProperty(target, key, { configurable: true, enumerable: false, writable: true, value: withCallback(member, ownFunctions) })
}

/** Give every async member of `motor`'s classes (and static `MongoClient.connect`) its callback form. */
export function addCallbacks<F extends FrameworkTypes>(motor: MotorConstructors<F>): void {
  for (const [name, entry] of Object.entries(driverTable)) {
    const cls = motor.classes[name as keyof typeof driverTable] as Function
    const own = functionParams[name] ?? {}
    const members = entry.members as Readonly<Record<string | symbol, MemberKind>>
    for (const key of Reflect.ownKeys(members)) if (isAsync(members[key]!)) patch(cls.prototype, key, own[memberKeyName(key)] ?? 0)
    for (const key of EXTRA_OPS[name] ?? []) patch(cls.prototype, key, 0)
    const statics: Readonly<Record<string, MemberKind>> = ('statics' in entry && entry.statics) || {}
    for (const [key, kind] of Object.entries(statics)) if (isAsync(kind)) patch(cls, key, own[`static ${key}`] ?? 0)
  }
}
