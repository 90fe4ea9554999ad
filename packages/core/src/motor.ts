/**
 * `createMotor(framework)`: builds, from the declarative table, one wrapper class per
 * driver class whose async members return the framework's futures. This is the only
 * place that turns table entries into behaviour; framework packages contain no
 * per-method code.
 *
 * Wrapper classes mirror the driver's hierarchy (a wrapped `FindCursor` is an instance of
 * the wrapped `AbstractCursor`), so `instanceof` works among wrappers. Driver objects are
 * reached only through their public API.
 */

import type { MongoClientOptions } from 'mongodb'
import * as mongodb from 'mongodb'
import { cursorForRerun, readWhole } from './cursor-reads.js'
import { abortableDocuments, cursorPolicy, inherit, noteCursor, noteFlag, remember, signalOf, stepOfCursor, takeSignal } from './cursor-signals.js'
import { driverLacks, driverLacksError } from './driver-lacks.js'
import { invalidArgument } from './errors.js'
import type { Framework, FrameworkTypes, Future } from './framework.js'
import {
  driverMeta,
  type MotorClientEncryption,
  type MotorDb,
  type MotorGridFSBucket,
  type MotorMongoClient,
} from './generated/driver-api.generated.js'
import type { MemberKind } from './members.js'
import { memberKeyName } from './members.js'
import { delegateOf, isFailedDelegate, unwrap, unwrapArgs, type WrapperClass, WrapRegistry } from './registry.js'
import { type WithSchema, withSchema } from './schema.js'
import { Closer, changeStreamSource, closeAfterStep, closeOnce, cursorSource, iteratorSource, raceAbort, track } from './sources.js'
import { driverTable, type WrappedClassName } from './table.js'
import { runTransaction } from './transaction.js'

/** A signal that never aborts: frameworks without cancellation pass it, and core then skips signal plumbing. */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal

/** Classes whose pending operations are cancelled by closing the driver object, and how. */
const CLOSE_METHOD: Record<string, string> = { AbstractCursor: 'close', ChangeStream: 'close', GridFSBucketReadStream: 'abort' }

export interface MotorConstructors<F extends FrameworkTypes> {
  /** The wrapped `MongoClient`: `new MongoClient(url, options)` or `MongoClient.connect(url, options)`. */
  MongoClient: {
    new (url: string, options?: MongoClientOptions): MotorMongoClient<F>
    connect(url: string, options?: MongoClientOptions): Future<F, MotorMongoClient<F>>
    readonly prototype: MotorMongoClient<F>
  }
  /** The wrapped `GridFSBucket`: `new GridFSBucket(db, options)` with a wrapped or driver `Db`. */
  GridFSBucket: {
    new (db: MotorDb<any> | mongodb.Db, options?: mongodb.GridFSBucketOptions): MotorGridFSBucket<F>
    readonly prototype: MotorGridFSBucket<F>
  }
  /** The wrapped `ClientEncryption`; constructing it needs the optional `mongodb-client-encryption`. */
  ClientEncryption: {
    new (client: MotorMongoClient<any> | mongodb.MongoClient, options: mongodb.ClientEncryptionOptions): MotorClientEncryption<F>
    readonly prototype: MotorClientEncryption<F>
  }
  /** Every wrapper class by driver class name, for `instanceof` checks and extensions. */
  classes: Readonly<Record<WrappedClassName, Function>>
  /** Wrap a driver object (a `Db`, a cursor, a session...) you obtained from the driver directly. */
  wrap<T>(driverObject: T): any
  /** The framework these classes produce values for. */
  framework: Framework<F>
  /** A schema-checked view of a collection (see `schema.ts`); opt-in, costs nothing unused. */
  withSchema: WithSchema<F>
}

type Fn = (...args: any[]) => any

/** Build the wrapper classes for one framework. */
export function createMotor<F extends FrameworkTypes>(fw: Framework<F>): MotorConstructors<F> {
  const classes = new Map<string, WrapperClass & Function>()
  const registry = new WrapRegistry(classes)
  const closer = new Closer(fw as Framework<FrameworkTypes>)
  const driverExports = mongodb as unknown as Record<string, Function | undefined>

  const defineClass = (name: WrappedClassName): WrapperClass & Function => {
    const existing = classes.get(name)
    if (existing) return existing
    const entry = driverTable[name]
    const parent = entry.extends ? defineClass(entry.extends as WrappedClassName) : undefined
    const driverClass = driverExports[name]
    const ctor = makeConstructor(name, Boolean('constructible' in entry && entry.constructible), driverClass, parent)
    classes.set(name, ctor)
    if (driverClass) registry.register(driverClass, ctor)
    const meta = driverMeta[name] ?? {}
    for (const key of Reflect.ownKeys(entry.members)) {
      const memberName = memberKeyName(key)
      const kind = (entry.members as Record<string | symbol, MemberKind>)[key]!
      const m = meta[memberName] ?? {}
      const lacks = kind.kind !== 'prop' && driverLacks(driverExports, name, key)
      Object.defineProperty(ctor.prototype, key, lacks ? describeLacking(`${name}.${memberName}`, kind) : describeMember(name, key, kind, m))
    }
    for (const [key, kind] of Object.entries(('statics' in entry && entry.statics) || {})) {
      Object.defineProperty(ctor, key, describeStatic(driverClass, key, kind, meta[`static ${key}`]?.returns))
    }
    addExtras(name, ctor)
    return ctor
  }

  const makeConstructor = (
    name: string,
    constructible: boolean,
    driverClass: Function | undefined,
    parent: Function | undefined,
  ): WrapperClass & Function => {
    const Base = (parent ?? Object) as new () => object
    // The wrapper class `new` was aimed at: `new.target` itself, or the nearest wrapper it
    // extends when a user subclassed one (`class MyClient extends MongoClient`). Only that
    // class builds the driver object; the wrapper classes above it (super() calls) do nothing.
    const constructed = (target: Function): Function | undefined => {
      for (let c: Function | null = target; c && c !== Function.prototype; c = Object.getPrototypeOf(c))
        if (classes.get(c.name) === c) return c
      return undefined
    }
    const ctor = class extends Base {
      static readonly driverName = name
      constructor(...args: unknown[]) {
        super()
        if (constructed(new.target) !== ctor) return
        if (!constructible || !driverClass)
          throw new TypeError(`motor-ts: ${name} is not constructed directly; obtain it from the client`)
        registry.remember(Reflect.construct(driverClass, unwrapArgs(args)) as object, this)
      }
    }
    Object.defineProperty(ctor, 'name', { value: name })
    if (!parent) {
      Object.defineProperty(ctor.prototype, 'delegate', {
        get(this: object) {
          return delegateOf(this)
        },
      })
    }
    return ctor as unknown as WrapperClass & Function
  }

  /** How an op's driver Promise becomes its result: as is, or wrapped once it resolves. */
  const resultOf = (m: Meta, wrapKeys?: readonly string[]): ((p: Promise<unknown>) => Promise<unknown>) => {
    if (wrapKeys)
      return (p) =>
        p.then((result) => {
          if (!result || typeof result !== 'object') return result
          const copy = { ...(result as Record<string, unknown>) }
          for (const k of wrapKeys) copy[k] = registry.wrap(copy[k], 'Collection')
          return copy
        })
    // Without a declared wrapped return type the result is data (a document, a count, a
    // result object): the driver's own Promise is handed on untouched.
    if (m.returns === undefined) return (p) => p
    const returns = m.returns
    return (p) => p.then((result) => registry.wrap(result, returns))
  }

  /**
   * One driver call as a framework future. Per run: unwrap the arguments, hand the driver our
   * cancellation signal where it takes one (only when the framework can cancel), and for
   * operations on cursors and change streams close the driver object on abort once the call
   * in flight has settled. Whole reads re-run on a rewound or cloned cursor.
   */
  const runOp = (
    self: object,
    call: (d: any, args: unknown[], signal: AbortSignal) => unknown,
    args: unknown[],
    m: Meta,
    result: (p: Promise<unknown>) => Promise<unknown>,
    closeMethod: string | undefined,
    wholeRead: boolean,
    owner: string,
    name: string,
  ) => {
    const delegate = delegateOf(self)
    let runs = 0
    return fw.runOnExecutor((signal) => {
      try {
        const d = wholeRead && runs++ > 0 ? rerun(delegate) : delegate
        let callArgs = unwrapArgs(args, m.abortable)
        if (signal === NEVER_ABORTED) return result(Promise.resolve(call(d, callArgs, signal)))
        if (m.abortable !== undefined) {
          if (callArgs === args) callArgs = args.slice()
          callArgs[m.abortable] = withSignal(callArgs[m.abortable], signal)
        }
        if (wholeRead) return trackedOnAbort(signal, () => result(Promise.resolve(call(d, callArgs, signal))))
        if (!closeMethod || isFailedDelegate(d)) return result(Promise.resolve(call(d, callArgs, signal)))
        return closingOnAbort(d, closeMethod, signal, () => result(Promise.resolve(call(d, callArgs, signal))))
      } catch (error) {
        return Promise.reject(error)
      }
    }, { name, className: owner, target: delegate })
  }

  /** Run `start`; if `signal` aborts before the call it started settles, `onAbort(that call)`. */
  const watchingAbort = (signal: AbortSignal, start: () => Promise<unknown>, onAbort: (inFlight: Promise<unknown> | undefined) => void) => {
    let inFlight: Promise<unknown> | undefined
    const abort = () => onAbort(inFlight)
    signal.addEventListener('abort', abort, { once: true })
    const done = () => signal.removeEventListener('abort', abort)
    try {
      inFlight = start()
    } catch (error) {
      done()
      throw error
    }
    return inFlight.finally(done)
  }

  /**
   * Run `start`; if `signal` aborts meanwhile, close `d` once the call in flight settles (a
   * cursor's read is one round trip, maybe its opening command: all of it, see `sources.ts`).
   */
  const closingOnAbort = (d: any, closeMethod: string, signal: AbortSignal, start: () => Promise<unknown>) => {
    const cursorStep = closeMethod === 'close' && !(d instanceof mongodb.ChangeStream)
    return watchingAbort(signal, start, (inFlight) => {
      void closer.closeWhenIdle(() => closeOnce(d, () => d[closeMethod]()), cursorStep && inFlight ? stepOfCursor(d, inFlight) : inFlight)
    })
  }

  /**
   * Run `start` (a whole read); if `signal` aborts meanwhile, count it among the closes under
   * way: it stops at its next batch and closes its cursor then (`cursor-reads.ts`), and its
   * session must not end before that.
   */
  const trackedOnAbort = (signal: AbortSignal, start: () => Promise<unknown>) =>
    watchingAbort(signal, start, (inFlight) => inFlight && closer.track(inFlight))

  /** The cursor a re-run reads (`cursor-reads.ts`), keeping the caller's signal if it is a clone. */
  const rerun = <C extends object>(cursor: C): C => {
    const next = cursorForRerun(cursor)
    inherit(closer, cursor, next as never)
    return next
  }

  type Run = (d: any, args: unknown[], signal: AbortSignal) => unknown

  /**
   * How an op member calls the driver: cursor reads and closes honour the caller's signal on
   * the cursor and wait for reads in flight (`cursor-signals.ts`, `sources.ts`); the rest is
   * the plain call.
   */
  const opRunner = (owner: string, key: string | symbol, call: (d: any, args: unknown[]) => any): Run => {
    const cursor = owner === 'AbstractCursor'
    if (cursor && (key === 'toArray' || key === 'forEach'))
      return (d, args, signal) => {
        const own = signalOf(d)
        const guard = (read: Promise<number>) => {
          track(d, stepOfCursor(d, read))
          return own ? raceAbort(read, own) : read
        }
        return readWhole(d, args, signal === NEVER_ABORTED ? undefined : signal, key === 'forEach', own, own && guard)
      }
    if ((key === 'close' || key === Symbol.asyncDispose) && (cursor || owner === 'ChangeStream'))
      return (d, args) => closeAfterStep(d, () => d[key](...args))
    if (cursor && (key === 'next' || key === 'tryNext' || key === 'hasNext'))
      return (d, args) => {
        const own = signalOf(d)
        if (!own) return call(d, args)
        own.throwIfAborted()
        const step = call(d, args)
        track(d, stepOfCursor(d, step))
        return raceAbort(step, own)
      }
    return call
  }

  const closeMethodFor = (owner: string): string | undefined => {
    for (let cls: string | undefined = owner; cls; cls = (driverTable as Record<string, { extends?: string }>)[cls]?.extends) {
      if (CLOSE_METHOD[cls]) return CLOSE_METHOD[cls]
    }
    return undefined
  }

  const describeMember = (owner: string, key: string | symbol, kind: MemberKind, m: Meta): PropertyDescriptor => {
    const call = (d: any, args: unknown[]) => d[key](...args)
    switch (kind.kind) {
      case 'op': {
        const wholeRead = owner === 'AbstractCursor' && (key === 'toArray' || key === 'forEach')
        const run = opRunner(owner, key, call)
        const name = memberKeyName(key)
        const result = resultOf(m, kind.wrapResultKeys)
        const closeMethod = wholeRead ? undefined : closeMethodFor(owner)
        return method(function (this: object, ...args: unknown[]) {
          return runOp(this, run, args, m, result, closeMethod, wholeRead, owner, name)
        })
      }
      case 'cursor':
        return method(function (this: object, ...args: unknown[]) {
          const d = delegateOf(this)
          try {
            // A caller's AbortSignal on a cursor is core's to honour (`cursor-signals.ts`).
            const { args: plain, signal } = m.returns === 'ChangeStream' ? { args: unwrapArgs(args) } : takeSignal(unwrapArgs(args))
            const cursor = call(d, plain)
            noteCursor(cursor, plain, m.returns)
            if (signal) remember(closer, cursor, signal)
            return registry.wrap(cursor, m.returns)
          } catch (error) {
            return registry.wrapFailure(m.returns ?? owner, error)
          }
        })
      case 'chain':
        return method(function (this: object, ...args: unknown[]) {
          const d = delegateOf(this)
          if (isFailedDelegate(d)) return this
          const plain = unwrapArgs(args)
          if (key === 'addCursorFlag') noteFlag(d, plain[0], plain[1])
          const result = call(d, plain)
          if (key === 'clone') inherit(closer, d, result)
          return result === d ? this : registry.wrap(result, m.returns)
        })
      case 'wraps':
      case 'sync':
        return method(function (this: object, ...args: unknown[]) {
          return registry.wrap(call(delegateOf(this), unwrapArgs(args)), m.returns)
        })
      case 'prop':
        return {
          configurable: true,
          enumerable: false,
          get(this: object) {
            return registry.wrap(delegateOf<any>(this)[key], m.returns)
          },
          ...(kind.writable && {
            set(this: object, value: unknown) {
              delegateOf<any>(this)[key] = unwrap(value)
            },
          }),
        }
      case 'custom':
        return method({ withSession, withTransaction, endSession }[kind.name])
    }
  }

  /** A member the installed driver lacks: fails, naming it and the driver version, in the framework's channel. */
  const describeLacking = (member: string, kind: MemberKind): PropertyDescriptor =>
    kind.kind === 'op' || kind.kind === 'custom'
      ? method(() =>
          fw.runOnExecutor(async () => {
            throw driverLacksError(member)
          }),
        )
      : method(() => {
          throw driverLacksError(member)
        })

  const describeStatic = (driverClass: Function | undefined, key: string, kind: MemberKind, returns?: string): PropertyDescriptor => {
    const target = driverClass as unknown as Record<string, Fn>
    if (kind.kind === 'op')
      return method((...args: unknown[]) =>
        fw.runOnExecutor(async () => registry.wrap(await target[key]!(...unwrapArgs(args)), returns)),
      )
    return { configurable: true, enumerable: true, get: () => registry.wrap(target[key], returns) }
  }

  function withSession(this: object, optionsOrWork: unknown, maybeWork?: unknown) {
    const client = delegateOf<mongodb.MongoClient>(this)
    const [options, work] = typeof optionsOrWork === 'function' ? [undefined, optionsOrWork] : [optionsOrWork, maybeWork]
    if (typeof work !== 'function')
      return fw.runOnExecutor(async () => {
        throw invalidArgument('withSession executor', 'a function returning a future', work)
      })
    return fw.using(
      async () => client.startSession(options as mongodb.ClientSessionOptions | undefined),
      (session) => (work as Fn)(registry.wrap(session, 'ClientSession')),
      (session) => endAfterCloses(session),
    )
  }

  // A session ended under a cursor close still under way would make its killCursors fail
  // and leave the cursor open on the server: sessions end once those closes have finished.
  const endAfterCloses = async (session: mongodb.ClientSession, options?: mongodb.EndSessionOptions) => {
    await closer.settled()
    await session.endSession(options)
  }

  function endSession(this: object, options?: mongodb.EndSessionOptions) {
    const session = delegateOf<mongodb.ClientSession>(this)
    return fw.runOnExecutor(() => endAfterCloses(session, options))
  }

  function withTransaction(this: object, work: unknown, options?: mongodb.TransactionOptions) {
    const session = delegateOf<mongodb.ClientSession>(this)
    if (typeof work !== 'function')
      return fw.runOnExecutor(async () => {
        throw invalidArgument('withTransaction work', 'a function returning a future', work)
      })
    return runTransaction(fw, session, () => (work as Fn)(this), options)
  }

  const addExtras = (name: string, ctor: Function) => {
    const proto = ctor.prototype as Record<string, unknown>
    if (name === 'AbstractCursor') {
      proto.toStream = method(function (this: object) {
        let opens = 0
        return fw.stream(() => {
          const d = delegateOf<mongodb.AbstractCursor>(this)
          const cursor = opens++ > 0 ? rerun(d) : d
          return cursorSource(closer, () => cursor, cursorPolicy)
        })
      }).value
      // `for await (const doc of cursor)`: the driver's iteration, honouring the caller's signal.
      proto[Symbol.asyncIterator as unknown as string] = method(function (this: object) {
        const d = delegateOf<mongodb.AbstractCursor>(this)
        const own = signalOf(d)
        return own ? abortableDocuments(d, own) : d[Symbol.asyncIterator]()
      }).value
    }
    if (name === 'ChangeStream') {
      proto.toStream = method(function (this: object) {
        const d = delegateOf<mongodb.ChangeStream>(this)
        // One round trip a step, closed between steps (`sources.ts`); mongodb 7.0 has no
        // ChangeStream.bufferedCount: one change a pull there.
        return fw.stream(() => changeStreamSource(closer, d))
      }).value
    }
    if (name === 'GridFSBucketReadStream') {
      proto.toStream = method(function (this: object) {
        const d = delegateOf<mongodb.GridFSBucketReadStream>(this)
        return fw.stream(() =>
          iteratorSource<Buffer>(closer, () => d, async () => {
            d.destroy()
          }),
        )
      }).value
    }
    if (name === 'GridFSBucketWriteStream') {
      proto.write = method(function (this: object, chunk: Uint8Array | string) {
        const d = delegateOf<mongodb.GridFSBucketWriteStream>(this)
        return fw.getFuture<void>((resolve, reject) => {
          d.write(chunk, (error) => (error ? reject(error) : resolve()))
        })
      }).value
      proto.end = method(function (this: object, chunk?: Uint8Array | string) {
        const d = delegateOf<mongodb.GridFSBucketWriteStream>(this)
        return fw.getFuture<mongodb.GridFSFile>((resolve, reject) => {
          const onError = (error: unknown) => reject(error)
          d.once('error', onError)
          const done = () => {
            d.off('error', onError)
            resolve(d.gridFSFile as mongodb.GridFSFile)
          }
          if (chunk === undefined) d.end(done)
          else d.end(chunk, done)
        })
      }).value
    }
  }

  for (const name of Object.keys(driverTable) as WrappedClassName[]) defineClass(name)

  // Every wrapped GridFS upload gets an error listener, so a failed upload rejects its
  // future (see `end`) instead of crashing the process with an unhandled 'error' event.
  registry.onWrap(classes.get('GridFSBucketWriteStream')!, (upload) => {
    const d = upload as mongodb.GridFSBucketWriteStream
    if (d.listenerCount('error') === 0) d.on('error', () => undefined)
  })

  const all = Object.fromEntries(classes) as unknown as Record<WrappedClassName, Function>
  return {
    MongoClient: all.MongoClient as unknown as MotorConstructors<F>['MongoClient'],
    GridFSBucket: all.GridFSBucket as unknown as MotorConstructors<F>['GridFSBucket'],
    ClientEncryption: all.ClientEncryption as unknown as MotorConstructors<F>['ClientEncryption'],
    classes: all,
    wrap: (driverObject) => registry.wrap(driverObject),
    framework: fw,
    withSchema: (collection, schema) => withSchema(fw, collection, schema),
  }
}

interface Meta {
  readonly abortable?: number
  readonly returns?: string
}

function method(fn: Fn): PropertyDescriptor {
  return { configurable: true, enumerable: false, writable: true, value: fn }
}

/** Options with our cancellation signal merged with any signal the caller gave. */
function withSignal(options: unknown, signal: AbortSignal): Record<string, unknown> {
  const base = (options && typeof options === 'object' ? options : {}) as Record<string, unknown>
  const own = base.signal as AbortSignal | undefined
  return { ...base, signal: own ? AbortSignal.any([own, signal]) : signal }
}
